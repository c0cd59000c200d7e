"""The analyzer registry imports an analyzer only when its kind is asked for."""

from __future__ import annotations

from app.analyzers import ANALYZERS
from app.model import Kind
from tests.support import modules_loaded_after

ANALYZER_MODULES = {
    "app.analyzers.dependencies",
    "app.analyzers.security",
    "app.analyzers.deprecation",
    "app.analyzers.dead_code",
    "app.analyzers.lock_maintenance",
}


def test_order_and_kinds_unchanged() -> None:
    assert list(ANALYZERS) == [
        Kind.DEPENDENCY_UPDATE,
        Kind.SECURITY,
        Kind.DEPRECATION,
        Kind.DEAD_CODE,
        Kind.LOCK_FILE_MAINTENANCE,
    ]
    assert len(ANALYZERS) == 5
    assert Kind.DEAD_CODE in ANALYZERS


def test_listing_the_kinds_imports_no_analyzer() -> None:
    loaded = modules_loaded_after("from app.analyzers import ANALYZERS\nlist(ANALYZERS)")
    assert not loaded & ANALYZER_MODULES
    assert "libcst" not in loaded


def test_asking_for_dead_code_imports_only_its_analyzer() -> None:
    loaded = modules_loaded_after(
        "from app.analyzers import analyzer_for\n"
        "from app.model import Kind\n"
        "analyzer_for(Kind.DEAD_CODE)"
    )
    assert loaded & ANALYZER_MODULES == {"app.analyzers.dead_code"}
    assert "libcst" not in loaded


def test_each_kind_gives_its_analyzer() -> None:
    for kind in ANALYZERS:
        assert ANALYZERS[kind].kind is kind
