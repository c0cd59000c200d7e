"""An emulated GitHub with the demo repository scanned into real draft PRs, a real store, and
the event router wired to both: send a comment as someone, look at what changed."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.analyzers.base import Adapters
from app.emulator import deliveries
from app.events import Event, EventContext, router
from app.github import GitHub, Installation, PullRequest
from app.index.client import SimpleIndex
from app.service.scan_job import ScanJob, ScanReport, ScanRequest
from app.store import JobKind, ProposalRecord, Store
from tests.support import NOW, IndexServer
from tests.support.harness import DEMO_TREE, INSTALLATION_ID, REPO, Harness, register, settings_for

SLUG = "maintainer-bot"
BOT = f"{SLUG}[bot]"
# Enough room for every demo proposal to become a PR in one scan.
ROOMY = "hourly_pr_limit: 20\nopen_pr_limit: 20\n"


class RecordingJobs:
    def __init__(self) -> None:
        self.jobs: list[tuple[JobKind, str | None, dict[str, Any]]] = []

    def enqueue(
        self, kind: JobKind, repository: str | None, args: Mapping[str, Any] | None = None
    ) -> str:
        self.jobs.append((kind, repository, dict(args or {})))
        return uuid.uuid4().hex


class InstallationReplies:
    def __init__(self, github: GitHub) -> None:
        self.github = github

    def comment(self, installation_id: int, repository: str, number: int, body: str) -> None:
        self.github.installation(installation_id).comment(repository, number, body)


@dataclass
class World:
    harness: Harness
    store: Store
    github: GitHub
    index: IndexServer
    tmp: Path
    repo_id: int
    jobs: RecordingJobs = field(default_factory=RecordingJobs)

    @property
    def gh(self) -> Installation:
        return self.github.installation(INSTALLATION_ID)

    @property
    def context(self) -> EventContext:
        return EventContext(
            self.store,
            self.jobs,
            InstallationReplies(self.github),
            SLUG,
            github=self.github.installation,
            will_retry=lambda exc: True,  # as under the queue, with retries left
        )

    # -- the repository and its PRs ---------------------------------------------------------

    def configure(self, text: str) -> None:
        """Commit `.maintainer.yml` (the demo's, plus `text`) to main as a person."""
        demo = (DEMO_TREE / ".maintainer.yml").read_text()
        self.harness.human_push(REPO, "main", {".maintainer.yml": demo + text}, self.tmp)

    def scan(self, rebase: Sequence[str] = (), recreate: Sequence[str] = ()) -> ScanReport:
        job = ScanJob(
            settings_for(self.harness, self.tmp),
            self.store,
            self.github.installation,
            lambda: Adapters(index=SimpleIndex(self.index.url)),
            clock=lambda: NOW,
        )
        repository = self.store.repository(REPO)
        assert repository is not None
        return job.scan(repository, ScanRequest(frozenset(rebase), frozenset(recreate)))

    def pull(self, package: str) -> PullRequest:
        """The bot PR whose branch names `package` (or a group)."""
        found = [
            p
            for p in self.gh.pulls(REPO, state="all")
            if p.head_ref.startswith(f"maintainer/dependency-update/{package}")
        ]
        assert len(found) == 1, [p.head_ref for p in self.gh.pulls(REPO, state="all")]
        return found[0]

    def proposal(self, number: int) -> ProposalRecord:
        proposal = self.store.proposal_by_number(self.repo_id, number)
        assert proposal is not None
        return proposal

    def grant(self, login: str, permission: str) -> None:
        path = f"/repos/{REPO}/collaborators/{login}"
        self.gh.request("PUT", path, json={"permission": permission})

    # -- events ----------------------------------------------------------------------------------

    def admin(self, method: str, path: str, json: Any = None) -> Any:
        return self.harness.admin(method, path, json).json()

    def repository_json(self) -> Any:
        return self.admin("GET", f"/repos/{REPO}")

    def dispatch(self, name: str, payload: Mapping[str, Any]) -> int:
        return router.dispatch(Event(name, uuid.uuid4().hex, payload), self.context)

    def say(
        self,
        number: int,
        body: str,
        user: str = "octocat",
        *,
        issue: bool = False,
        action: str = "created",
        user_type: str = "User",
    ) -> dict[str, Any]:
        """A comment by `user` on #number, and its `issue_comment` webhook routed."""
        comment = self.admin(
            "POST", f"/repos/{REPO}/issues/{number}/comments", {"user": user, "body": body}
        )
        self.deliver_comment(number, comment, issue=issue, action=action, user_type=user_type)
        return dict(comment)

    def deliver_comment(
        self,
        number: int,
        comment: Mapping[str, Any],
        *,
        issue: bool = False,
        action: str = "created",
        user_type: str = "User",
    ) -> None:
        pull = self.gh.request("GET", f"/repos/{REPO}/pulls/{number}")
        payload = deliveries.issue_comment(INSTALLATION_ID, self.repository_json(), pull, comment)
        payload["action"] = action
        payload["comment"]["user"]["type"] = user_type
        if issue:
            del payload["issue"]["pull_request"]
        self.dispatch("issue_comment", payload)

    def ask_and_scan(self, number: int, command: str) -> None:
        """A maintainer's `rebase` / `recreate` on #number, then the scan job it queued."""
        self.say(number, f"/maintainer {command}", user="octo-org")
        _, _, args = self.jobs.jobs[-1]
        self.scan(rebase=args.get("rebase", ()), recreate=args.get("recreate", ()))

    def ci(self, sha: str, name: str, status: str, conclusion: str | None = None) -> int:
        """A check run by CI (not the bot) on `sha`; with a conclusion, its completed event."""
        body: dict[str, Any] = {"name": name, "head_sha": sha, "status": status}
        if conclusion is not None:
            body["conclusion"] = conclusion
        run = self.gh.request("POST", f"/repos/{REPO}/check-runs", json=body)
        if conclusion is not None:
            payload = copy.deepcopy(deliveries.template("check_suite", "completed"))
            payload["check_suite"].update(head_sha=sha, conclusion=conclusion, head_branch=None)
            payload["repository"] = {**payload["repository"], **self.repository_json()}
            payload["installation"] = {"id": INSTALLATION_ID}
            self.dispatch("check_suite", payload)
        return int(run["id"])

    def pull_closed(self, number: int) -> None:
        payload = copy.deepcopy(deliveries.template("pull_request", "closed"))
        pull = self.gh.request("GET", f"/repos/{REPO}/pulls/{number}")
        payload.update(number=number, pull_request=pull, installation={"id": INSTALLATION_ID})
        payload["repository"] = {**payload["repository"], **self.repository_json()}
        self.dispatch("pull_request", payload)

    # -- what happened ---------------------------------------------------------------------------

    def reactions(self, comment_id: int) -> list[str]:
        listed = self.gh.request("GET", f"/repos/{REPO}/issues/comments/{comment_id}/reactions")
        return [r["content"] for r in listed]

    def replies(self, number: int) -> list[str]:
        return [c.body for c in self.gh.comments(REPO, number) if c.user_login == BOT]


def make_world(
    harness: Harness, store: Store, index: IndexServer, tmp: Path, config: str = ""
) -> World:
    repo_id = register(harness, store)
    world = World(harness, store, harness.github(), index, tmp, repo_id)
    world.configure(ROOMY + config)
    world.scan()
    return world
