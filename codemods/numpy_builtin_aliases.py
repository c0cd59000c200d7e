"""MB201: ``np.float``/``np.int``/``np.object``/… → the builtins they were (removed in 1.24)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

ALIASES = {
    "float": "float",
    "int": "int",
    "object": "object",
    "complex": "complex",
    "str": "str",
    "long": "int",
    "unicode": "str",
}


class NumpyBuiltinAliases(RenameRule):
    info = RuleInfo(
        id="MB201",
        name="numpy-builtin-aliases",
        family="numpy",
        summary="Use the builtins that np.float, np.int, np.object, … were aliases of",
        replaces="np.float, np.int, np.object, np.complex, np.str, np.long, np.unicode",
        replacement="float, int, object, complex, str, int, str",
        applies=Applies(library="numpy"),
        deprecated_since="NumPy 1.20",
        removed_in="NumPy 1.24",
        safety=Safety.SAFE,
        link="https://numpy.org/devdocs/release/1.20.0-notes.html#deprecations",
        needles=tuple(f".{name}" for name in ALIASES) + tuple(f" {name}" for name in ALIASES),
        requires_any=("numpy",),
    )
    renames: ClassVar[dict[str, str]] = {
        f"numpy.{old}": f"builtins.{new}" for old, new in ALIASES.items()
    }
