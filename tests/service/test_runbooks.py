"""Runbooks end to end: the emulator holds the repository (with `runbooks/HighLatency.yml`) and
the incident issue, a local HTTP server plays the operator's action endpoints. Auto steps run
when the incident opens and their result shows in the issue; a writer's `/maintainer run` runs
a manual step (a reader's does not); a redelivered comment runs nothing twice; an endpoint
outside the allowlist is never contacted; a bad runbook is recorded and shown; a rollback step
opens a draft PR reverting the first suspect."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from app.config import parse_config
from app.emulator import deliveries
from app.events import Event, EventContext, router
from app.github import GitHub, Issue
from app.incidents.alertmanager import parse
from app.queue import Queue, RetryPolicy, build_huey
from app.service.incident_job import IncidentJob
from app.settings import Settings
from app.store import JobKind, JobStatus, Store, open_store
from tests.incidents.payloads import alert, encoded, notification
from tests.service.test_incident_job import CONFIG, STARTED
from tests.service.test_report_job import Replies
from tests.support import dated_commit, git
from tests.support.harness import INSTALLATION_ID, Harness, register, settings_for
from tests.support.local_server import QuietHandler, serving

REPO = "octo-org/shop"
SLUG = "maintainer-bot"
TOKEN = "runbook-token-123"
RUNBOOK = """
description: p95 latency of the dashboard
steps:
  - name: page-cache
    kind: http
    endpoint: cache
    body: {flush: dashboard}
    auto: true
  - name: restart-web
    kind: restart
    endpoint: ops
  - name: scale-far
    kind: scale
    endpoint: somewhere-else
    replicas: 4
  - name: revert
    kind: rollback
"""


class Endpoint(QuietHandler):
    """The operator's action endpoints: records every request, answers 200 (or 503 on /down)."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        Endpoint.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "body": json.loads(body) if body else None,
            }
        )
        status = 503 if self.path.startswith("/down") else 200
        data = json.dumps({"done": self.path}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = _answer
    do_GET = _answer


@dataclass
class App:
    harness: Harness
    store: Store
    queue: Queue
    github: GitHub
    work: Path

    def notify(self, body: dict[str, object]) -> int:
        incident, _ = self.store.record_alerts(parse(encoded(body)))
        assert incident is not None
        self.run(self.queue.enqueue(JobKind.INCIDENT, None, {"incident": incident.id}))
        return incident.id

    def run(self, job: str) -> None:
        self.queue.run_job(job)
        done = self.store.job(job)
        assert done is not None and done.status is JobStatus.SUCCEEDED, done

    def run_queued(self) -> int:
        queued = [j for j in self.store.jobs(JobStatus.QUEUED) if j.kind == JobKind.INCIDENT]
        for job in queued:
            self.run(job.id)
        return len(queued)

    def issues(self) -> list[Issue]:
        return self.github.installation(INSTALLATION_ID).issues(REPO, state="all")

    def comment_payload(self, number: int, body: str, user: str) -> dict[str, Any]:
        comment = self.harness.admin(
            "POST", f"/repos/{REPO}/issues/{number}/comments", {"user": user, "body": body}
        ).json()
        issue = self.github.installation(INSTALLATION_ID).request(
            "GET", f"/repos/{REPO}/issues/{number}"
        )
        repository = self.harness.admin("GET", f"/repos/{REPO}").json()
        return deliveries.issue_comment(INSTALLATION_ID, repository, issue, comment)

    def deliver(self, payload: dict[str, Any]) -> None:
        context = EventContext(
            self.store, self.queue, Replies(self.github), SLUG, github=self.github.installation
        )
        router.dispatch(Event("issue_comment", uuid.uuid4().hex, payload), context)

    def say(self, number: int, body: str, user: str) -> dict[str, Any]:
        payload = self.comment_payload(number, body, user)
        self.deliver(payload)
        return payload

    def comments(self, number: int) -> list[str]:
        gh = self.github.installation(INSTALLATION_ID)
        return [c.body for c in gh.comments(REPO, number) if c.user_login == f"{SLUG}[bot]"]

    def steps(self, incident: int) -> list[dict[str, Any]]:
        return [e.detail for e in self.store.incident_timeline(incident) if e.kind == "step"]

    def push_runbook(self, text: str) -> None:
        """A new commit on main changing the runbook (after the incident started)."""
        dated_commit(self.work, {"runbooks/HighLatency.yml": text}, "Runbook", STARTED, "carol")
        git(self.work, "push", "-q", str(self.harness.emulator.repo_path(REPO)), "main")


@pytest.fixture
def endpoint() -> Iterator[str]:
    Endpoint.seen = []
    with serving(Endpoint) as url:
        yield url


def make_app(harness: Harness, tmp_path: Path, endpoint: str, runbook: str) -> App:
    base = settings_for(harness, tmp_path)
    urls = {"cache": f"{endpoint}/cache", "ops": f"{endpoint}/ops", "down": f"{endpoint}/down"}
    settings = Settings(
        **{
            **base.model_dump(),
            "workers": 0,
            "runbook_endpoints": json.dumps(urls),
            "runbook_token": TOKEN,
        }
    )
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    queue = Queue(build_huey(settings), store, RetryPolicy(retries=0), settings.tick_minutes)
    github = harness.github()
    queue.handlers[JobKind.INCIDENT] = IncidentJob(settings, store, github.installation)

    work = tmp_path / "shop-work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    hours = timedelta(hours=1)
    first = {"shop/cart.py": "CACHE = 10\n", ".maintainer.yml": CONFIG}
    if runbook:
        first["runbooks/HighLatency.yml"] = runbook
    dated_commit(work, first, "Cart cache", STARTED - 30 * hours, "carol")
    dated_commit(
        work,
        {"shop/cart.py": "CACHE = 60\n"},
        "Tune the cart cache (#7)",
        STARTED - 3 * hours,
        "dave",
    )
    harness.publish(work, REPO)
    register(harness, store, REPO)
    record = store.repository(REPO)
    assert record is not None
    store.save_valid_config(record.id, parse_config(CONFIG, ".maintainer.yml"), None)
    return App(harness, store, queue, github, work)


@pytest.fixture
def app(harness: Harness, tmp_path: Path, endpoint: str) -> Iterator[App]:
    made = make_app(harness, tmp_path, endpoint, RUNBOOK)
    yield made
    made.github.close()
    made.store.engine.dispose()


def _with_runbook_url() -> dict[str, Any]:
    body = notification(alert("a1", service="dashboard"))
    body["commonAnnotations"]["runbook_url"] = "https://wiki.example/runbooks/high-latency"
    return body


def test_an_auto_step_runs_when_the_incident_opens_and_its_result_is_in_the_issue(
    app: App,
) -> None:
    incident = app.notify(_with_runbook_url())
    [request] = Endpoint.seen
    assert request["method"] == "POST" and request["path"] == "/cache"
    assert request["auth"] == f"Bearer {TOKEN}" and request["body"] == {"flush": "dashboard"}
    [run] = app.steps(incident)
    assert run["step"] == "page-cache" and run["trigger"] == "auto" and run["ok"]
    assert run["status"] == 200 and run["actor"] == f"{SLUG}[bot]" and "/cache" in run["output"]
    [issue] = app.issues()
    body = issue.body
    assert "### Runbook" in body and "`runbooks/HighLatency.yml`" in body
    assert "(https://wiki.example/runbooks/high-latency)" in body  # for people to follow
    assert "| `page-cache` | http → `cache` | auto | ✅" in body and "HTTP 200" in body
    assert "`/maintainer run restart-web`" in body
    assert "`somewhere-else` (**not allowlisted**)" in body
    assert TOKEN not in body and "127.0.0.1" not in body  # never the token nor the address

    app.notify(notification(alert("a1", service="dashboard"), alert("b2", service="dashboard")))
    assert len(Endpoint.seen) == 1  # an update of the same incident runs nothing again
    assert [i.number for i in app.issues()] == [issue.number]


def test_a_writer_runs_a_manual_step_a_reader_is_refused(app: App) -> None:
    incident = app.notify(notification(alert("a1", service="dashboard")))
    [issue] = app.issues()
    Endpoint.seen.clear()

    app.say(issue.number, "/maintainer run restart-web", user="stranger")  # read access
    assert app.run_queued() == 0 and Endpoint.seen == []
    assert "needs write, maintain or admin permission" in app.comments(issue.number)[-1]

    payload = app.say(issue.number, "/maintainer run restart-web", user="octo-org")
    assert "Running the runbook step `restart-web`" in app.comments(issue.number)[-1]
    assert app.run_queued() == 1
    [request] = Endpoint.seen
    assert request["path"] == "/ops" and request["body"] == {
        "action": "restart",
        "alertname": "HighLatency",
        "incident": incident,
        "service": "dashboard",
    }
    [_, run] = app.steps(incident)
    assert (run["step"], run["trigger"], run["actor"]) == ("restart-web", "command", "octo-org")
    assert run["comment"] == payload["comment"]["id"] and run["status"] == 200
    result = app.comments(issue.number)[-1]
    assert "@octo-org ran the runbook step `restart-web` (restart): ✅ done, HTTP 200" in result
    [edited] = app.issues()
    assert "| `restart-web` | restart → `ops` | `/maintainer run restart-web` | ✅" in edited.body

    app.say(issue.number, "/maintainer run no-such-step", user="octo-org")
    assert app.run_queued() == 0
    assert "the runbook has no step `no-such-step`" in app.comments(issue.number)[-1]


def test_a_redelivered_comment_or_a_retried_job_runs_the_step_once(app: App) -> None:
    incident = app.notify(notification(alert("a1", service="dashboard")))
    [issue] = app.issues()
    Endpoint.seen.clear()
    payload = app.say(issue.number, "/maintainer run restart-web", user="octo-org")
    app.deliver(payload)  # GitHub redelivers the same comment
    [job] = [j for j in app.store.jobs(JobStatus.QUEUED) if j.kind == JobKind.INCIDENT]
    app.run(job.id)
    # The queue runs the same job again (a retry after a crash): the comment ran already.
    again = app.queue.enqueue(JobKind.INCIDENT, None, dict(job.args))
    app.run(again)
    assert len(Endpoint.seen) == 1
    assert [r["step"] for r in app.steps(incident)] == ["page-cache", "restart-web"]


def test_an_endpoint_outside_the_allowlist_is_refused_and_never_contacted(app: App) -> None:
    incident = app.notify(notification(alert("a1", service="dashboard")))
    [issue] = app.issues()
    Endpoint.seen.clear()
    app.say(issue.number, "/maintainer run scale-far", user="octo-org")
    assert app.run_queued() == 1
    assert Endpoint.seen == []
    run = app.steps(incident)[-1]
    assert run["step"] == "scale-far" and run["refused"] and not run["ok"]
    assert run["status"] is None
    answer = app.comments(issue.number)[-1]
    assert "❌ refused" in answer and "somewhere\\-else" in answer
    assert "not in the service's allowlist" in answer and "nothing was sent" in answer


def test_a_failing_endpoint_is_recorded_as_failed(
    harness: Harness, tmp_path: Path, endpoint: str
) -> None:
    runbook = "steps:\n  - {name: flip, kind: http, endpoint: down, method: GET, auto: true}\n"
    app = make_app(harness, tmp_path, endpoint, runbook)
    try:
        incident = app.notify(notification(alert("a1", service="dashboard")))
        [run] = app.steps(incident)
        assert not run["ok"] and run["status"] == 503 and not run["refused"]
        assert Endpoint.seen[0]["method"] == "GET" and Endpoint.seen[0]["body"] is None
        assert "| `flip` | http → `down` | auto | ❌" in app.issues()[0].body
    finally:
        app.github.close()
        app.store.engine.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steps:\n  - {name: x, kind: reboot, endpoint: ops}\n", "steps.0.kind"),
        ("steps:\n  - {name: x, kind: http, url: 'http://evil.example/'}\n", "steps.0.url"),
        ("steps: [\n", "runbooks/HighLatency.yml, line"),
    ],
)
def test_a_bad_runbook_is_recorded_and_shown_and_nothing_runs(
    harness: Harness, tmp_path: Path, endpoint: str, text: str, expected: str
) -> None:
    app = make_app(harness, tmp_path, endpoint, text)
    try:
        incident = app.notify(notification(alert("a1", service="dashboard")))
        assert Endpoint.seen == []
        [error] = [e for e in app.store.incident_timeline(incident) if e.kind == "runbook_error"]
        assert expected in error.detail["error"]
        [issue] = app.issues()
        assert "cannot be used" in issue.body and "Nothing in it runs" in issue.body
        app.say(issue.number, "/maintainer run x", user="octo-org")
        assert app.run_queued() == 0
        assert "its runbook cannot be used" in app.comments(issue.number)[-1]
        app.notify(notification(alert("a1", service="dashboard"), alert("b2")))
        kinds = [e.kind for e in app.store.incident_timeline(incident)]
        assert kinds.count("runbook_error") == 1  # recorded once, not at every notification
    finally:
        app.github.close()
        app.store.engine.dispose()


def test_a_runbook_fixed_later_is_read_again(app: App) -> None:
    app.push_runbook("steps:\n  - {name: only, kind: restart, endpoint: ops}\n")
    incident = app.notify(notification(alert("a1", service="dashboard")))
    assert Endpoint.seen == []  # no auto step in this one
    [issue] = app.issues()
    assert "| `only` |" in issue.body and "page-cache" not in issue.body
    [recorded] = [e for e in app.store.incident_timeline(incident) if e.kind == "runbook"]
    assert [s["name"] for s in recorded.detail["steps"]] == ["only"]


def test_rollback_opens_a_draft_revert_of_the_first_suspect(app: App) -> None:
    incident = app.notify(notification(alert("a1", service="dashboard")))
    [issue] = app.issues()
    gh = app.github.installation(INSTALLATION_ID)
    app.say(issue.number, "/maintainer run revert", user="octo-org")
    assert app.run_queued() == 1
    run = app.steps(incident)[-1]
    assert run["ok"] and run["pull"] is not None, run
    pull = gh.pull(REPO, run["pull"])
    assert pull.draft and pull.head_ref.startswith("maintainer/revert/")
    assert pull.title == 'Revert "Tune the cart cache (#7)"' and pull.base_ref == "main"
    shown = subprocess.run(
        ["git", "show", f"{pull.head_sha}:shop/cart.py"],
        cwd=app.harness.emulator.repo_path(REPO),
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "CACHE = 10\n"  # the suspect undone
    assert f"#{pull.number}" in app.comments(issue.number)[-1]

    app.say(issue.number, "/maintainer run revert", user="octo-org")  # a second comment
    assert app.run_queued() == 1
    assert app.steps(incident)[-1]["pull"] == pull.number  # the same PR, not a second one
    assert len(gh.pulls(REPO, state="all")) == 1


def test_without_a_runbook_run_is_refused_and_the_alerts_runbook_url_is_linked(
    harness: Harness, tmp_path: Path, endpoint: str
) -> None:
    app = make_app(harness, tmp_path, endpoint, "")
    try:
        app.notify(_with_runbook_url())
        [issue] = app.issues()
        assert "The alert's runbook for people:" in issue.body
        assert "(https://wiki.example/runbooks/high-latency)" in issue.body
        app.say(issue.number, "/maintainer run restart-web", user="octo-org")
        assert app.run_queued() == 0
        assert "this incident has no runbook" in app.comments(issue.number)[-1]
    finally:
        app.github.close()
        app.store.engine.dispose()


def test_run_elsewhere_is_refused(app: App) -> None:
    app.notify(notification(alert("a1", service="dashboard")))
    gh = app.github.installation(INSTALLATION_ID)
    other = gh.create_issue(REPO, title="Not an incident", body="", labels=())
    app.say(other.number, "/maintainer run restart-web", user="octo-org")
    assert app.run_queued() == 0
    assert "works only on its incident issue" in app.comments(other.number)[-1]


def test_an_unusable_allowlist_setting_refuses_runs_and_keeps_the_issue(
    harness: Harness, tmp_path: Path, endpoint: str
) -> None:
    app = make_app(harness, tmp_path, endpoint, RUNBOOK)
    job = app.queue.handlers[JobKind.INCIDENT]
    assert isinstance(job, IncidentJob)
    job.settings = Settings(**{**job.settings.model_dump(), "runbook_endpoints": "{not json"})
    try:
        incident = app.notify(notification(alert("a1", service="dashboard")))
        assert Endpoint.seen == []
        [run] = app.steps(incident)
        assert run["refused"] and "MAINTAINER_RUNBOOK_ENDPOINTS: not a JSON object" in run["output"]
        [issue] = app.issues()
        assert "| `page-cache` | http → `cache` (**not allowlisted**) | auto | ❌" in issue.body
    finally:
        app.github.close()
        app.store.engine.dispose()


def test_an_auto_step_claimed_by_another_job_is_not_run_again(app: App) -> None:
    """Incident jobs are queued without a repository, so two can run at once: the step's claim
    in the store decides which one runs it."""
    incident, _ = app.store.record_alerts(
        parse(encoded(notification(alert("a1", service="dashboard"))))
    )
    assert incident is not None
    assert app.store.claim_step(incident.id, "page-cache", "auto")  # the other job has it
    app.run(app.queue.enqueue(JobKind.INCIDENT, None, {"incident": incident.id}))
    assert Endpoint.seen == [] and app.steps(incident.id) == []
    [issue] = app.issues()
    assert "| `page-cache` | http → `cache` | auto | not run |" in issue.body
