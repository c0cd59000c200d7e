"""An incident's issue, end to end against the emulator: an Alertmanager notification names a
service of a repository's catalog; the job reads what changed on the service's code in the 24
hours before (the bot's merged PR first), writes the triage into one issue with the blast
radius and a stakeholder message, edits it as alerts join, closes it when the alert resolves,
and opens one post-incident report PR."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import parse_config
from app.github import GitHub, Issue, PullRequest
from app.health.samples import StoredSample
from app.incidents.alertmanager import parse
from app.queue import Queue, RetryPolicy, build_huey
from app.service.incident_job import IncidentJob
from app.settings import Settings
from app.store import JobKind, JobStatus, Store, open_store
from tests.incidents.payloads import alert, encoded, notification
from tests.support import dated_commit, git
from tests.support.harness import INSTALLATION_ID, Harness, register, settings_for

REPO = "octo-org/shop"
STARTED = datetime(2026, 11, 30, 9, 14, 3, tzinfo=UTC)  # the payloads' startsAt
CONFIG = """
services:
  - name: dashboard
    paths: ["shop/**", "requirements.txt"]
    owners: [alice, "@octo-org/sre"]
  - name: web
    depends_on: [dashboard]
  - name: mobile-api
    depends_on: [web]
"""


@dataclass
class App:
    harness: Harness
    store: Store
    queue: Queue
    github: GitHub

    def notify(self, body: dict[str, object]) -> None:
        incident, _ = self.store.record_alerts(parse(encoded(body)))
        assert incident is not None
        job = self.queue.enqueue(JobKind.INCIDENT, None, {"incident": incident.id})
        self.queue.run_job(job)
        done = self.store.job(job)
        assert done is not None and done.status is JobStatus.SUCCEEDED, done

    def issues(self) -> list[Issue]:
        return [
            i
            for i in self.github.installation(INSTALLATION_ID).issues(REPO, state="all")
            if not i.pull
        ]

    def pulls(self) -> list[PullRequest]:
        return self.github.installation(INSTALLATION_ID).pulls(REPO, state="all")

    def run(self, incident_id: int) -> None:
        """The incident job again, as the queue's retry would run it."""
        job = self.queue.enqueue(JobKind.INCIDENT, None, {"incident": incident_id})
        self.queue.run_job(job)
        done = self.store.job(job)
        assert done is not None and done.status is JobStatus.SUCCEEDED, done

    def show(self, ref: str, path: str) -> str:
        bare = self.harness.emulator.repo_path(REPO)
        done = subprocess.run(
            ["git", "--git-dir", str(bare), "show", f"{ref}:{path}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


@pytest.fixture
def app(harness: Harness, tmp_path: Path) -> Iterator[App]:
    base = settings_for(harness, tmp_path)
    settings = Settings(**{**base.model_dump(), "workers": 0})
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    queue = Queue(build_huey(settings), store, RetryPolicy(retries=0), settings.tick_minutes)
    github = harness.github()
    queue.handlers[JobKind.INCIDENT] = IncidentJob(settings, store, github.installation)

    work = tmp_path / "shop-work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    hours = timedelta(hours=1)
    first = {"shop/cart.py": "CACHE = 10\n", ".maintainer.yml": CONFIG}
    dated_commit(work, first, "Cart cache", STARTED - 30 * hours, "carol")
    dated_commit(
        work,
        {"shop/cart.py": "CACHE = 60\n"},
        "Tune the cart cache (#7)",
        STARTED - 3 * hours,
        "dave",
    )
    dated_commit(
        work,
        {"requirements.txt": "requests==2.32.3\n"},
        "Bump requests from 2.31.0 to 2.32.3 (#12)",
        STARTED - hours,
        "erin",
    )
    dated_commit(work, {"docs/ops.md": "runbook\n"}, "Docs (#13)", STARTED - hours / 2, "frank")
    dated_commit(
        work, {"shop/late.py": "X = 1\n"}, "After it started (#14)", STARTED + hours, "gus"
    )
    harness.publish(work, REPO)
    register(harness, store, REPO)
    record = store.repository(REPO)
    assert record is not None
    store.save_valid_config(record.id, parse_config(CONFIG, ".maintainer.yml"), None)  # a scan
    proposal = store.save_proposal(record.id, "dependency-update", "maintainer/requests", "Bump")
    store.set_pull_request(proposal.id, 12, "0" * 40)  # PR #12 is the bot's own
    yield App(harness, store, queue, github)
    github.close()
    store.engine.dispose()


def test_an_incident_issue_names_the_bots_change_first_and_closes_on_resolution(app: App) -> None:
    app.notify(notification(alert("a1", service="dashboard", severity="page")))
    [issue] = app.issues()
    assert issue.open and issue.title == "Incident: HighLatency (dashboard)"
    body = issue.body
    assert "severity page" in body and "@alice" in body and "@octo-org/sre" in body
    assert "`mobile-api`, `web`" in body  # the blast radius, through web
    bump, tune = body.index("(#12)"), body.index("(#7)")
    assert bump < tune and "a maintainer-bot change" in body[bump:tune]
    assert "(#13)" not in body  # docs are not the service's code
    assert "(#14)" not in body and "Cart cache" not in body  # after it started; too early
    assert "Service degradation affecting dashboard" in body

    app.notify(notification(alert("a1", service="dashboard"), alert("b2", service="dashboard")))
    assert [i.number for i in app.issues()] == [issue.number]  # edited in place

    ends = "2026-11-30T09:44:03Z"
    resolved = notification(
        alert("a1", status="resolved", ends=ends, service="dashboard"),
        alert("b2", status="resolved", ends=ends, service="dashboard"),
        status="resolved",
    )
    app.notify(resolved)
    [closed] = app.issues()
    assert closed.number == issue.number and not closed.open and "**Resolved**" in closed.body
    incident = app.store.incidents()[0]
    assert (incident.repository, incident.issue_number) == (REPO, issue.number)
    kinds = [e.kind for e in app.store.incident_timeline(incident.id)]
    assert kinds == ["firing", "triage", "update", "issue", "resolved", "issue", "postmortem"]


def test_an_alert_for_no_known_service_is_recorded_without_an_issue(app: App) -> None:
    app.notify(notification(alert("z9", service="billing")))
    assert app.issues() == []
    incident = app.store.incidents()[0]
    [*_, last] = app.store.incident_timeline(incident.id)
    assert last.kind == "unrouted" and "'billing'" in last.detail["reason"]


def resolve(app: App) -> None:
    ends = "2026-11-30T09:44:03Z"
    app.notify(notification(alert("a1", status="resolved", ends=ends), status="resolved"))


def test_a_resolved_incident_gets_one_post_incident_report_pr(app: App) -> None:
    shop = app.store.repository(REPO)
    assert shop is not None
    clock = [STARTED - timedelta(days=9)]
    app.store._clock = lambda: clock[0]  # the trend alert opened 9 days before
    app.store.record_trend_alert(
        shop.id,
        "trend-alert:p95",
        monitor="p95 latency",
        service="dashboard",
        issue_number=41,
        breached=False,
    )
    app.store.record_trend_alert(
        shop.id, "trend-alert:db", monitor="db conns", service="db", issue_number=42, breached=True
    )
    clock[0] = STARTED + timedelta(minutes=2)  # Alertmanager's group_wait and a delivery
    items = {"complexity:shop/cart.py:total": 2.5, "dead-code:lib/old.py:f": 1.0, "security:x": 3}
    sample = StoredSample("c" * 40, STARTED.date(), 71, {}, {}, (), items)
    app.store.put_health_sample(shop.id, sample)

    app.notify(notification(alert("a1", service="dashboard", severity="page")))
    incident = app.store.incidents()[0]
    app.store.add_incident_event(
        incident.id, "step", {"step": "restart", "by": "alice", "output": "HTTP 200 *done*"}
    )
    app.store.add_incident_event(incident.id, "comment", {"by": "bob", "text": "cache flushed"})
    clock[0] = STARTED + timedelta(minutes=31)
    resolve(app)

    [pull] = app.pulls()
    slug = "2026-11-30-incident-1-highlatency-dashboard"
    assert pull.draft and pull.open and pull.head_ref == f"maintainer/incident/{slug}"
    assert pull.title == "Post-incident report: HighLatency on dashboard (2026-11-30)"
    assert "incident" in pull.labels and f"docs/incidents/{slug}.md" in pull.body
    [issue] = app.issues()
    assert f"{REPO}#{issue.number}" in pull.body
    report = app.show(pull.head_ref, f"docs/incidents/{slug}.md")
    sections = [line for line in report.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Time to resolve",
        "## Root-cause candidates",
        "## Contributing factors",
        "## Prevention actions",
        "## Lessons",
    ]
    timeline = report[report.index("## Timeline") : report.index("## Time to resolve")]
    kinds = [line.split("**")[1] for line in timeline.splitlines() if line.startswith("- ")]
    assert kinds == ["firing", "triage", "step", "comment", "resolved"]
    assert "`HTTP 200 *done*`" in timeline  # a step's output, verbatim in a code span
    # detected at 09:16:03, resolved at 09:44:03 (the alerts' endsAt)
    assert "## Time to resolve\n\n**28 min**" in report
    assert "Resolved in 28 min, within the 30 min target" in report
    assert "No trend alert predicted it" not in report
    causes = report[report.index("## Root-cause candidates") : report.index("## Contributing")]
    bump, tune = causes.index("Bump requests"), causes.index("Tune the cart cache")
    assert bump < tune and "a maintainer-bot change" in causes[bump:tune]
    assert f"{REPO}#41: monitor `p95 latency`, opened 2026-11-21" in causes
    assert "#42" not in causes  # another service's alert
    factors = report[report.index("## Contributing factors") : report.index("## Prevention")]
    assert "`complexity:shop/cart.py:total`: 2.5" in factors
    assert "lib/old.py" not in factors and "security:x" not in factors  # not the service's
    actions = report[report.index("## Prevention actions") : report.index("## Lessons")]
    assert "revert PR of #12" in actions and f"issue {REPO}#41" in actions
    assert "runbooks/" not in actions  # a step ran: a runbook exists
    assert "Pay down `complexity:shop/cart.py:total`" in actions

    app.run(incident.id)  # a retry of the job
    assert [p.number for p in app.pulls()] == [pull.number]
    assert [e.kind for e in app.store.incident_timeline(incident.id)].count("postmortem") == 1
    [recorded] = [p for p in app.store.proposals(shop.id) if p.kind == "incident-report"]
    assert recorded.pr_number == pull.number and recorded.branch == pull.head_ref


def test_a_merged_report_is_not_proposed_again(app: App) -> None:
    app.notify(notification(alert("a1", service="dashboard")))
    resolve(app)
    [pull] = app.pulls()
    repo = app.harness.emulator.state.repo(REPO)
    assert repo is not None
    merged = repo.pulls[pull.number]
    merged.state, merged.merged = "closed", True
    incident = app.store.incidents()[0]
    app.run(incident.id)
    assert [p.number for p in app.pulls()] == [pull.number]


def test_a_firing_incident_has_no_report(app: App) -> None:
    app.notify(notification(alert("a1", service="dashboard")))
    assert app.pulls() == []
