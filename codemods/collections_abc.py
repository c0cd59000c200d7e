"""MB103: ``collections.Mapping`` and the other ABC aliases → ``collections.abc``."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

ABCS = [
    "Awaitable",
    "Coroutine",
    "AsyncIterable",
    "AsyncIterator",
    "AsyncGenerator",
    "Hashable",
    "Iterable",
    "Iterator",
    "Generator",
    "Reversible",
    "Sized",
    "Container",
    "Callable",
    "Collection",
    "Set",
    "MutableSet",
    "Mapping",
    "MutableMapping",
    "MappingView",
    "KeysView",
    "ItemsView",
    "ValuesView",
    "Sequence",
    "MutableSequence",
    "ByteString",
]


class CollectionsAbc(RenameRule):
    info = RuleInfo(
        id="MB103",
        name="collections-abc",
        family="collections",
        summary="Import the collection ABCs from collections.abc",
        replaces="collections.Mapping, collections.Iterable, … (ABC aliases)",
        replacement="collections.abc.Mapping, collections.abc.Iterable, …",
        applies=Applies(python="3.3"),
        deprecated_since="Python 3.3",
        removed_in="Python 3.10",
        safety=Safety.SAFE,
        link="https://docs.python.org/3/whatsnew/3.10.html#removed",
        needles=tuple(ABCS),
        requires_any=("collections",),
    )
    renames: ClassVar[dict[str, str]] = {
        f"collections.{name}": f"collections.abc.{name}" for name in ABCS
    }
