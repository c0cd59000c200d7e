"""MB205: ``DataFrame.iteritems()``/``Series.iteritems()`` → ``items()`` (removed in 2.0)."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule, RuleRun
from codemods.helpers import SCOPED, TypeOracle, TypeRules
from codemods.info import Applies, RuleInfo, Safety

FRAME = "pandas.NDFrame"
READERS = (
    "read_csv",
    "read_excel",
    "read_json",
    "read_parquet",
    "read_sql",
    "read_table",
    "read_pickle",
    "read_feather",
    "read_hdf",
    "read_html",
    "concat",
    "merge",
)
PANDAS = TypeRules(
    factories={f"pandas.{name}": FRAME for name in READERS},
    classes={
        "pandas.DataFrame": FRAME,
        "pandas.Series": FRAME,
        "pandas.core.frame.DataFrame": FRAME,
        "pandas.core.series.Series": FRAME,
    },
    subscript={FRAME: FRAME},
)


class PandasIteritems(Rule):
    info = RuleInfo(
        id="MB205",
        name="pandas-iteritems",
        family="pandas",
        summary="Iterate pandas objects with items(); iteritems() was removed in pandas 2.0",
        replaces="df.iteritems(), series.iteritems()",
        replacement="df.items(), series.items()",
        applies=Applies(library="pandas"),
        deprecated_since="pandas 1.5",
        removed_in="pandas 2.0",
        safety=Safety.SAFE,
        link="https://pandas.pydata.org/docs/whatsnew/v2.0.0.html#removal-of-prior-version-deprecations-changes",
        needles=(".iteritems(",),
        requires_any=("pandas",),
        uses=(*PANDAS.factories, *PANDAS.classes),
        attrs=("iteritems",),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self.oracle = TypeOracle(self, PANDAS)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "iteritems":
            return updated_node
        if original_node.args or not isinstance(updated_node.func, cst.Attribute):
            return updated_node
        if self.oracle.type_of(func.value) != FRAME:
            return updated_node
        replacement = updated_node.with_changes(
            func=updated_node.func.with_changes(attr=cst.Name("items"))
        )
        self.record(original_node, replacement)
        return replacement
