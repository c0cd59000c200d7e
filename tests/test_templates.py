from datetime import timedelta
from pathlib import Path

import pytest

from app import templates
from app.config import RepoConfig, UpdateType
from app.model import Edit, Finding, Kind, Risk, RiskFactor, RiskLevel
from app.planner import Batch
from app.proposals import build
from app.templates import GITHUB_BODY_LIMIT
from app.updates import Update
from tests.support import NOW

TEXT = "requests==2.19.0\n"


def finding(package: str = "requests", line: int = 1) -> Finding:
    detail = Update(
        package=package,
        from_version="2.19.0",
        from_spec="==2.19.0",
        to_version="2.32.3",
        to_spec="==2.32.3",
        update_type=UpdateType.MINOR,
        manifest="requirements.txt",
        line=line,
        releases_behind=14,
        days_behind=2100,
        released=NOW - timedelta(days=200),
        development=False,
        group=None,
    )
    edit = Edit("requirements.txt", 8, "==2.19.0", "==2.32.3")
    return Finding(
        Kind.DEPENDENCY_UPDATE,
        f"r:{package}",
        package,
        detail,
        (edit,),
        (RiskFactor("minor update: new features, should be compatible", 1),),
        batch=package,
    )


def test_body_has_the_four_sections_numbers_and_rollback_line() -> None:
    batch = Batch(Kind.DEPENDENCY_UPDATE, "requests", None, (finding(),))
    proposal = build(batch, RepoConfig(), lambda path: TEXT)
    body = proposal.body
    for heading in ("## What changes", "## Why", "## Risk", "## Rollback"):
        assert heading in body
    assert "**14** releases behind" in body
    assert "2100 days, 5.75 libyears" in body
    assert "`requirements.txt` line 1: `requests==2.19.0`" in body
    assert proposal.title == "Bump requests from 2.19.0 to 2.32.3"
    assert proposal.branch == "maintainer/dependency-update/requests-2.32.3"
    assert proposal.risk == Risk(RiskLevel.LOW, proposal.risk.factors)
    assert "/maintainer rebase" in body


def test_huge_tables_are_cut_under_githubs_limit_with_a_note() -> None:
    findings = tuple(finding(f"package-{i:05d}-" + "x" * 200, i) for i in range(400))
    batch = Batch(Kind.DEPENDENCY_UPDATE, "group:all", "all", findings)
    body = build(batch, RepoConfig(), lambda path: TEXT * 400).body
    assert len(body) <= GITHUB_BODY_LIMIT
    assert "more rows not shown" in body
    assert "## Rollback" in body


def test_a_failed_ci_run_raises_the_risk_and_shows_in_the_risk_section() -> None:
    batch = Batch(Kind.DEPENDENCY_UPDATE, "requests", None, (finding(),))
    branch = "maintainer/dependency-update/requests-2.32.3"
    failed = build(batch, RepoConfig(), lambda path: TEXT, {branch: "failure"})
    assert failed.risk.level is RiskLevel.HIGH
    assert "- CI failure on this branch: check it before merging" in failed.body
    passed = build(batch, RepoConfig(), lambda path: TEXT, {branch: "success"})
    assert passed.risk.level is RiskLevel.LOW
    assert "- CI passed on this branch" in passed.body
    other = build(batch, RepoConfig(), lambda path: TEXT, {"maintainer/other": "failure"})
    assert "CI" not in other.body.split("## Risk")[1].split("## Rollback")[0]


def test_compiled_templates_are_kept_and_a_damaged_or_unwritable_folder_is_only_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = templates.environment()
    monkeypatch.setattr(environment, "bytecode_cache", None)  # as it was, after the test
    batch = Batch(Kind.DEPENDENCY_UPDATE, "requests", None, (finding(),))

    def body() -> str:
        assert environment.cache is not None
        environment.cache.clear()  # nothing compiled in memory: compiled, or read back
        return build(batch, RepoConfig(), lambda path: TEXT).body

    expected = body()
    kept = tmp_path / "templates"
    templates.keep_compiled(kept)
    assert body() == expected
    entries = sorted(kept.iterdir())
    assert len(entries) >= 2  # the body's template and the partials it includes
    stamps = [entry.stat().st_mtime_ns for entry in entries]
    assert body() == expected  # read back: nothing rewritten
    assert [entry.stat().st_mtime_ns for entry in entries] == stamps
    for entry in entries:
        entry.write_bytes(b"damaged")
    assert body() == expected
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be\n")
    templates.keep_compiled(blocked)
    assert body() == expected
