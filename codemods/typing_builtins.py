"""MB112: ``typing.List``/``Dict``/… → ``list``/``dict``/… and ``collections`` (PEP 585)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

BUILTIN = {
    "List": "list",
    "Dict": "dict",
    "Set": "set",
    "FrozenSet": "frozenset",
    "Tuple": "tuple",
    "Type": "type",
}
COLLECTIONS = {
    "Deque": "deque",
    "DefaultDict": "defaultdict",
    "OrderedDict": "OrderedDict",
    "Counter": "Counter",
    "ChainMap": "ChainMap",
}


class TypingBuiltins(RenameRule):
    info = RuleInfo(
        id="MB112",
        name="typing-builtin-generics",
        family="modernize",
        summary="Use the builtin and collections generics instead of the typing aliases",
        replaces="typing.List, typing.Dict, typing.Set, typing.Tuple, typing.Deque, …",
        replacement="list, dict, set, tuple, collections.deque, …",
        applies=Applies(python="3.9"),
        deprecated_since="Python 3.9",
        removed_in=None,
        safety=Safety.SAFE,
        link="https://peps.python.org/pep-0585/",
        needles=(*BUILTIN, *COLLECTIONS),
        requires_any=("typing",),
    )
    renames: ClassVar[dict[str, str]] = {
        **{f"typing.{old}": f"builtins.{new}" for old, new in BUILTIN.items()},
        **{f"typing.{old}": f"collections.{new}" for old, new in COLLECTIONS.items()},
    }
