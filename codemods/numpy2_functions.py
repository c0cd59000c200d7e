"""MB204: the function aliases NumPy 2.0 removed (``np.product``, ``np.alltrue``, …)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

ALIASES = {
    "product": "prod",
    "cumproduct": "cumprod",
    "sometrue": "any",
    "alltrue": "all",
    "round_": "round",
}


class Numpy2Functions(RenameRule):
    info = RuleInfo(
        id="MB204",
        name="numpy2-functions",
        family="numpy",
        summary="Call np.prod, np.cumprod, np.any, np.all, np.round instead of removed aliases",
        replaces="np.product, np.cumproduct, np.sometrue, np.alltrue, np.round_",
        replacement="np.prod, np.cumprod, np.any, np.all, np.round",
        applies=Applies(library="numpy"),
        deprecated_since="NumPy 1.25",
        removed_in="NumPy 2.0",
        safety=Safety.SAFE,
        link="https://numpy.org/devdocs/numpy_2_0_migration_guide.html#main-namespace",
        needles=tuple(ALIASES),
        requires_any=("numpy",),
    )
    renames: ClassVar[dict[str, str]] = {
        f"numpy.{old}": f"numpy.{new}" for old, new in ALIASES.items()
    }
