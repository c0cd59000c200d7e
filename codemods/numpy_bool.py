"""MB202: ``np.bool`` → ``bool`` for NumPy 1.x code (NumPy 2 brought ``np.bool`` back)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule


class NumpyBool(RenameRule):
    info = RuleInfo(
        id="MB202",
        name="numpy-bool",
        family="numpy",
        summary="Use bool instead of np.bool on NumPy 1.x (removed in 1.24)",
        replaces="np.bool",
        replacement="bool",
        # NumPy 2.0 re-added np.bool as the NumPy boolean scalar type (np.bool_): code that
        # may run on NumPy >= 2 can mean that type, so the rule applies only below 2.
        applies=Applies(library="numpy", versions="<2"),
        deprecated_since="NumPy 1.20",
        removed_in="NumPy 1.24",
        safety=Safety.SAFE,
        link="https://numpy.org/devdocs/release/1.20.0-notes.html#deprecations",
        needles=("bool",),
        requires_any=("numpy",),
    )
    renames: ClassVar[dict[str, str]] = {"numpy.bool": "builtins.bool"}
