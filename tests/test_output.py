"""The scan table: what a person reads after `maintainer scan`."""

from __future__ import annotations

from app.model import Deferred, ScanResult
from app.output import scan_table


def test_held_back_subjects_sharing_a_reason_are_one_line() -> None:
    limit = "open_pr_limit of 2 reached: 2 new PRs already planned in this run, 0 open before it"
    result = ScanResult(
        repository="demo",
        deferred=[
            Deferred("urllib3", limit),
            Deferred("django", "django 5.2 is 1 days old; min_release_age_days is 3"),
            Deferred("datetime", limit),
        ],
    )
    table = scan_table(result, None)
    assert "3 held back by policy:" in table
    assert f"  - urllib3, datetime: {limit}" in table
    assert "  - django: django 5.2 is 1 days old" in table
    assert table.count(limit) == 1
