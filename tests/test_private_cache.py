"""The suite never writes into the user's home cache (its commands inherit the environment)."""

from __future__ import annotations

from pathlib import Path

from app.caches import user_cache_root


def test_caches_are_private_to_the_test_session(private_cache_home: Path) -> None:
    home_cache = Path.home() / ".cache"
    assert user_cache_root().is_relative_to(private_cache_home)
    assert not user_cache_root().is_relative_to(home_cache)
