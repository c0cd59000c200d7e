"""The likely cause of a flaky test, from its code and its failure messages.

Categories are Luo et al.'s ("An Empirical Analysis of Flaky Tests", FSE 2014). The code is read
with the stdlib ``ast`` only: the test's file is repository content, never imported or run.
Every cause names its evidence: the lines of code (or the failure message) that point to it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

MAX_EVIDENCE = 5
_TEXT_CHARS = 200


class Category(StrEnum):
    TEST_ORDER = "test-order-dependency"
    RANDOMNESS = "randomness"
    TIME = "time"
    UNORDERED_COLLECTION = "unordered-collection"
    NETWORK = "network"
    ASYNC_WAIT = "async-wait"
    CONCURRENCY = "concurrency"
    FLOATING_POINT = "floating-point"
    RESOURCE_LEAK = "resource-leak"


_PRIORITY = list(Category)  # ties go to the earlier, more specific category


@dataclass(frozen=True)
class Evidence:
    file: str | None
    line: int | None
    text: str


@dataclass(frozen=True)
class Cause:
    category: Category
    evidence: tuple[Evidence, ...]


RANDOM_CALLS = {
    "random",
    "randint",
    "randrange",
    "choice",
    "choices",
    "shuffle",
    "sample",
    "uniform",
    "gauss",
    "getrandbits",
}
_TIME_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("time", "localtime"),
}
_SLEEP_CALLS = {("time", "sleep"), ("asyncio", "sleep")}
_NETWORK_CALLS = {
    ("socket", "socket"),
    ("socket", "create_connection"),
    ("request", "urlopen"),
    ("urllib", "urlopen"),
    ("client", "HTTPConnection"),
    ("client", "HTTPSConnection"),
    ("smtplib", "SMTP"),
    *(
        (module, verb)
        for module in ("requests", "httpx", "aiohttp")
        for verb in ("get", "post", "put", "patch", "delete", "head", "request", "Client")
    ),
}
_CONCURRENCY_CALLS = {
    ("threading", "Thread"),
    ("multiprocessing", "Process"),
    ("multiprocessing", "Pool"),
    ("futures", "ThreadPoolExecutor"),
    ("futures", "ProcessPoolExecutor"),
    ("asyncio", "gather"),
    ("asyncio", "create_task"),
}
_BARE_CONCURRENCY = {"Thread", "ThreadPoolExecutor", "ProcessPoolExecutor", "Process"}
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")
_MUTATORS = {
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "update",
    "add",
    "discard",
    "setdefault",
    "popitem",
}
_MESSAGE_RULES = (
    (Category.ASYNC_WAIT, re.compile(r"time(d)?[ _-]?out|TimeoutError|deadline exceeded", re.I)),
    (
        Category.NETWORK,
        re.compile(
            r"connection (refused|reset|aborted)|ConnectionError|Name or service not known|"
            r"Temporary failure in name resolution|Network is unreachable",
            re.I,
        ),
    ),
    (Category.CONCURRENCY, re.compile(r"deadlock|race condition|database is locked", re.I)),
    (Category.RESOURCE_LEAK, re.compile(r"Too many open files|ResourceWarning|unclosed", re.I)),
)
_NUMBERS = re.compile(r"0x[0-9a-f]+|\d+(\.\d+)?", re.I)


def likely_cause(
    test_id: str,
    file: str | None,
    source: str | None,
    messages: Sequence[str],
    observed: Sequence[tuple[Category, Evidence]] = (),
) -> Cause | None:
    """The category with the most evidence, or None when nothing points anywhere.

    A line of the test's code counts twice a failure message: code says why, a message only
    what happened. ``observed`` (failures correlated with the test order or the xdist worker,
    `app.flaky.correlation`) counts three times: it is what the runs showed.
    """
    found: dict[Category, list[Evidence]] = {}
    score: dict[Category, int] = {}
    weighted: list[tuple[int, Iterable[tuple[Category, Evidence]]]] = [
        (3, observed),
        (1, _from_messages(messages)),
    ]
    if source is not None and file is not None:
        weighted.insert(1, (2, _from_code(test_id, file, source)))
    for weight, pointers in weighted:
        for category, evidence in pointers:
            found.setdefault(category, []).append(evidence)
            score[category] = score.get(category, 0) + weight
    if not found:
        return None
    best = max(found, key=lambda c: (score[c], -_PRIORITY.index(c)))
    return Cause(best, tuple(_unique(found[best])[:MAX_EVIDENCE]))


def _unique(items: list[Evidence]) -> list[Evidence]:
    return list(dict.fromkeys(items))


def _from_messages(messages: Sequence[str]) -> Iterator[tuple[Category, Evidence]]:
    for message in messages:
        for category, pattern in _MESSAGE_RULES:
            match = pattern.search(message)
            if match:
                start = message.rfind("\n", 0, match.start()) + 1
                end = message.find("\n", match.end())
                line = message[start : end if end >= 0 else len(message)].strip()
                yield category, Evidence(None, None, f"failure message: {line[:_TEXT_CHARS]}")
    shapes = {_NUMBERS.sub("N", m) for m in messages}
    if len(messages) >= 2 and len(shapes) < len(set(messages)):
        # the same failure with other numbers each run: values that change run to run
        yield (
            Category.RANDOMNESS,
            Evidence(None, None, f"failure message differs run to run: {_first_line(messages[0])}"),
        )


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:_TEXT_CHARS]


def _from_code(test_id: str, file: str, source: str) -> Iterator[tuple[Category, Evidence]]:
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    function = find_test(module, test_id)
    if function is None:
        return
    lines = source.splitlines()

    def evidence(node: ast.AST) -> Evidence:
        number = getattr(node, "lineno", 1)
        text = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        return Evidence(file, number, text[:_TEXT_CHARS])

    seeded = _seeds_random(module)
    asserts = list(_assertions(function))
    time_names: set[str] = set()
    set_names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                if _contains_call(node.value, _TIME_CALLS):
                    time_names.add(target.id)
                if _is_set(node.value, set_names):
                    set_names.add(target.id)
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        pair = _dotted_pair(node.func)
        if not seeded and _is_unseeded_random(node, pair):
            yield Category.RANDOMNESS, evidence(node)
        if pair in _SLEEP_CALLS:
            yield Category.ASYNC_WAIT, evidence(node)
        if pair in _NETWORK_CALLS and not _mentions_local_host(node):
            yield Category.NETWORK, evidence(node)
        if pair in _CONCURRENCY_CALLS or (
            isinstance(node.func, ast.Name) and node.func.id in _BARE_CONCURRENCY
        ):
            yield Category.CONCURRENCY, evidence(node)
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "open"
            and not _in_with(node, function)
        ):
            yield Category.RESOURCE_LEAK, evidence(node)
    for check in asserts:
        if _contains_call(check, _TIME_CALLS) or _names_in(check) & time_names:
            yield Category.TIME, evidence(check)
        if _orders_a_set(check, set_names):
            yield Category.UNORDERED_COLLECTION, evidence(check)
        if _compares_floats_exactly(check):
            yield Category.FLOATING_POINT, evidence(check)
    if time_names and any(_names_in(a) & time_names for a in asserts):
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and _dotted_pair(node.func) in _TIME_CALLS:
                yield Category.TIME, evidence(node)
    yield from ((Category.TEST_ORDER, e) for e in _shared_state(module, function, evidence))


def find_test(module: ast.Module, test_id: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The test's function: the last part of its id (parameters dropped), in its class if any."""
    parts = test_id.replace("::", ".").split(".")
    name = parts[-1].split("[", 1)[0]
    owners = set(parts[:-1])
    candidates: list[tuple[int, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    pending: list[tuple[str | None, list[ast.stmt]]] = [(None, module.body)]
    while pending:
        owner, body = pending.pop()
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                # its class named in the id first, then a module-level function
                rank = 0 if owner in owners else 1 if owner is None else 2
                candidates.append((rank, node))
            elif isinstance(node, ast.ClassDef):
                pending.append((node.name, node.body))
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1] if candidates else None


def _dotted_pair(func: ast.expr) -> tuple[str, str] | None:
    """``datetime.datetime.now`` → ("datetime", "now"); ``now`` alone → None."""
    if isinstance(func, ast.Attribute):
        value = func.value
        if isinstance(value, ast.Name):
            return value.id, func.attr
        if isinstance(value, ast.Attribute):
            return value.attr, func.attr
    return None


def _is_unseeded_random(node: ast.Call, pair: tuple[str, str] | None) -> bool:
    if pair is None:
        return False
    owner, attr = pair
    if owner != "random":
        return False
    return attr in RANDOM_CALLS or (attr == "Random" and not node.args)


def _seeds_random(module: ast.Module) -> bool:
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and _dotted_pair(node.func) in {
            ("random", "seed"),
            ("np.random", "seed"),
        }:
            return True
    return False


def _assertions(function: ast.AST) -> Iterator[ast.AST]:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr.startswith("assert")
        ):
            yield node


def _contains_call(node: ast.AST, calls: set[tuple[str, str]]) -> bool:
    return any(isinstance(n, ast.Call) and _dotted_pair(n.func) in calls for n in ast.walk(node))


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _is_set(node: ast.AST, set_names: set[str]) -> bool:
    if isinstance(node, ast.Set | ast.SetComp):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in {"set", "frozenset"}
    return isinstance(node, ast.Name) and node.id in set_names


def _orders_a_set(check: ast.AST, set_names: set[str]) -> bool:
    """``list(s)``, ``tuple(s)``, ``"".join(s)``, ``next(iter(s))`` or a loop over a set."""
    for node in ast.walk(check):
        if isinstance(node, ast.Call) and node.args and _is_set(node.args[0], set_names):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"list", "tuple", "iter", "enumerate"}:
                return True
            if isinstance(func, ast.Attribute) and func.attr == "join":
                return True
        if isinstance(node, ast.comprehension) and _is_set(node.iter, set_names):
            return isinstance(check, ast.Assert)
    return False


def _compares_floats_exactly(check: ast.AST) -> bool:
    if any(isinstance(n, ast.Name | ast.Attribute) and _is_tolerant(n) for n in ast.walk(check)):
        return False
    if isinstance(check, ast.Call) and isinstance(check.func, ast.Attribute):
        if check.func.attr == "assertEqual":
            return any(_is_float(a) for a in check.args)
        return False
    for node in ast.walk(check):
        if isinstance(node, ast.Compare) and any(isinstance(o, ast.Eq) for o in node.ops):
            return any(_is_float(side) for side in (node.left, *node.comparators))
    return False


def _is_tolerant(node: ast.Name | ast.Attribute) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr
    return name in {"approx", "isclose", "allclose", "assert_allclose", "assertAlmostEqual"}


def _is_float(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(node))


def _mentions_local_host(node: ast.Call) -> bool:
    return any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and any(h in n.value for h in _LOCAL_HOSTS)
        for n in ast.walk(node)
    )


def _in_with(call: ast.Call, function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.With | ast.AsyncWith) and any(
            call is item.context_expr for item in node.items
        ):
            return True
    return False


def _shared_state(
    module: ast.Module,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    evidence: Callable[[ast.AST], Evidence],
) -> Iterator[Evidence]:
    """Module state this test reads and another test in the module changes."""
    state: dict[str, ast.stmt] = {}
    for node in module.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    state[target.id] = node
    if not state:
        return
    read = {
        n.id: n
        for n in ast.walk(function)
        if isinstance(n, ast.Name) and n.id in state and isinstance(n.ctx, ast.Load)
    }
    if not read:
        return
    for other in ast.walk(module):
        if other is function or not isinstance(other, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not other.name.startswith("test"):
            continue
        for name, where in _mutations(other, state):
            if name in read:
                yield evidence(state[name])
                yield evidence(where)
                yield evidence(read[name])


def _mutations(
    function: ast.FunctionDef | ast.AsyncFunctionDef, state: dict[str, ast.stmt]
) -> Iterator[tuple[str, ast.AST]]:
    declared = {name for n in ast.walk(function) if isinstance(n, ast.Global) for name in n.names}
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in state and node.func.attr in _MUTATORS:
                yield owner.id, node
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    if target.value.id in state:
                        yield target.value.id, node
                elif isinstance(target, ast.Name) and target.id in declared & set(state):
                    yield target.id, node
