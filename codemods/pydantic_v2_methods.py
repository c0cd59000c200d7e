"""MB212: pydantic v1 model methods → their v2 names, only on provable pydantic models.

The receiver must be a model class defined in the repository (``ProjectFacts``) or an
instance made by calling one, a parameter annotated with one, or ``self`` in one. Anything
else that happens to have a ``.json()`` (a ``requests`` response) is never touched.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import FullyQualifiedNameProvider, ProviderT

from codemods.base import Rule, RuleRun
from codemods.helpers import SCOPED, TypeOracle, TypeRules, positional
from codemods.info import Applies, RuleInfo, Safety

DUMP_OPTIONS = frozenset(
    {"include", "exclude", "by_alias", "exclude_unset", "exclude_defaults", "exclude_none"}
)
INSTANCE = {
    "dict": ("model_dump", DUMP_OPTIONS, 0),
    "json": ("model_dump_json", DUMP_OPTIONS | {"indent"}, 0),
    "copy": ("model_copy", frozenset({"update", "deep"}), 0),
}
CLASS = {
    "parse_obj": ("model_validate", frozenset(), 1),
    "validate": ("model_validate", frozenset(), 1),
    "parse_raw": ("model_validate_json", frozenset(), 1),
    "construct": ("model_construct", frozenset({"_fields_set"}), 0),
    "schema": ("model_json_schema", frozenset({"by_alias", "ref_template"}), 0),
    "update_forward_refs": ("model_rebuild", frozenset(), 0),
}


def full_names(rule: Rule, node: cst.CSTNode) -> set[str]:
    return {q.name for q in rule.get_metadata(FullyQualifiedNameProvider, node, set())}


def model_oracle(rule: Rule) -> TypeOracle:
    """Proves that an expression is one of the repository's models (or an instance of one)."""
    models = rule.run.facts.pydantic_models
    return TypeOracle(
        rule,
        TypeRules(classes={name: name for name in models}),
        names=lambda node: full_names(rule, node),
    )


class PydanticV2Methods(Rule):
    info = RuleInfo(
        id="MB212",
        name="pydantic-v2-methods",
        family="pydantic",
        summary="Call the pydantic v2 model methods instead of the deprecated v1 names",
        replaces="model.dict(), model.json(), model.copy(), Model.parse_obj(), "
        "Model.parse_raw(), Model.construct(), Model.schema(), Model.update_forward_refs()",
        replacement="model.model_dump(), model.model_dump_json(), model.model_copy(), "
        "Model.model_validate(), Model.model_validate_json(), Model.model_construct(), "
        "Model.model_json_schema(), Model.model_rebuild()",
        applies=Applies(library="pydantic", versions=">=2"),
        deprecated_since="pydantic 2.0",
        removed_in="pydantic 3.0",
        safety=Safety.SAFE,
        link="https://docs.pydantic.dev/latest/migration/#changes-to-pydanticbasemodel",
        needles=tuple(f".{name}(" for name in (*INSTANCE, *CLASS)),
        text_filter="model-methods",
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = (*SCOPED, FullyQualifiedNameProvider)

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self.oracle = model_oracle(self)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute) or not isinstance(updated_node.func, cst.Attribute):
            return updated_node
        method = func.attr.value
        if method not in INSTANCE and method not in CLASS:
            return updated_node
        model = None
        table = INSTANCE if method in INSTANCE else CLASS
        if method in INSTANCE:
            model = self.oracle.type_of(func.value)
        else:
            model = self.oracle.class_type(func.value)
        if model is None or method in self.run.facts.pydantic_models[model].defines:
            return updated_node
        new_name, options, positionals = table[method]
        args = original_node.args
        if len(positional(original_node)) != positionals or any(a.star for a in args):
            return updated_node
        if any(a.keyword is not None and a.keyword.value not in options for a in args):
            return updated_node
        replacement = updated_node.with_changes(
            func=updated_node.func.with_changes(attr=cst.Name(new_name))
        )
        self.record(original_node, replacement)
        return replacement
