"""MB214: the pydantic v1 API that has no mechanical v2 equivalent (report only).

Only on pydantic 2 (the manifests allow no v1), and only where the code provably uses pydantic:
``class Config`` inside one of the repository's models, ``pydantic.Field`` keywords that v2
renamed or dropped, the ``@validator``/``@root_validator`` decorators, ``parse_obj_as`` and the
v1 class methods that MB212 does not rewrite, called on one of the repository's models.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.metadata import FullyQualifiedNameProvider, ProviderT

from codemods.base import Rule, RuleRun
from codemods.helpers import SCOPED, qualified_names
from codemods.info import Applies, RuleInfo, Safety
from codemods.pydantic_v2_methods import full_names, model_oracle

FIELDS = frozenset({"pydantic.Field", "pydantic.fields.Field"})
FIELD_KEYWORDS = {
    "const": "a Literal[...] annotation",
    "regex": "pattern=",
    "min_items": "min_length=",
    "max_items": "max_length=",
    "unique_items": "a set annotation",
    "allow_mutation": "frozen=True (on the field, or model_config)",
}
DECORATORS = {
    "pydantic.validator": "@field_validator (a classmethod; pre=True becomes mode='before', "
    "each_item=True a validator on the item type)",
    "pydantic.class_validators.validator": "@field_validator",
    "pydantic.root_validator": "@model_validator(mode='before') or mode='after'",
    "pydantic.class_validators.root_validator": "@model_validator",
}
FUNCTIONS = {
    "pydantic.parse_obj_as": "pydantic.TypeAdapter(T).validate_python(value)",
    "pydantic.tools.parse_obj_as": "pydantic.TypeAdapter(T).validate_python(value)",
    "pydantic.parse_raw_as": "pydantic.TypeAdapter(T).validate_json(text)",
    "pydantic.tools.parse_raw_as": "pydantic.TypeAdapter(T).validate_json(text)",
}
CLASS_METHODS = {
    "parse_file": "Model.model_validate_json(path.read_text())",
    "from_orm": "Model.model_validate(obj) with model_config = ConfigDict(from_attributes=True)",
    "schema_json": "json.dumps(Model.model_json_schema())",
}
CONFIG = "model_config = ConfigDict(...) (several settings were renamed: orm_mode is " + (
    "from_attributes, allow_population_by_field_name is populate_by_name, …)"
)
WORDS = (
    "Config",
    *FIELD_KEYWORDS,
    "validator",
    "parse_obj_as",
    "parse_raw_as",
    *CLASS_METHODS,
)


class PydanticV1Api(Rule):
    info = RuleInfo(
        id="MB214",
        name="pydantic-v1-api",
        family="pydantic",
        summary="pydantic v1 API with no mechanical v2 equivalent: port it by hand",
        replaces="class Config, Field(const=, regex=, min_items=, …), @validator, "
        "@root_validator, parse_obj_as, Model.parse_file/from_orm/schema_json",
        replacement="model_config = ConfigDict(...), Field(pattern=, min_length=, …), "
        "@field_validator, @model_validator, TypeAdapter, Model.model_validate…",
        applies=Applies(library="pydantic", versions=">=2"),
        deprecated_since="pydantic 2.0",
        removed_in="pydantic 3.0",
        safety=Safety.REPORT_ONLY,
        link="https://docs.pydantic.dev/latest/migration/",
        needles=WORDS,
        text_filter="pydantic-api",
    )
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = (*SCOPED, FullyQualifiedNameProvider)

    def __init__(self, run: RuleRun) -> None:
        super().__init__(run)
        self.oracle = model_oracle(self)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        models = self.run.facts.pydantic_models
        if not full_names(self, node.name) & set(models):
            return
        for statement in node.body.body:
            if isinstance(statement, cst.ClassDef) and statement.name.value == "Config":
                self.record(statement, None, CONFIG)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        target = node.decorator
        func = target.func if isinstance(target, cst.Call) else target
        for name in qualified_names(self, func):
            if name in DECORATORS:
                self.record(node, None, DECORATORS[name])
                return

    def visit_Call(self, node: cst.Call) -> None:
        names = qualified_names(self, node.func)
        if names & FIELDS:
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in FIELD_KEYWORDS:
                    advice = (
                        f"{arg.keyword.value}= is gone: use {FIELD_KEYWORDS[arg.keyword.value]}"
                    )
                    self.record(node, None, advice)
            return
        for name in names:
            if name in FUNCTIONS:
                self.record(node, None, FUNCTIONS[name])
                return
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in CLASS_METHODS:
            model = self.oracle.class_type(func.value)
            if (
                model is not None
                and func.attr.value not in self.run.facts.pydantic_models[model].defines
            ):
                self.record(node, None, CLASS_METHODS[func.attr.value])
