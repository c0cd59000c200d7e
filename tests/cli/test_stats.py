"""Outcome tracking: `summarize` over plain outcomes, and `maintainer stats` over a real store
(the bot's PRs, and the incident figures)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.incidents.alertmanager import parse
from app.outcomes import summarize
from app.store import Outcome, ProposalStatus, RepoRef, Store, open_store
from tests.incidents.payloads import alert, encoded, notification

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def outcome(
    status: ProposalStatus,
    *,
    repository: str = "o/a",
    kind: str = "dependency-update",
    hours: float | None = None,
    human: int | None = 0,
    outcome: str | None = None,
    stopped: bool = False,
    bot: bool = False,
) -> Outcome:
    closed = T0 + timedelta(hours=hours) if hours is not None else None
    return Outcome(repository, kind, status, outcome, stopped, T0, closed, human, bot)


def test_summarize_per_repository_and_kind_with_totals() -> None:
    rows = summarize(
        [
            outcome(ProposalStatus.MERGED, hours=2, bot=True),
            outcome(ProposalStatus.MERGED, hours=10, human=2),
            outcome(ProposalStatus.MERGED, hours=4, human=None, stopped=True),
            outcome(ProposalStatus.CLOSED, hours=1, outcome="closed"),
            outcome(ProposalStatus.CLOSED, hours=1, outcome="superseded"),
            outcome(ProposalStatus.OPEN),
            outcome(ProposalStatus.MERGED, kind="deprecation", human=0, stopped=True),
            outcome(ProposalStatus.MERGED, kind="security", hours=1),
            outcome(ProposalStatus.CLOSED, repository="o/b", outcome="closed"),
        ]
    )
    by_key = {(r.repository, r.kind): r for r in rows}
    deps = by_key[("o/a", "dependency-update")]
    assert (deps.opened, deps.still_open, deps.closed, deps.superseded) == (6, 1, 1, 1)
    assert (deps.merged_untouched, deps.merged_with_edits, deps.merged_by_bot) == (1, 2, 1)
    assert deps.median_hours_to_merge == 4.0
    assert deps.approval_rate == pytest.approx(3 / 4)
    recreated = by_key[("o/a", "deprecation")]  # stopped once, recreated, merged untouched
    assert (recreated.merged_untouched, recreated.merged_with_edits) == (1, 0)
    assert by_key[("o/a", "*")].opened == 8 and by_key[("o/a", "*")].merged == 5
    assert by_key[("o/b", "*")].approval_rate == 0.0
    total = by_key[("*", "*")]
    assert (total.opened, total.merged, total.closed) == (9, 5, 2)
    assert summarize([]) == []


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """A store file with three bot PRs in one repository: merged by hand, closed, open."""
    clock = [T0]
    store: Store = open_store(f"sqlite:///{tmp_path / 'maintainer.db'}", clock=lambda: clock[0])
    store.upsert_installation(1, "o", "User")
    store.add_repositories(1, [RepoRef(10, "o/a")])
    for number, branch in enumerate(("a-1", "b-2", "c-3"), start=1):
        proposal = store.save_proposal(10, "dependency-update", f"maintainer/{branch}", branch)
        store.set_pull_request(proposal.id, number, f"{number:040d}")
    clock[0] = T0 + timedelta(hours=6)
    merged = store.record_pr_outcome(10, 1, merged=True)
    assert merged is not None
    store.record_human_commits(merged.id, 1)
    store.record_pr_outcome(10, 2, merged=False)
    store.engine.dispose()
    return tmp_path


def test_stats_cli_table_and_json(recorded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAINTAINER_DATA_DIR", str(recorded))
    runner = CliRunner()
    table = runner.invoke(cli, ["stats"])
    assert table.exit_code == 0, table.output
    assert "approval" in table.output and "6 h" in table.output and "50%" in table.output
    answer = runner.invoke(cli, ["stats", "--repo", "o/a", "--format", "json"])
    assert answer.exit_code == 0, answer.output
    [row, total] = json.loads(answer.output)["rows"]
    assert (row["kind"], total["kind"]) == ("dependency-update", "*")
    assert row["opened"] == 3 and row["open"] == 1 and row["closed"] == 1
    assert row["merged_with_human_edits"] == 1 and row["merged_untouched"] == 0
    assert row["median_hours_to_merge"] == 6.0 and row["approval_rate"] == 0.5
    none = runner.invoke(cli, ["stats", "--repo", "o/zzz"])
    assert "no pull requests recorded for o/zzz" in none.output


STARTS = datetime(2026, 11, 30, 9, 14, 3, tzinfo=UTC)  # the payloads' startsAt
DAY = timedelta(days=1)


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    """A store with known incidents and trend alerts.

    Incidents (all on `dashboard` but one), detected at 09:15: resolved 10, 20 and 60 minutes
    later in o/a, one still firing in o/b. Trend alerts in o/a: one prevented (closed, never
    past its threshold, no incident on its service meanwhile, a bot PR merged meanwhile), and
    four that are not (breached; an incident on its service meanwhile; no fix merged meanwhile,
    only a post-incident report; still open)."""
    clock = [STARTS + timedelta(seconds=57)]
    store = open_store(f"sqlite:///{tmp_path / 'maintainer.db'}", clock=lambda: clock[0])
    store.upsert_installation(1, "o", "User")
    store.add_repositories(1, [RepoRef(10, "o/a"), RepoRef(11, "o/b")])
    for number, (minutes, service) in enumerate(
        ((10, "dashboard"), (20, "dashboard"), (60, "api"), (None, "dashboard")), start=1
    ):
        key = f'{{}}:{{alertname="A{number}"}}'
        firing = notification(alert(f"f{number}", service=service), groupKey=key)
        opened, _ = store.record_alerts(parse(encoded(firing)))
        assert opened is not None
        store.set_incident_issue(opened.id, "o/a" if minutes else "o/b", number)
        if minutes is not None:
            ends = (clock[0] + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
            done = alert(f"f{number}", status="resolved", ends=ends, service=service)
            store.record_alerts(parse(encoded(notification(done, status="resolved", groupKey=key))))

    def trend(
        key: str, service: str, opened: datetime, closed: datetime | None, **how: bool
    ) -> None:
        clock[0] = opened
        store.record_trend_alert(
            10, key, monitor=key, service=service, issue_number=50, breached=False
        )
        if how.get("breached"):
            clock[0] = opened + DAY
            store.record_trend_alert(
                10, key, monitor=key, service=service, issue_number=50, breached=True
            )
        if closed is not None:
            clock[0] = closed
            store.close_trend_alert(10, key)

    def merged(branch: str, kind: str, at: datetime, number: int) -> None:
        proposal = store.save_proposal(10, kind, f"maintainer/{branch}", branch)
        store.set_pull_request(proposal.id, number, f"{number:040d}")
        clock[0] = at
        store.record_pr_outcome(10, number, merged=True)

    trend("prevented", "dashboard", STARTS - 20 * DAY, STARTS - 10 * DAY)
    trend("breached", "dashboard", STARTS - 20 * DAY, STARTS - 10 * DAY, breached=True)
    trend("had-incident", "api", STARTS - DAY, STARTS + DAY)
    trend("no-fix", "web", STARTS - 9 * DAY, STARTS - 6 * DAY)
    trend("open", "dashboard", STARTS - 3 * DAY, None)
    merged("fix", "dependency-update", STARTS - 15 * DAY, 101)
    merged("report", "incident-report", STARTS - 8 * DAY, 102)
    merged("during-incident", "dependency-update", STARTS + DAY / 2, 103)  # "had-incident" open
    store.engine.dispose()
    return tmp_path


def test_stats_incident_figures(incidents: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAINTAINER_DATA_DIR", str(incidents))
    runner = CliRunner()
    answer = runner.invoke(cli, ["stats", "--format", "json"])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.output)["incidents"] == {
        "incidents": 4,
        "resolved": 3,
        "median_minutes_to_resolve": 20.0,
        "p90_minutes_to_resolve": 60.0,
        "predictions": 5,
        "prevented": 1,
    }
    only_b = runner.invoke(cli, ["stats", "--repo", "o/b", "--format", "json"])
    figures = json.loads(only_b.output)["incidents"]
    assert (figures["incidents"], figures["resolved"], figures["predictions"]) == (1, 0, 0)
    assert figures["median_minutes_to_resolve"] is None and figures["prevented"] == 0
    table = runner.invoke(cli, ["stats", "--repo", "o/a"])
    assert table.exit_code == 0, table.output
    lines = [" ".join(line.split()) for line in table.output.splitlines()]
    for expected in (
        "incidents 3",
        "resolved 3",
        "time to resolve, median 20 min",
        "time to resolve, p90 60 min",
        "predictions made 5",
        "incidents prevented 1",
    ):
        assert expected in lines, table.output
