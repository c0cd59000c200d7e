"""The suite never writes into the user's home cache (its commands inherit the environment)."""

from __future__ import annotations

from pathlib import Path

from app.apidiff.distributions import default_dist_dir
from app.index.client import default_cache_dir


def test_caches_are_private_to_the_test_session(private_cache_home: Path) -> None:
    home_cache = Path.home() / ".cache"
    for directory in (default_cache_dir(), default_dist_dir()):
        assert directory.is_relative_to(private_cache_home)
        assert not directory.is_relative_to(home_cache)
