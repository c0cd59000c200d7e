"""MB203: the type and constant aliases NumPy 2.0 removed (``np.NaN``, ``np.float_``, …)."""

from __future__ import annotations

from typing import ClassVar

from codemods.info import Applies, RuleInfo, Safety
from codemods.rename import RenameRule

ALIASES = {
    "NaN": "nan",
    "NAN": "nan",
    "Inf": "inf",
    "Infinity": "inf",
    "infty": "inf",
    "PINF": "inf",
    "float_": "float64",
    "complex_": "complex128",
    "cfloat": "complex128",
    "singlecomplex": "complex64",
    "longfloat": "longdouble",
    "clongfloat": "clongdouble",
    "longcomplex": "clongdouble",
    "unicode_": "str_",
    "string_": "bytes_",
}


class Numpy2Aliases(RenameRule):
    info = RuleInfo(
        id="MB203",
        name="numpy2-aliases",
        family="numpy",
        summary="Use the canonical NumPy names NumPy 2.0 kept (np.nan, np.inf, np.float64, …)",
        replaces="np.NaN, np.Inf, np.float_, np.complex_, np.unicode_, np.string_, …",
        replacement="np.nan, np.inf, np.float64, np.complex128, np.str_, np.bytes_, …",
        applies=Applies(library="numpy"),
        deprecated_since="NumPy 2.0 (expired aliases)",
        removed_in="NumPy 2.0",
        safety=Safety.SAFE,
        link="https://numpy.org/devdocs/numpy_2_0_migration_guide.html#main-namespace",
        needles=tuple(ALIASES),
        requires_any=("numpy",),
    )
    renames: ClassVar[dict[str, str]] = {
        f"numpy.{old}": f"numpy.{new}" for old, new in ALIASES.items()
    }
