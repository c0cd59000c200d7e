"""Every rule, in a fixed order (the order rules run in one pass), and lookups over them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from codemods.ast_constant import AstConstant
from codemods.asyncio_running_loop import AsyncioRunningLoop
from codemods.base import Rule
from codemods.base64_bytes import Base64Bytes
from codemods.celementtree import CElementTree
from codemods.cgi_escape import CgiEscape
from codemods.collections_abc import CollectionsAbc
from codemods.compat_guards import ObsoleteCompatGuard
from codemods.configparser_readfp import ReadFp
from codemods.configparser_safe import SafeConfigParser
from codemods.datetime_utcfromtimestamp import DatetimeUtcfromtimestamp
from codemods.datetime_utcnow import DatetimeUtcnow
from codemods.datetime_utcnow_reference import DatetimeUtcnowReference
from codemods.distutils_find_executable import FindExecutable
from codemods.distutils_uses import DistutilsUses
from codemods.django_force_text import DjangoForceText
from codemods.django_translation import DjangoTranslation
from codemods.django_url import DjangoUrl
from codemods.imp_reload import ImpReload
from codemods.imp_uses import ImpUses
from codemods.inspect_getargspec import InspectGetargspec
from codemods.jinja2_markupsafe import Jinja2Markupsafe
from codemods.jinja2_pass_context import Jinja2PassContext
from codemods.json_encoding import JsonEncoding
from codemods.locale_format import LocaleFormat
from codemods.logging_warn import LoggingWarn
from codemods.numpy2_aliases import Numpy2Aliases
from codemods.numpy2_functions import Numpy2Functions
from codemods.numpy_bool import NumpyBool
from codemods.numpy_builtin_aliases import NumpyBuiltinAliases
from codemods.pandas_iteritems import PandasIteritems
from codemods.pipes_quote import PipesQuote
from codemods.pkg_resources_uses import PkgResourcesUses
from codemods.pkg_resources_version import PkgResourcesVersion
from codemods.pydantic_v1_api import PydanticV1Api
from codemods.pydantic_v2_methods import PydanticV2Methods
from codemods.pytest_raises_message import PytestRaisesMessage
from codemods.sqlalchemy_select_list import SelectList
from codemods.threading_functions import ThreadingFunctions
from codemods.threading_methods import ThreadingMethods
from codemods.typing_abc import TypingAbc
from codemods.typing_builtins import TypingBuiltins
from codemods.unittest_aliases import UnittestAliases
from codemods.unittest_dict_subset import AssertDictContainsSubset
from codemods.unittest_make_suite import UnittestMakeSuite
from codemods.werkzeug_safe_str_cmp import WerkzeugSafeStrCmp

RULES: tuple[type[Rule], ...] = (
    UnittestAliases,
    AssertDictContainsSubset,
    CollectionsAbc,
    LoggingWarn,
    SafeConfigParser,
    ReadFp,
    ThreadingFunctions,
    ThreadingMethods,
    DatetimeUtcnow,
    DatetimeUtcfromtimestamp,
    DatetimeUtcnowReference,
    AsyncioRunningLoop,
    TypingBuiltins,
    TypingAbc,
    ImpReload,
    PkgResourcesVersion,
    PkgResourcesUses,
    ImpUses,
    InspectGetargspec,
    FindExecutable,
    DistutilsUses,
    UnittestMakeSuite,
    Base64Bytes,
    CgiEscape,
    AstConstant,
    LocaleFormat,
    PipesQuote,
    JsonEncoding,
    ObsoleteCompatGuard,
    CElementTree,
    NumpyBuiltinAliases,
    NumpyBool,
    Numpy2Aliases,
    Numpy2Functions,
    PandasIteritems,
    Jinja2Markupsafe,
    Jinja2PassContext,
    WerkzeugSafeStrCmp,
    SelectList,
    DjangoTranslation,
    DjangoForceText,
    DjangoUrl,
    PydanticV2Methods,
    PydanticV1Api,
    PytestRaisesMessage,
)

BY_ID: dict[str, type[Rule]] = {rule.info.id: rule for rule in RULES}
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(rule.info.family for rule in RULES))
OPT_IN_FAMILIES: frozenset[str] = frozenset({"modernize"})
"""Families that run only when named: they modernise style, nothing in them is deprecated."""


def opt_in(rule: type[Rule]) -> bool:
    return rule.info.family in OPT_IN_FAMILIES


class UnknownRule(KeyError):
    """A rule id or family that is not in the registry."""


def select(names: Iterable[str]) -> list[type[Rule]]:
    """Rules named by id (``MB101``), short name (``unittest-aliases``) or family, or ``all``
    (every rule outside the opt-in families, which run only when named)."""
    chosen: dict[str, type[Rule]] = {}
    for name in names:
        matched = [
            rule
            for rule in RULES
            if name in (rule.info.id, rule.info.name, rule.info.family)
            or (name == "all" and not opt_in(rule))
        ]
        if not matched:
            raise UnknownRule(name)
        chosen.update((rule.info.id, rule) for rule in matched)
    return [rule for rule in RULES if rule.info.id in chosen]


def enabled(enable: Iterable[str], disable: Iterable[str]) -> list[type[Rule]]:
    """The rules a repository's ``deprecation.enable``/``disable`` turn on.

    ``enable`` empty, or naming only opt-in families: every default rule, plus the opt-in
    rules it names. Otherwise only the rules it names. ``disable`` wins over both.
    """
    named = select(enable)
    base = [rule for rule in named if not opt_in(rule)] or select(["all"])
    extra = {rule.info.id for rule in named if opt_in(rule)}
    dropped = {rule.info.id for rule in select(disable)}
    chosen = {rule.info.id for rule in base} | extra
    return [rule for rule in RULES if rule.info.id in chosen and rule.info.id not in dropped]


def ruleset_version() -> str:
    """A hash of the codemods' source: any change to a rule invalidates cached results."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
