"""What exists on which Python: the facts behind compatibility guards, as plain data.

Since which Python a standard-library name exists (`import_available`), what a
``sys.version_info`` test evaluates to from an oldest Python on (`version_test_value`) and the
six-style ``PY2``/``PY3`` flags. Nothing here imports libcst: the guards (`codemods.guards`, the
libcst side) and the ``ast`` pre-filter (`codemods.prefilter`, which runs in a scan that may
never import libcst) share these answers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any

PY2 = frozenset({"six.PY2", "django.utils.six.PY2", "future.utils.PY2"})
PY3 = frozenset({"six.PY3", "django.utils.six.PY3", "future.utils.PY3"})
SIX = PY2 | PY3

# Since which Python a stdlib module or name exists (everything here is still present).
# Only what is listed counts as available: anything else keeps its guard.
_ABCS_33 = (
    "Hashable Iterable Iterator Generator Sized Container Callable Set MutableSet Mapping "
    "MutableMapping MappingView KeysView ItemsView ValuesView Sequence MutableSequence"
)
AVAILABLE: dict[str, tuple[int, int]] = {
    **{f"collections.abc.{n}": (3, 3) for n in _ABCS_33.split()},
    **{
        f"collections.abc.{n}": (3, 5)
        for n in ("Awaitable", "Coroutine", "AsyncIterable", "AsyncIterator")
    },
    **{f"collections.abc.{n}": (3, 6) for n in ("AsyncGenerator", "Collection", "Reversible")},
    "collections.abc": (3, 3),
    "collections.OrderedDict": (3, 0),
    "collections.Counter": (3, 1),
    "collections.ChainMap": (3, 3),
    "builtins": (3, 0),
    "queue": (3, 0),
    "queue.Queue": (3, 0),
    "configparser": (3, 0),
    "configparser.ConfigParser": (3, 0),
    "io": (3, 0),
    "io.StringIO": (3, 0),
    "io.BytesIO": (3, 0),
    "pickle": (3, 0),
    "html": (3, 0),
    "html.escape": (3, 2),
    "html.parser": (3, 0),
    "http.client": (3, 0),
    "http.cookies": (3, 0),
    "urllib.parse": (3, 0),
    "urllib.request": (3, 0),
    "urllib.error": (3, 0),
    "itertools.zip_longest": (3, 0),
    "inspect.getfullargspec": (3, 0),
    "inspect.signature": (3, 3),
    "shlex.quote": (3, 3),
    "shutil.which": (3, 3),
    "shutil.get_terminal_size": (3, 3),
    "functools.lru_cache": (3, 2),
    "functools.singledispatch": (3, 4),
    "functools.cached_property": (3, 8),
    "contextlib.suppress": (3, 4),
    "contextlib.nullcontext": (3, 7),
    "contextlib.ExitStack": (3, 3),
    "datetime.timezone": (3, 2),
    "importlib": (3, 0),
    "importlib.reload": (3, 4),
    "importlib.import_module": (3, 0),
    "importlib.metadata": (3, 8),
    **{
        f"importlib.metadata.{n}": (3, 8)
        for n in ("version", "distribution", "entry_points", "metadata", "PackageNotFoundError")
    },
    "importlib.resources": (3, 7),
    "importlib.resources.files": (3, 9),
    "unittest.mock": (3, 3),
    **{
        f"unittest.mock.{n}": (3, 3)
        for n in ("Mock", "MagicMock", "patch", "call", "ANY", "sentinel", "mock_open")
    },
    "pathlib": (3, 4),
    "enum": (3, 4),
    "asyncio": (3, 4),
    "typing": (3, 5),
    "secrets": (3, 6),
    "dataclasses": (3, 7),
    "contextvars": (3, 7),
    "zoneinfo": (3, 9),
    "graphlib": (3, 9),
    "tomllib": (3, 11),
    "math.isclose": (3, 5),
    "os.scandir": (3, 5),
    "subprocess.DEVNULL": (3, 3),
    "json.JSONDecodeError": (3, 5),
}


def import_available(name: str, floor: tuple[int, int]) -> bool:
    """Does the stdlib module or name ``name`` exist on every Python from ``floor`` on?"""
    since = AVAILABLE.get(name)
    return since is not None and since <= floor


# -- what a version test evaluates to on the target Pythons --------------------------------

VERSION_FIELDS = {"major": 0, "minor": 1, "micro": 2}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
Literal = int | tuple[int, ...]
VERSION_TEST = "sys.version_info?"
"""The ast pre-filter's token for a version test: ``sys.version_info?<read>?<op>?<literal>``
(a tuple literal ends in a comma)."""


def version_part(read: str) -> Callable[[tuple[int, int, int]], Any] | None:
    """How a test reads ``sys.version_info``: ``""`` (all), ``"[0]"``, ``"[:2]"``, ``".minor"``."""
    if read == "":
        return lambda v: v
    if read.startswith(".") and read[1:] in VERSION_FIELDS:
        index = VERSION_FIELDS[read[1:]]
        return lambda v: v[index]
    if read in ("[0]", "[1]", "[2]"):
        at = int(read[1])
        return lambda v: v[at]
    if read in ("[:1]", "[:2]", "[:3]"):
        end = int(read[2])
        return lambda v: v[:end]
    return None


def version_test_value(read: str, op: str, literal: Literal, floor: tuple[int, int]) -> bool | None:
    """The value of ``sys.version_info<read> <op> <literal>`` on every Python from ``floor``
    on, or ``None`` if it varies. Shared by the libcst rule and the ast pre-filter."""
    part = version_part(read)
    compare = _COMPARE.get(op)
    if part is None or compare is None:
        return None
    results = set()
    for python in _pythons_from(floor):
        try:
            results.add(bool(compare(part(python), literal)))
        except TypeError:
            return None
    return results.pop() if len(results) == 1 else None


def version_token_value(token: str, floor: tuple[int, int]) -> bool | None:
    """`version_test_value` of a `VERSION_TEST` token (the ``ast`` pre-filter's spelling)."""
    _, read, op, literal = token.split("?")
    values = tuple(int(v) for v in literal.rstrip(",").split(",") if v)
    value: Literal = values if literal.endswith(",") else values[0]
    return version_test_value(read, op, value, floor)


def _pythons_from(floor: tuple[int, int]) -> Iterable[tuple[int, int, int]]:
    for minor in range(floor[1], 41):
        yield (3, minor, 0)
        yield (3, minor, 99)
    yield (4, 0, 0)
