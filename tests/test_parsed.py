"""One `ast` parse per file per scan: the deprecation pre-filter and dead-code extraction read
the same trees (`ScanContext.parsed`), keyed by path and content."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.analyzers.base import Adapters, ScanContext
from app.analyzers.dead_code import DeadCodeAnalyzer
from app.analyzers.deprecation import DeprecationAnalyzer
from app.caches import Caches
from app.config import RepoConfig
from app.manifests import discover
from app.parsed import ParsedModules
from app.snapshot import snapshot_of
from tests.support import make_repo

FILES = {
    "requirements.txt": "numpy>=1.22,<2\n",
    "pkg/__init__.py": "",
    "pkg/clock.py": "import datetime\n\n\ndef stamp():\n    return datetime.datetime.utcnow()\n",
    "pkg/numbers.py": "import numpy as np\n\n\ndef as_float(x):\n    return np.float(x)\n",
    "pkg/unused.py": "def never_called():\n    return 1\n",
    "main.py": (
        "from pkg.clock import stamp\nfrom pkg.numbers import as_float\n\n"
        "print(stamp(), as_float(1))\n"
    ),
}


def test_each_file_is_parsed_once_for_both_analyzers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", files=FILES)
    snapshot = snapshot_of(repo)
    parsed = ParsedModules()
    context = ScanContext(
        snapshot=snapshot,
        config=RepoConfig(),
        manifests=discover(snapshot),
        target_python="3.11",
        now=datetime(2026, 11, 27, tzinfo=UTC),
        adapters=Adapters(caches=Caches(tmp_path / "cache")),
        parsed=parsed,
    )
    sources = {(repo / p).read_bytes() for p in FILES if p.endswith(".py")}
    parses: list[bytes] = []
    real_parse = ast.parse

    def counting(source: str | bytes, filename: str = "<unknown>", mode: str = "exec") -> ast.mod:
        data = source.encode() if isinstance(source, str) else source
        if data in sources:
            parses.append(data)
        return real_parse(source, filename, mode)

    monkeypatch.setattr(ast, "parse", counting)
    deprecations = DeprecationAnalyzer(workers=1).analyze(context)
    dead = DeadCodeAnalyzer(workers=1).analyze(context)

    assert {f.subject for f in deprecations.findings} >= {"deprecation:datetime"}
    assert "dead-code:pkg/unused.py" in {f.subject for f in dead.findings}
    assert "2 surveyed" in deprecations.notes[-1]  # clock.py and numbers.py, on shared trees
    assert len(parses) == len(set(parses)), "a file was parsed twice"
    assert parsed.parses == len(parses) == len(sources)


def test_trees_are_keyed_by_path_and_content() -> None:
    parsed = ParsedModules()
    first = parsed.tree("a.py", b"x = 1\n")
    assert parsed.tree("a.py", "x = 1\n") is first  # str or bytes: the same text
    assert parsed.tree("b.py", b"x = 1\n") is not first  # another module
    assert parsed.tree("a.py", b"x = 2\n") is not first  # edited
    assert parsed.parses == 3
    with pytest.raises(SyntaxError):
        parsed.tree("bad.py", b"def (:\n")
    with pytest.raises(SyntaxError):
        parsed.tree("bad.py", b"def (:\n")
    assert parsed.parses == 4  # the error is remembered too


def test_past_its_bound_it_parses_without_keeping() -> None:
    parsed = ParsedModules(max_held_bytes=10)
    parsed.tree("a.py", b"x = 1\n")
    parsed.tree("b.py", b"y = 22222\n")
    assert parsed.holds("a.py") and not parsed.holds("b.py")
    parsed.tree("b.py", b"y = 22222\n")
    assert parsed.parses == 3
