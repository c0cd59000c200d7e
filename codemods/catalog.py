"""Every rule's metadata, in registry order, and the choice of rules by id, name or family.

The metadata (`codemods.info.RuleInfo`) is plain data, so a scan whose results are all cached
can choose its rules and pre-filter its files (`codemods.text_filters`) from a snapshot of the
catalog, saved beside the results (`app.deprecations.cache`), without importing the rules and
libcst. A snapshot is named by `ruleset_version`, a hash of the rules' source files: editing a
rule makes a new one. `registered` builds the catalog from the rule classes themselves.

One snapshot ships beside the rules (``codemods/catalog.json``, written by
``python -m codemods.catalog``; a test checks it is current), so even a first scan with an
empty cache chooses its rules without importing them; when it is stale (a rule was edited and
the file not rewritten) it is ignored and the cache's snapshot, or the classes, serve instead.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codemods.info import Applies, RuleInfo, Safety

PACKAGED = Path(__file__).with_name("catalog.json")
"""The snapshot shipped with the rules."""

OPT_IN_FAMILIES: frozenset[str] = frozenset({"modernize"})
"""Families that run only when named: they modernise style, nothing in them is deprecated."""


class UnknownRule(KeyError):
    """A rule id, name or family that is not in the catalog."""


@functools.cache
def ruleset_version() -> str:
    """A hash of the codemods' source: any change to a rule invalidates cached results."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def opt_in(info: RuleInfo) -> bool:
    return info.family in OPT_IN_FAMILIES


@dataclass(frozen=True)
class Catalog:
    rules: tuple[RuleInfo, ...]
    """In registry order (the order rules run in one pass)."""

    @functools.cached_property
    def by_id(self) -> Mapping[str, RuleInfo]:
        return {info.id: info for info in self.rules}

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(info.family for info in self.rules))

    def select(self, names: Iterable[str]) -> list[RuleInfo]:
        """Rules named by id (``MB101``), short name (``unittest-aliases``) or family, or
        ``all`` (every rule outside the opt-in families, which run only when named)."""
        chosen: set[str] = set()
        for name in names:
            matched = [
                info.id
                for info in self.rules
                if name in (info.id, info.name, info.family) or (name == "all" and not opt_in(info))
            ]
            if not matched:
                raise UnknownRule(name)
            chosen.update(matched)
        return [info for info in self.rules if info.id in chosen]

    def enabled(self, enable: Iterable[str], disable: Iterable[str]) -> list[RuleInfo]:
        """The rules a repository's ``deprecation.enable``/``disable`` turn on.

        ``enable`` empty, or naming only opt-in families: every default rule, plus the opt-in
        rules it names. Otherwise only the rules it names. ``disable`` wins over both.
        """
        named = self.select(enable)
        base = [info for info in named if not opt_in(info)] or self.select(["all"])
        extra = {info.id for info in named if opt_in(info)}
        dropped = {info.id for info in self.select(disable)}
        chosen = {info.id for info in base} | extra
        return [info for info in self.rules if info.id in chosen and info.id not in dropped]


@functools.cache
def registered() -> Catalog:
    """The catalog of the rule classes (imports every rule, and so libcst)."""
    from codemods.registry import RULES

    return Catalog(tuple(rule.info for rule in RULES))


def packaged() -> Catalog | None:
    """The snapshot shipped with the rules, when it is this rule set's."""
    try:
        return from_json(json.loads(PACKAGED.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def write_packaged() -> None:
    """Rewrite the shipped snapshot from the rule classes (after editing a rule)."""
    text = json.dumps(to_json(registered()), indent=1, ensure_ascii=False)
    PACKAGED.write_text(text + "\n", encoding="utf-8")


def to_json(catalog: Catalog) -> dict[str, Any]:
    return {
        "version": ruleset_version(),
        "rules": [
            {
                **{name: getattr(info, name) for name in _PLAIN},
                "applies": [info.applies.python, info.applies.library, info.applies.versions],
                "safety": info.safety.value,
            }
            for info in catalog.rules
        ],
    }


def from_json(data: Any) -> Catalog | None:
    """The catalog a snapshot holds; ``None`` when it is another version's or malformed."""
    try:
        if data["version"] != ruleset_version():
            return None
        rules = []
        for item in data["rules"]:
            plain: dict[str, Any] = {
                name: tuple(item[name]) if name in _TUPLES else item[name] for name in _PLAIN
            }
            python, library, versions = item["applies"]
            applies = Applies(python=python, library=library, versions=versions)
            rules.append(RuleInfo(**plain, applies=applies, safety=Safety(item["safety"])))
        return Catalog(tuple(rules))
    except (KeyError, TypeError, ValueError):
        return None


_TUPLES = frozenset({"needles", "requires_any", "uses", "attrs", "text_values"})
_PLAIN = tuple(name for name in RuleInfo.__dataclass_fields__ if name not in ("applies", "safety"))


if __name__ == "__main__":
    write_packaged()
