"""MB126: ``datetime.utcnow`` passed as a callable (``default=datetime.utcnow``): report only.

A call can be rewritten in place (MB109); a reference cannot without a lambda, and a lambda
breaks what serialises the callable (Django migrations, pickled defaults). So these are
reported for a hand-written named function.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from codemods.base import Rule, RuleRun
from codemods.helpers import SCOPED, qualified_name
from codemods.info import Applies, RuleInfo, Safety

OLD = frozenset({"datetime.datetime.utcnow", "datetime.datetime.utcfromtimestamp"})


class DatetimeUtcnowReference(Rule):
    info = RuleInfo(
        id="MB126",
        name="datetime-utcnow-reference",
        family="datetime",
        summary="datetime.utcnow passed as a callable: replace it with a named function",
        replaces="Column(default=datetime.utcnow), Field(default_factory=datetime.utcnow)",
        replacement="a module-level def utc_now() returning "
        "datetime.now(timezone.utc).replace(tzinfo=None)",
        applies=Applies(),
        deprecated_since="Python 3.12",
        removed_in=None,
        safety=Safety.REPORT_ONLY,
        link="https://docs.python.org/3/library/datetime.html#datetime.datetime.utcnow",
        needles=("utcnow", "utcfromtimestamp"),
        uses=tuple(sorted(OLD)),
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = SCOPED

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self._called: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        self._called.add(id(node.func))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._check(node)

    def visit_Name(self, node: cst.Name) -> None:
        self._check(node)

    def _check(self, node: cst.Attribute | cst.Name) -> None:
        if id(node) in self._called or qualified_name(self, node) not in OLD:
            return
        parent = self.parent(node)
        if isinstance(parent, cst.Attribute | cst.ImportAlias) or (
            isinstance(parent, cst.Call) and parent.func is node
        ):
            return  # part of a longer dotted name, an import, or a call
        self.record(node, None)
