"""lock_file_maintenance: one PR refreshing the locks within the declared constraints."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.config import LockFileMaintenance, RepoConfig, Schedule, parse_config
from app.lockfiles.maintenance import changes, is_due
from app.lockfiles.pins import locked_versions
from app.model import Kind, apply_edits
from tests.apidiff.support import scan_with_distributions
from tests.lockfiles.support import uv
from tests.support import IndexServer, make_repo

RANGE = """\
[project]
name = "service"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["six>=1.16,<2"]
"""


def _stale_uv_project(tmp_path: Path, index: IndexServer) -> Path:
    """Locked at six 1.16.0 while the range allows 1.17.0."""
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "pyproject.toml").write_text(RANGE.replace(">=1.16,<2", "==1.16.0"))
    assert uv(seed, index).returncode == 0
    (seed / "pyproject.toml").write_text(RANGE)
    relocked = uv(seed, index)  # keeps 1.16.0: uv prefers the locked version
    assert relocked.returncode == 0, relocked.stderr
    lock = (seed / "uv.lock").read_text()
    assert locked_versions(lock)["six"] == "1.16.0"
    return make_repo(tmp_path / "repo", files={"pyproject.toml": RANGE, "uv.lock": lock})


def test_one_pr_refreshes_the_lock_within_the_constraints(tmp_path, index) -> None:
    root = _stale_uv_project(tmp_path, index)
    config = RepoConfig(
        open_pr_limit=50, enabled=[], lock_file_maintenance=LockFileMaintenance(schedule="daily")
    )
    result = scan_with_distributions(index, root, tmp_path / "cache", config)
    assert result.errors == []
    [proposal] = result.proposals
    assert proposal.kind is Kind.LOCK_FILE_MAINTENANCE
    assert proposal.files == ("uv.lock",)
    assert proposal.title == "Lock file maintenance"
    assert "| `uv.lock` | `six` | `1.16.0` | `1.17.0` |" in proposal.body
    text = (root / "uv.lock").read_text()
    edited = apply_edits(text, list(proposal.edits))
    assert edited is not None
    (root / "uv.lock").write_text(edited)
    assert locked_versions(edited)["six"] == "1.17.0"
    check = uv(root, index, "--check")
    assert check.returncode == 0, check.stderr


@pytest.mark.slow
def test_nothing_to_refresh_is_no_pr_and_a_failing_tool_is_an_error(tmp_path, index) -> None:
    config = RepoConfig(enabled=[], lock_file_maintenance=LockFileMaintenance(schedule="daily"))
    seed = tmp_path / "current"
    seed.mkdir()
    (seed / "pyproject.toml").write_text(RANGE)
    assert uv(seed, index).returncode == 0
    current = make_repo(
        tmp_path / "current-repo",
        files={"pyproject.toml": RANGE, "uv.lock": (seed / "uv.lock").read_text()},
    )
    fresh = scan_with_distributions(index, current, tmp_path / "cache", config)
    assert fresh.proposals == [] and fresh.errors == []
    root = _stale_uv_project(tmp_path, index)
    index.mode = "error"
    failed = scan_with_distributions(index, root, tmp_path / "cache", config)
    assert failed.proposals == []
    assert any("no lock file maintenance PR" in e.message for e in failed.errors), failed.errors


def test_without_the_setting_nothing_runs(tmp_path, index) -> None:
    root = _stale_uv_project(tmp_path, index)
    result = scan_with_distributions(index, root, tmp_path / "cache", RepoConfig(enabled=[]))
    assert result.proposals == [] and result.errors == []


def test_the_setting_is_read_from_maintainer_yml() -> None:
    config = parse_config("lock_file_maintenance: {schedule: monthly}\n")
    assert config.lock_file_maintenance == LockFileMaintenance(schedule="monthly")
    assert Kind.LOCK_FILE_MAINTENANCE in config.enabled_kinds()


def test_monthly_is_due_on_the_scheduled_day_of_the_first_week() -> None:
    monthly = LockFileMaintenance(schedule="monthly")
    weekly = Schedule(interval="weekly", day="monday")
    assert is_due(monthly, weekly, datetime(2026, 11, 2, 5, tzinfo=UTC))  # first Monday
    assert not is_due(monthly, weekly, datetime(2026, 11, 9, 5, tzinfo=UTC))
    assert not is_due(monthly, weekly, datetime(2026, 11, 3, 5, tzinfo=UTC))  # a Tuesday
    assert is_due(LockFileMaintenance(schedule="weekly"), weekly, datetime(2026, 11, 9, tzinfo=UTC))
    daily_scans = Schedule(interval="daily", day="monday")
    tuesday = datetime(2026, 11, 3, 5, tzinfo=UTC)
    assert not is_due(LockFileMaintenance(schedule="weekly"), daily_scans, tuesday)
    assert is_due(LockFileMaintenance(schedule="daily"), daily_scans, tuesday)


def test_changes_of_a_pip_compile_output() -> None:
    before = "six==1.16.0 \\\n    --hash=sha256:aa\nidna==3.6\n    # via requests\n"
    after = "six==1.17.0 \\\n    --hash=sha256:bb\ncertifi==2024.2.2\n"
    assert [(c.package, c.before, c.after) for c in changes(before, after)] == [
        ("certifi", None, "2024.2.2"),
        ("idna", "3.6", None),
        ("six", "1.16.0", "1.17.0"),
    ]
