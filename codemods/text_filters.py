"""The rules' text pre-filters: may a file's bytes hold something for a rule?

A pre-filter needs only the rule's metadata (`codemods.info.RuleInfo`), never the rule class,
so a scan whose files are all cached decides which files to look up without importing libcst.
By default a file must contain one of the rule's ``needles`` and, when it has them, one of its
``requires_any``; a rule with a ``text_filter`` adds a sharper test named here. A pre-filter
may keep a file the rule then leaves alone, never the reverse.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from codemods.info import ProjectFacts, RuleInfo, parse_python

# "imp" is a prefix of "import": look for the module itself, not the word.
_IMPORTS_IMP = re.compile(
    rb"(?m)^[ \t]*(?:from[ \t]+imp[ \t]+import|import[ \t][^#\n]*\bimp\b(?!\.))"
)
_IMP_WORD = re.compile(rb"imp\b")
"""What every match of `_IMPORTS_IMP` holds; a literal start, so searched 20 times faster."""
_HASATTR = re.compile(rb"""hasattr\(\s*[\w.]+\s*,\s*['"](\w+)['"]\s*\)""")
HASATTR_NEEDLE = "hasattr("


def names_a_model(data: bytes, facts: ProjectFacts) -> bool:
    """Does the file spell the name of one of the repository's pydantic models?"""
    return any(m.rsplit(".", 1)[-1].encode() in data for m in facts.pydantic_models)


@functools.cache
def _encoded(info: RuleInfo) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    return tuple(n.encode() for n in info.needles), tuple(w.encode() for w in info.requires_any)


@functools.cache
def _searched(
    needles: tuple[str, ...], required: tuple[str, ...]
) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """The needles and ``requires_any`` as the search for them goes: the group with fewer
    words first (a file lacking all of them costs one pass per word, and then the other group
    is not searched), each without a word that holds another of its group (``failUnless``
    covers ``failUnlessEqual``). Cached by the words, not the `RuleInfo`: hashing a whole
    `RuleInfo` once per file and rule costs more than the search of many files."""
    found, wanted = _shortest(needles), _shortest(required)
    return (wanted, found) if wanted and len(wanted) < len(found) else (found, wanted)


def _shortest(words: tuple[str, ...]) -> tuple[bytes, ...]:
    """The words none of the others is part of: a text holds one of ``words`` exactly when it
    holds one of these."""
    unique = tuple(dict.fromkeys(word.encode() for word in words))
    return tuple(w for w in unique if not any(o != w and o in w for o in unique))


@functools.cache
def _encoded_values(info: RuleInfo) -> frozenset[bytes]:
    return frozenset(value.encode() for value in info.text_values)


def needles(info: RuleInfo, data: bytes, facts: ProjectFacts) -> bool:
    """One of the needles and, when the rule has them, one of ``requires_any``."""
    first, then = _searched(info.needles, info.requires_any)
    if not any(word in data for word in first):
        return False
    return not then or any(word in data for word in then)


def model_methods(info: RuleInfo, data: bytes, facts: ProjectFacts) -> bool:
    """Needles, in a file that names one of the repository's models (only those have them)."""
    return needles(info, data, facts) and names_a_model(data, facts)


def pydantic_api(info: RuleInfo, data: bytes, facts: ProjectFacts) -> bool:
    """Needles, in a file that mentions pydantic or names one of the repository's models."""
    return needles(info, data, facts) and (b"pydantic" in data or names_a_model(data, facts))


def compat_guards(info: RuleInfo, data: bytes, facts: ProjectFacts) -> bool:
    """Needles, but ``hasattr(x, "name")`` only for a name in ``text_values`` (a name whose
    availability is known: ``hasattr`` is everywhere); nothing without a known oldest Python."""
    if parse_python(facts.python) is None:
        return False
    found, _ = _encoded(info)
    if any(needle in data for needle in found if needle != HASATTR_NEEDLE.encode()):
        return True
    known = _encoded_values(info)
    return HASATTR_NEEDLE.encode() in data and any(
        match.group(1) in known for match in _HASATTR.finditer(data)
    )


def imports_imp(info: RuleInfo, data: bytes, facts: ProjectFacts) -> bool:
    """The file imports the ``imp`` module itself (not merely the word "import")."""
    return _IMP_WORD.search(data) is not None and _IMPORTS_IMP.search(data) is not None


TextFilter = Callable[[RuleInfo, bytes, ProjectFacts], bool]
FILTERS: dict[str, TextFilter] = {
    "": needles,
    "model-methods": model_methods,
    "pydantic-api": pydantic_api,
    "compat-guards": compat_guards,
    "imports-imp": imports_imp,
}


def wants(info: RuleInfo, data: bytes, facts: ProjectFacts) -> bool:
    """May this file contain something for this rule?"""
    return FILTERS[info.text_filter](info, data, facts)


def wanted(data: bytes, rules: Sequence[RuleInfo], facts: ProjectFacts) -> list[RuleInfo]:
    """The rules whose pre-filter keeps the file."""
    return [info for info in rules if wants(info, data, facts)]
