from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import RepoConfig
from app.health.architecture import imports_of, package_cycles
from app.health.blobs import BlobReader, resolve_commit
from app.health.churn import churn_at, read_commits
from app.health.complexity import analyse
from app.health.coverage import CoverageError, find_report, parse_report
from app.health.history import collect
from app.health.measure import Collector
from app.health.samples import SampleStore, SampleStoreError
from app.health.score import item_impact
from app.model import no_progress
from tests.support import dated_commit, git, make_repo


def commit(root: Path, files: dict[str, str], when: datetime) -> None:
    dated_commit(root, files, "c", when, author="t")


def test_churn_counts_commits_and_lines_in_the_window(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    commit(root, {"a.py": "1\n2\n", "name with space.py": "x\n"}, start)
    commit(root, {"a.py": "1\n3\n"}, start + timedelta(days=100))
    commit(root, {"a.py": "1\n3\n4\n"}, start + timedelta(days=120))
    commits = read_commits(root, "HEAD", start - timedelta(days=1))
    assert len(commits) == 3
    at = start + timedelta(days=120)
    churn = churn_at(commits, at)
    assert churn.of("a.py").commits == 2 and churn.of("a.py").lines == 3
    assert churn.of("name with space.py").commits == 0  # 120 days ago: outside the window
    assert churn_at(commits, start).of("name with space.py").lines == 1


COVERAGE_XML = b"""<?xml version="1.0" ?>
<coverage line-rate="0.5"><sources><source>/ci/build/src</source></sources>
<packages><package name="pkg"><classes>
<class filename="pkg/mod.py" line-rate="0.5"><lines>
<line number="1" hits="1"/><line number="2" hits="0"/></lines></class>
<class filename="../../../etc/passwd"><lines><line number="1" hits="1"/></lines></class>
</classes></package></packages></coverage>
"""


def test_cobertura_is_read_and_paths_outside_the_checkout_match_nothing() -> None:
    coverage = parse_report("coverage.xml", COVERAGE_XML, ["src/pkg/mod.py", "etc/passwd"])
    assert set(coverage.files) == {"src/pkg/mod.py"}
    assert coverage.files["src/pkg/mod.py"].percent == 50.0
    assert coverage.percent == 50.0


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]><coverage>&a;</coverage>',
        b"<coverage><unclosed></coverage>",
        b"<report/>",
    ],
)
def test_hostile_or_wrong_xml_is_refused(data: bytes) -> None:
    with pytest.raises(CoverageError):
        parse_report("coverage.xml", data, ["a.py"])


def test_coverage_json_format_is_checked() -> None:
    with pytest.raises(CoverageError, match="format"):
        parse_report("coverage.json", json.dumps({"meta": {"format": 9}, "files": {}}).encode(), [])
    with pytest.raises(CoverageError):
        parse_report("coverage.json", b"[1, 2", [])


def test_the_shallowest_report_is_chosen() -> None:
    files = ["docs/coverage.xml", "coverage.json", "a.py"]
    assert find_report(files) == "coverage.json"
    assert find_report(["a.py"]) is None


def test_cycles_between_subpackages_are_found_from_imports() -> None:
    import ast

    sources = {
        "src/shop/__init__.py": "",
        "src/shop/orders/__init__.py": "from shop.billing import invoice\n",
        "src/shop/billing/__init__.py": "",
        "src/shop/billing/invoice.py": "from ..orders import Order\n",
        "src/shop/catalog.py": "import shop.orders\n",
    }
    imports = {path: imports_of(analyse(ast.parse(text), 0)[1]) for path, text in sources.items()}
    violations = package_cycles(imports)
    assert [v.detail for v in violations] == ["shop.billing <-> shop.orders import each other"]
    del imports["src/shop/billing/invoice.py"]
    assert package_cycles(imports) == []


def test_history_parses_each_blob_once(tmp_path: Path) -> None:
    """26 samples over 3 versions of one file parse 3 blobs plus the unchanged one once."""
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    commit(root, {"same.py": "def s():\n    return 0\n", "m.py": "def f():\n    pass\n"}, start)
    for week, extra in ((10, 1), (20, 2)):
        body = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(extra * 12))
        commit(root, {"m.py": f"def f(x):\n{body}    return -1\n"}, start + timedelta(weeks=week))
    now = start + timedelta(weeks=25, days=1)
    head = resolve_commit(root)
    collector = Collector(root, RepoConfig(), commits=read_commits(root, "HEAD", start))
    with SampleStore(tmp_path / "h.sqlite") as store:
        collected = collect(root, collector, head, now, 26, store, "r", no_progress)
    assert len(collected.history) == 26
    assert collector.parsed_blobs == 4
    means = [h.metrics["complexity_mean"] for h in collected.history]
    assert means[0] < means[12] < means[-1]
    current = collected.current
    lost = sum(item_impact(i, current.score) for i in current.items)
    exact = sum(c.weight * (100 - c.lost) for c in current.score.components) / sum(
        c.weight for c in current.score.components
    )
    assert abs(100 - lost - exact) < 1e-6  # every point lost is an item's
    assert current.score.value == round(exact)
    assert any(i.kind == "complexity" for i in current.items)


def test_sample_store_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    SampleStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema SET version = 99")
    with pytest.raises(SampleStoreError, match="newer"):
        SampleStore(path)


def test_blob_reader_refuses_missing_objects(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", files={"a.py": "x = 1\n"})
    with BlobReader(repo) as reader, pytest.raises(OSError):
        reader.read("0" * 40)


def test_commit_files_come_from_git_objects_without_symlinks(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", files={"pkg/deep/a.py": "x = 1\n", "b.py": "y = 2\n"})
    (repo / "link.py").symlink_to("/etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    head = resolve_commit(repo)
    with BlobReader(repo) as reader:
        files = reader.tree_files(head.sha)
        assert set(files) == {"pkg/deep/a.py", "b.py"}
        assert reader.read(files["pkg/deep/a.py"]) == b"x = 1\n"
