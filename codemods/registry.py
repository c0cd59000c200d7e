"""Every rule class, in a fixed order (the order rules run in one pass).

Choosing rules by id, name or family works on their metadata: `codemods.catalog`.
"""

from __future__ import annotations

from collections.abc import Iterable

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
from codemods.info import RuleInfo
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


def classes(rules: Iterable[RuleInfo]) -> list[type[Rule]]:
    """The rule classes of these rules' metadata (`codemods.catalog`)."""
    return [BY_ID[info.id] for info in rules]
