"""The health score: 0-100 from named components, each 100 minus the points its items take.

score = Σ weightᵢ · valueᵢ ÷ Σ weightᵢ over the components with data (coverage without a
report is unknown and left out, never scored as 0), valueᵢ = 100 − min(100, Σ item points).
Every point lost is an item's: an item takes ``points · weightᵢ / Σ weights`` from the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.config import HealthWeights
from app.health.inventory import Component, Item

COMPONENTS: tuple[Component, ...] = (
    "complexity",
    "coverage",
    "dependencies",
    "security",
    "architecture",
    "flaky",
    "maintenance",
)
GRADES: tuple[tuple[int, str], ...] = ((90, "A"), (80, "B"), (70, "C"), (50, "D"))


@dataclass(frozen=True)
class ComponentScore:
    name: Component
    value: int
    weight: float
    lost: float
    """Points taken by items (before the 100 cap)."""


@dataclass(frozen=True)
class Score:
    value: int
    grade: str
    components: tuple[ComponentScore, ...]

    def component(self, name: str) -> ComponentScore | None:
        return next((c for c in self.components if c.name == name), None)


def grade(value: int) -> str:
    for bound, letter in GRADES:
        if value >= bound:
            return letter
    return "E"


def score(items: Sequence[Item], weights: HealthWeights, unknown: Sequence[str] = ()) -> Score:
    """``unknown``: components without data (left out of the score, not counted as 0)."""
    lost: dict[str, float] = {}
    for item in items:
        lost[item.component] = lost.get(item.component, 0.0) + item.points
    raw: Mapping[str, float] = weights.model_dump()
    components = []
    for name in COMPONENTS:
        if name in unknown:
            continue
        value = max(0.0, 100.0 - lost.get(name, 0.0))
        components.append(ComponentScore(name, round(value), raw[name], lost.get(name, 0.0)))
    total_weight = sum(c.weight for c in components)
    if total_weight <= 0:
        value = 100
    else:
        exact = sum(c.weight * max(0.0, 100.0 - c.lost) for c in components) / total_weight
        value = round(exact)
    return Score(value, grade(value), tuple(components))


def item_impact(item: Item, result: Score) -> float:
    """Points of the overall score this item takes."""
    component = result.component(item.component)
    total = sum(c.weight for c in result.components)
    if component is None or total <= 0:
        return 0.0
    return item.points * component.weight / total


def delta_reasons(
    current: Score, previous_components: Mapping[str, int], limit: int = 3
) -> list[str]:
    """What moved the score since the previous sample: components ordered by their effect."""
    total = sum(c.weight for c in current.components) or 1.0
    moves = []
    for component in current.components:
        before = previous_components.get(component.name)
        if before is None or before == component.value:
            continue
        effect = (component.value - before) * component.weight / total
        direction = "up" if component.value > before else "down"
        moves.append(
            (abs(effect), f"{component.name} {direction} from {before} to {component.value}")
        )
    moves.sort(reverse=True)
    return [text for _, text in moves[:limit]]


def item_moves(
    current: Mapping[str, float], previous: Mapping[str, float], limit: int = 3
) -> list[str]:
    """The new and resolved items with the largest effect on the score since the previous
    sample (item id → points it takes from the score)."""
    moves = [
        (points, f"new {item} (-{points:.1f})")
        for item, points in current.items()
        if item not in previous and points >= 0.05
    ]
    moves += [
        (points, f"resolved {item} (+{points:.1f})")
        for item, points in previous.items()
        if item not in current and points >= 0.05
    ]
    moves.sort(key=lambda move: -move[0])
    return [text for _, text in moves[:limit]]
