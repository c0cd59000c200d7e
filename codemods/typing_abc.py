"""MB113: ``typing.Callable``/``Iterable``/… → ``collections.abc`` (PEP 585)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

SAME = [
    "Awaitable",
    "Coroutine",
    "AsyncIterable",
    "AsyncIterator",
    "AsyncGenerator",
    "Iterable",
    "Iterator",
    "Generator",
    "Reversible",
    "Container",
    "Collection",
    "Callable",
    "MutableSet",
    "Mapping",
    "MutableMapping",
    "Sequence",
    "MutableSequence",
    "MappingView",
    "KeysView",
    "ItemsView",
    "ValuesView",
    "Hashable",
    "Sized",
]


class TypingAbc(RenameRule):
    info = RuleInfo(
        id="MB113",
        name="typing-abc-generics",
        family="modernize",
        summary="Import the abstract collection types from collections.abc, not typing",
        replaces="typing.Callable, typing.Iterable, typing.Mapping, typing.AbstractSet, …",
        replacement="collections.abc.Callable, collections.abc.Iterable, …",
        applies=Applies(python="3.10"),
        deprecated_since="Python 3.9",
        removed_in=None,
        safety=Safety.SAFE,
        link="https://peps.python.org/pep-0585/",
        needles=(*SAME, "AbstractSet"),
        requires_any=("typing",),
    )
    renames: ClassVar[dict[str, str]] = {
        **{f"typing.{name}": f"collections.abc.{name}" for name in SAME},
        "typing.AbstractSet": "collections.abc.Set",
    }
