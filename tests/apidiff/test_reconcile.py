"""Planned batches and the migrations riding on bumps, with plain values."""

from __future__ import annotations

from dataclasses import replace

from app.apidiff.api import ApiChange, ChangeKind
from app.apidiff.enrich import reconcile
from app.apidiff.impact import Breaking, CallSite, Impact
from app.apidiff.migration import AppliedRule, Migration, RewrittenSite
from app.config import UpdateType
from app.model import Edit, Finding, Kind
from app.planner import Batch
from codemods.registry import BY_ID
from tests.support import modules_loaded_after
from tests.support.updates import update

SOURCE = "from jinja2 import Markup\n"


def bumped(package: str, new_source: str, rule: str) -> Finding:
    migration = Migration(
        rules=(AppliedRule(BY_ID[rule].info, (RewrittenSite("app.py", 1, "a", "b"),)),),
        edits=(Edit.replace_file("app.py", SOURCE, new_source),),
    )
    change = ApiChange(f"{package}.Markup", ChangeKind.REMOVED)
    impact = Impact(
        "1.0.0",
        "3.0.0",
        breaking=(Breaking(change.symbol, change, (CallSite("app.py", 1, rule),)),),
        migration=migration,
    )
    detail = replace(update(package, "3.0.0", UpdateType.MAJOR), impact=impact)
    manifest = Edit("requirements.txt", 0, "x", "y")
    return Finding(
        Kind.DEPENDENCY_UPDATE,
        f"requirements.txt:{package}",
        package,
        detail,
        (manifest, *migration.edits),
        risk_factors=impact.risk_factors(),
        batch="group",
    )


def test_a_group_keeps_one_migration_per_file_and_drops_the_superseded_deprecation_pr() -> None:
    first = bumped("jinja2", "from markupsafe import Markup\n", "MB206")
    second = bumped("werkzeug", "from hmac import compare_digest\n", "MB207")
    group = Batch(Kind.DEPENDENCY_UPDATE, "group:web", "web", (first, second))
    deprecation = Batch(Kind.DEPRECATION, "jinja2", None, ())
    other = Batch(Kind.DEPRECATION, "numpy", None, ())
    [kept, left] = reconcile([group, deprecation, other])
    assert left is other
    assert kept.findings[0] is first
    later = kept.findings[1]
    assert [e.path for e in later.edits] == ["requirements.txt"]
    impact = later.detail.impact  # type: ignore[attr-defined]
    assert impact.migration is None
    assert impact.breaking[0].call_sites[0].rewritten_by is None
    assert any(f.weight == 4 for f in later.risk_factors)
    assert not any("rewritten by the migration" in f.text for f in later.risk_factors)


def test_batches_without_a_version_change_reconcile_without_loading_the_migrations() -> None:
    """A dead-code scan imports `reconcile`; libcst and the codemod rules stay unloaded."""
    loaded = modules_loaded_after(
        "from app.apidiff.enrich import reconcile\n"
        "from app.model import Kind\n"
        "from app.planner import Batch\n"
        "batches = [Batch(Kind.DEAD_CODE, 'pkg', None, ())]\n"
        "assert reconcile(batches) == batches"
    )
    assert "libcst" not in loaded
    assert "app.apidiff.migration" not in loaded
