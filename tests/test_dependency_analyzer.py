"""The dependency analyzer with plain values: a recording fake index and an in-memory tree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from packaging.version import Version

from app.analyzers.base import Adapters, ScanContext
from app.analyzers.dependencies import DependencyAnalyzer
from app.config import RepoConfig
from app.index.model import LookupFailure, Project, Release
from app.manifests import discover
from app.model import Progress, apply_edits, no_progress
from app.snapshot import Snapshot
from app.updates import Update
from tests.support import NOW


class FakeIndex:
    def __init__(self, projects: dict[str, Project | LookupFailure]) -> None:
        self.projects = projects
        self.asked: list[list[str]] = []

    def fetch(
        self, names: Sequence[str], progress: Progress = no_progress
    ) -> dict[str, Project | LookupFailure]:
        self.asked.append(list(names))
        return {name: self.projects[name] for name in names if name in self.projects}


def release(version: str, days_ago: int, **kwargs: object) -> Release:
    return Release(Version(version), upload_time=NOW - timedelta(days=days_ago), **kwargs)  # type: ignore[arg-type]


def analyze(tmp_path: Path, files: dict[str, str], index: FakeIndex, python: str = "3.11"):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    snapshot = Snapshot(tmp_path, tuple(sorted(files)), "repo")
    context = ScanContext(
        snapshot=snapshot,
        config=RepoConfig(),
        manifests=discover(snapshot),
        target_python=python,
        now=NOW,
        adapters=Adapters(index=index),
    )
    return DependencyAnalyzer().analyze(context)


PROJECT = Project(
    "lib",
    (
        release("1.0.0", 900),
        release("1.1.0", 600),
        release("1.2.0", 300),
        release("1.3.0", 100, yanked=True),
        release("2.0.0", 50, requires_python=">=3.12"),
        release("2.1.0rc1", 10),
    ),
)


def test_candidates_skip_yanked_prereleases_and_unsupported_pythons(tmp_path) -> None:
    index = FakeIndex({"lib": PROJECT})
    analysis = analyze(tmp_path, {"requirements.txt": "lib==1.0.0\n"}, index)
    versions = [f.detail.to_version for f in analysis.findings]
    assert versions == ["1.2.0", "1.1.0"]
    assert index.asked == [["lib"]]
    newest = analysis.findings[0].detail
    assert isinstance(newest, Update)
    assert (newest.releases_behind, newest.days_behind, newest.libyears) == (2, 600, 1.64)


def test_newer_python_unlocks_newer_releases(tmp_path) -> None:
    analysis = analyze(
        tmp_path, {"requirements.txt": "lib==1.0.0\n"}, FakeIndex({"lib": PROJECT}), python="3.12"
    )
    assert analysis.findings[0].detail.to_version == "2.0.0"


def test_prerelease_pins_may_move_to_prereleases(tmp_path) -> None:
    analysis = analyze(
        tmp_path,
        {"requirements.txt": "lib==2.0.0\n"},
        FakeIndex({"lib": Project("lib", (release("2.0.0", 60), release("2.1.0rc1", 10)))}),
    )
    assert analysis.findings == []
    pre = analyze(
        tmp_path,
        {"requirements.txt": "lib==2.1.0b1\n"},
        FakeIndex({"lib": Project("lib", (release("2.1.0b1", 60), release("2.1.0rc1", 10)))}),
    )
    assert [f.detail.to_version for f in pre.findings] == ["2.1.0rc1"]


def test_range_already_allowing_the_newest_needs_no_change(tmp_path) -> None:
    analysis = analyze(tmp_path, {"requirements.txt": "lib>=1.0\n"}, FakeIndex({"lib": PROJECT}))
    assert analysis.findings == []


def test_edits_rewrite_the_manifest(tmp_path) -> None:
    text = "# deps\nlib == 1.0.0  # pinned\n"
    analysis = analyze(tmp_path, {"requirements.txt": text}, FakeIndex({"lib": PROJECT}))
    assert apply_edits(text, analysis.findings[0].edits) == "# deps\nlib == 1.2.0  # pinned\n"


def test_hashed_line_without_digests_is_an_error_not_a_broken_edit(tmp_path) -> None:
    text = "lib==1.0.0 --hash=sha256:abc\n"
    analysis = analyze(tmp_path, {"requirements.txt": text}, FakeIndex({"lib": PROJECT}))
    assert analysis.findings == []
    assert "cannot rewrite its --hash lines" in analysis.errors[0].message


def test_lookup_failures_become_errors_at_the_dependency_line(tmp_path) -> None:
    index = FakeIndex({"lib": LookupFailure("lib", "not found on the index X")})
    analysis = analyze(tmp_path, {"requirements.txt": "# c\nlib==1.0\n"}, index)
    assert [(e.file, e.line, e.message) for e in analysis.errors] == [
        ("requirements.txt", 2, "lib: not found on the index X")
    ]


def test_import_counts_feed_the_risk(tmp_path) -> None:
    files = {
        "requirements.txt": "lib==1.0.0\n",
        "a.py": "import lib\n",
        "b.py": "from lib import x\n",
        "c.py": "import other\n",
    }
    analysis = analyze(tmp_path, files, FakeIndex({"lib": PROJECT}))
    assert any(f.text == "2 files import it" for f in analysis.findings[0].risk_factors)
