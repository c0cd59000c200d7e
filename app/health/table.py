"""`maintainer health --format table`: the document as text for a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.health.inventory import debt_grade

ROWS = 10


def table(doc: dict[str, Any], reasons: Sequence[str], debt_minutes: int, poor_share: float) -> str:
    """``poor_share``: percent of function lines in functions ranked D or worse."""
    score = doc["score"]
    lines = [f"{doc['repository']} at {doc['at']['commit'][:12]} ({doc['at']['date']})"]
    headline = f"health {score['value']}/100 (grade {score['grade']})"
    if score["delta"] is not None:
        moved = "unchanged" if score["delta"] == 0 else f"{score['delta']:+d}"
        headline += f", {moved} since the previous sample"
        if reasons:
            headline += ": " + "; ".join(reasons)
    lines.append(headline)
    names = {c["name"] for c in score["components"]}
    for component in score["components"]:
        lines.append(
            f"  {component['name']:<14}{component['value']:>4}  weight {component['weight']}"
        )
    for missing in ("coverage", "dependencies", "security"):
        if missing not in names:
            lines.append(f"  {missing:<14}   ?  unknown (no data), not scored")
    total_lines = sum(m["lines"] for m in doc["modules"])
    ratio = debt_minutes / (max(total_lines, 1) * 30)
    lines.append(
        f"technical debt: {debt_minutes} minutes, ratio {100 * ratio:.2f} % of "
        f"{total_lines} lines (grade {debt_grade(ratio)})"
    )
    means = [m["complexity"]["mean"] * m["lines"] for m in doc["modules"]]
    weighted = sum(means) / max(total_lines, 1)
    lines.append(
        f"complexity: {weighted:.1f} mean per line, {poor_share:.1f} % of function lines in "
        "functions ranked D or worse"
    )
    deps = doc["dependencies"]
    days = deps["mean_days_behind"]
    lines.append(
        f"dependencies: {deps['outdated']} outdated, {deps['libyears']:.2f} libyears, "
        f"mean {'unknown' if days is None else f'{days:.0f} days'} behind, "
        f"{deps['vulnerable']} vulnerable"
    )
    violations = doc["architecture"]["violations"]
    lines.append(f"architecture: {len(violations)} violations")
    for violation in violations[:ROWS]:
        flag = " (new)" if violation["new"] else ""
        lines.append(f"  {violation['contract']}: {violation['detail']}{flag}")
    hot = [m for m in doc["modules"] if m["hotspot"] > 0][:ROWS]
    if hot:
        lines.append("hotspots (commits in 90 days × complexity):")
        for module in hot:
            coverage = module["coverage"]
            shown = "?" if coverage is None else f"{coverage:.0f}%"
            lines.append(
                f"  {module['hotspot']:>8.0f}  {module['path']}  "
                f"({module['churn']['commits']} commits, worst "
                f"{module['complexity']['worst']['function']} "
                f"{module['complexity']['worst']['value']}, coverage {shown})"
            )
    items = doc["items"]
    lines.append(f"debt items: {len(items)}" + (f" (top {ROWS})" if len(items) > ROWS else ""))
    for item in items[:ROWS]:
        fix = item["fix"].get("branch") or item["fix"].get("suggestion")
        lines.append(
            f"  [{item['cost']['risk']}] {item['subject']}: {item['evidence']} "
            f"({item['cost']['minutes']} min) -> {fix}"
        )
    history = doc["history"]
    if history:
        scores = " ".join(str(h["score"]) for h in history)
        lines.append(f"history ({len(history)} samples, oldest first): {scores}")
    return "\n".join(lines)
