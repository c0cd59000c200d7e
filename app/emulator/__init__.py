"""A local, stateful GitHub for tests and `maintainer sandbox`: the REST endpoints the bot uses,
backed by real bare git repositories served over git's smart HTTP protocol.

Run it alone with `python -m app.emulator --port N [--data DIR]`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from app.emulator.app import create_app
from app.emulator.state import Installation, Repo, State

DEFAULT_APP_ID = 1
DEFAULT_SLUG = "maintainer-bot"


class Emulator:
    """The emulator's state and app, plus seeding helpers for in-process use."""

    def __init__(
        self,
        data_dir: Path,
        public_key: str,
        *,
        app_id: int = DEFAULT_APP_ID,
        app_slug: str = DEFAULT_SLUG,
        token_ttl: float | None = None,
        index_dir: Path | None = None,
    ) -> None:
        self.state = State(data_dir, app_id, app_slug, public_key)
        self.state.index_dir = index_dir
        if token_ttl is not None:
            self.state.token_ttl = token_ttl
        self.app: FastAPI = create_app(self.state)

    def seed(self, full_name: str, tree: Path | None = None, default_branch: str = "main") -> Repo:
        """A repository from a fixture tree; its owner becomes the admin user of that name."""
        owner, name = full_name.split("/", 1)
        return self.state.create_repo(owner, name, tree, default_branch)

    def install(self, installation_id: int, account: str, repositories: list[str]) -> Installation:
        return self.state.install(installation_id, account, repositories)

    def repo_path(self, full_name: str) -> Path:
        return self.state.repo_path(full_name)


__all__ = ["Emulator"]
