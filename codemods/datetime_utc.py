"""MB109/MB110 helpers: naive-UTC replacements for ``utcnow()`` and ``utcfromtimestamp()``."""

from __future__ import annotations

import libcst as cst

from codemods.base import Rule
from codemods.helpers import name_reference, qualified_name


def utc_expression(rule: Rule, call: cst.Call) -> cst.BaseExpression | None:
    """``datetime.timezone.utc`` reached the way the file reaches ``datetime``, or ``None``.

    With ``import datetime`` that is ``datetime.timezone.utc``; with ``from datetime import
    datetime`` it is ``timezone.utc`` plus ``from datetime import timezone``, unless the name
    ``timezone`` is taken (say, by ``django.utils.timezone``): then the call is left alone.
    """
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute):
        module = func.value.value
        if qualified_name(rule, module) == "datetime":
            return cst.Attribute(
                value=cst.Attribute(value=module, attr=cst.Name("timezone")), attr=cst.Name("utc")
            )
    timezone = name_reference(rule, call, "datetime", "timezone")
    if timezone is None:
        return None
    return cst.Attribute(value=timezone, attr=cst.Name("utc"))


def naive(call: cst.Call) -> cst.Call:
    """``call.replace(tzinfo=None)``: drop the zone again to keep naive semantics."""
    return cst.Call(
        func=cst.Attribute(value=call, attr=cst.Name("replace")),
        args=[
            cst.Arg(
                keyword=cst.Name("tzinfo"),
                value=cst.Name("None"),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        ],
    )
