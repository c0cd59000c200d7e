"""The GitHub emulator on a loopback port, with an App key pair and seeding shortcuts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from app.emulator import Emulator
from app.emulator.keys import KeyPair, generate
from app.emulator.server import ServerThread
from app.github import AppCredentials, GitHub
from app.settings import Settings
from app.store import RepoRef, Store
from tests.support import FIXTURES, GIT_ENV, git

APP_ID = 4242
INSTALLATION_ID = 77
REPO = "octo-org/demo"
DEMO_TREE = FIXTURES / "demo-repo"


@cache
def app_keys() -> KeyPair:
    return generate()


@dataclass
class Harness:
    emulator: Emulator
    server: ServerThread
    data: Path

    @property
    def url(self) -> str:
        return self.server.url

    def github(self, **kwargs: Any) -> GitHub:
        credentials = AppCredentials(APP_ID, SecretStr(app_keys().private_pem))
        return GitHub(self.url, credentials, **{"write_interval": 0.0, **kwargs})

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = httpx.request(method, f"{self.url}/_emulator{path}", json=json)
        response.raise_for_status()
        return response

    def seed(self, full_name: str = REPO, tree: Path | None = DEMO_TREE) -> None:
        self.emulator.seed(full_name, tree)
        installation = self.emulator.state.installations.get(INSTALLATION_ID)
        repos = [*(installation.repositories if installation else []), full_name]
        self.emulator.install(INSTALLATION_ID, full_name.split("/")[0], repos)

    def publish(self, work: Path, full_name: str = REPO) -> None:
        """Serve the history of the local repository ``work`` as ``full_name`` (installed)."""
        bare = self.emulator.repo_path(full_name)
        bare.parent.mkdir(parents=True, exist_ok=True)
        git(work.parent, "clone", "-q", "--bare", str(work), str(bare))
        self.seed(full_name, None)

    def human_push(self, full_name: str, branch: str, files: dict[str, str], tmp: Path) -> str:
        """A commit by a person (not the bot) on `branch`, pushed straight to the bare repo."""
        bare = self.emulator.repo_path(full_name)
        work = tmp / f"human-{branch.replace('/', '-')}"
        if not work.exists():
            git(tmp, "clone", "-q", str(bare), str(work))
        git(work, "fetch", "-q", "origin")
        git(work, "checkout", "-q", "-B", branch, f"origin/{branch}")
        for relative, text in files.items():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            (work / relative).write_text(text)
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", "A human change")
        git(work, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        return git(work, "rev-parse", "HEAD").strip()


@contextmanager
def running_emulator(data: Path, **kwargs: Any) -> Iterator[Harness]:
    emulator = Emulator(data, app_keys().public_pem, app_id=APP_ID, **kwargs)
    with ServerThread(emulator.app) as server:
        yield Harness(emulator, server, data)


def settings_for(harness: Harness, tmp_path: Path) -> Settings:
    """The App's settings against this emulator, with its data under `tmp_path`."""
    return Settings(
        app_id=APP_ID,
        private_key=SecretStr(app_keys().private_pem),
        github_url=harness.url,
        data_dir=tmp_path / "data",
    )


def register(harness: Harness, store: Store, full_name: str = REPO) -> int:
    """Record the installation and a repository (the demo one by default) in `store`; returns
    the repository id."""
    repo = harness.emulator.state.repo(full_name)
    assert repo is not None
    store.upsert_installation(INSTALLATION_ID, "octo-org", "Organization")
    store.add_repositories(INSTALLATION_ID, [RepoRef(repo.id, full_name, False, "main")])
    return repo.id


__all__ = ["GIT_ENV", "Harness", "register", "running_emulator", "settings_for"]
