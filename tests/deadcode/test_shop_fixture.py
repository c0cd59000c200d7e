"""End to end on fixtures/deadcode/shop: every trap kept, every dead symbol removed, and the
edited repository still compiles and passes its own tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config import parse_config
from app.output import scan_json
from tests.deadcode.support import (
    SHOP,
    apply,
    compile_all,
    git,
    proposed,
    removed_names,
    repo_from,
    reported_names,
    run_pytest,
    run_ruff,
    run_scan,
)

DEAD = {
    "shop/other.py::helper",
    "shop/other.py::UNUSED_LIMIT",
    "shop/other.py::_outer",
    "shop/other.py::_inner",
    "shop/helpers.py::dead_helper",
    "shop/service.py::Widget.never_called",
    "shop/service.py::Widget.unused_attr",
    "shop/api.py::_internal_unused",
    "shop/base.py::Child.orphan",
    "shop/handlers.py::dead_handler",
    "shop/legacy_dashboard_v1.py::shop.legacy_dashboard_v1",
    "shop/legacy_reexport.py::shop.legacy_reexport",
    "shop/__init__.py::old_thing",
    "tests/test_shop.py::_unused_test_helper",
}

TRAPS = {
    "shop/helpers.py::helper": "same name as the dead shop.other.helper, but imported",
    "shop/service.py::Widget.dynamic_method": 'getattr(widget, "dynamic_method")',
    "shop/service.py::Widget.template_only_method": "named in templates/page.html",
    "shop/service.py::LogHandler.emit": "overrides logging.Handler.emit",
    "shop/api.py::public_api": "__all__",
    "shop/cli.py::main": "console script in pyproject.toml",
    "shop/plugins/fancy.py::Plugin": "entry point in pyproject.toml",
    "shop/routes.py::index": "@app.route",
    "shop/routes.py::warm_up": "decorator pattern from .maintainer.yml",
    "tests/conftest.py::widget_name": "pytest fixture used by name",
    "shop/models.py::Settings.debug": "pydantic field",
    "shop/models.py::Point.y": "dataclass field",
    "shop/models.py::Color.GREEN": "enum member",
    "shop/models.py::Pair.right": "NamedTuple field",
    "shop/base.py::Child.hook": "overridden method",
    "shop/plugins/loaded.py::describe": "importlib.import_module",
    "shop/plugins/loaded.py::extra": "module imported dynamically",
    "shop/handlers.py::yaml_handler": "named in config/settings.yaml",
    "shop/receipts.py::Receipt": "TYPE_CHECKING import in a string annotation",
    "shop/helpers.py::keep_me_please": "whitelist",
    "shop/helpers.py::only_tested": "used by tests only: reported, not removed",
}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return repo_from(SHOP, tmp_path / "shop")


def test_every_dead_symbol_is_proposed_and_every_trap_kept(shop: Path) -> None:
    result = run_scan(shop)
    removed = removed_names(result)
    assert removed == DEAD
    for trap, why in TRAPS.items():
        assert trap not in removed, why
    assert result.errors == []


def test_tested_only_code_is_reported_as_such(shop: Path) -> None:
    result = run_scan(shop)
    assert reported_names(result) == {"shop/helpers.py::only_tested"}
    reported = next(f for f in result.findings if not f.proposable)
    assert "referenced only by tests" in reported.summary
    assert "remove_tested_only" in reported.summary


@pytest.mark.slow
def test_edits_keep_the_code_valid_and_the_fixture_tests_green(shop: Path) -> None:
    result = run_scan(shop)
    apply(shop, (e for f in proposed(result) for e in f.edits))
    assert not (shop / "shop/legacy_dashboard_v1.py").exists()
    assert not (shop / "shop/legacy_reexport.py").exists()
    compile_all(shop)
    helpers = (shop / "shop/helpers.py").read_text()
    assert "import json" not in helpers and "import os" in helpers
    assert "old_thing" not in (shop / "shop/__init__.py").read_text()
    assert "from shop.api import public_api" in (shop / "shop/__init__.py").read_text()
    outcome = run_pytest(shop)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    lint = run_ruff(shop, "check", "--select", "F")  # no undefined names, no unused imports
    assert lint.returncode == 0, lint.stdout
    formatted = run_ruff(shop, "format", "--check")  # the diff keeps the formatting
    assert formatted.returncode == 0, formatted.stdout
    rescan = run_scan(shop)
    assert removed_names(rescan) == set()


def test_proposals_are_batched_per_package(shop: Path) -> None:
    result = run_scan(shop)
    batches = {p.title: {f.batch for f in p.findings} for p in result.proposals}
    assert batches == {
        "Remove 12 unused definitions from shop": {"shop"},
        "Remove 1 unused definition from tests": {"tests"},
    }


def test_git_evidence_dates_each_symbol_and_module(shop: Path) -> None:
    other = shop / "shop/other.py"
    other.write_text(other.read_text().replace("nobody imports this one", "nobody imports"))
    git(shop, "commit", "-qam", "touch the dead helper", date="2026-10-01T10:00:00+00:00")
    result = run_scan(shop)
    symbols = {s.name: s for f in proposed(result) for s in f.detail.symbols}  # type: ignore[attr-defined]
    assert symbols["helper"].last_change is not None
    assert symbols["helper"].last_change.date.month == 10
    assert symbols["_outer"].last_change is not None
    assert symbols["_outer"].last_change.date.month == 3
    module = symbols["shop.legacy_dashboard_v1"]
    assert (module.lines, module.months_unchanged) == (14, 8)
    body = next(p.body for p in result.proposals if "shop" in p.title)
    assert (
        "Module `shop.legacy_dashboard_v1` has 0 imports, last modified 8 months ago, 14 lines"
        in body
    )
    assert "Module `shop.legacy_reexport` is imported only by code removed here" in body
    assert "| `helper` | function | `shop/other.py:4` | 3 | 2026-10-01" in body


def test_body_has_the_sections_and_the_table(shop: Path) -> None:
    body = run_scan(shop).proposals[0].body
    for heading in ("## What changes", "## Why", "## Risk", "## Rollback"):
        assert heading in body
    assert (
        "| Symbol | Kind | Location | Lines removed | Last modified | Confidence | Evidence |"
        in body
    )
    assert "no reference anywhere in the repository" in body
    assert "referenced only by dead code: `shop/other.py::_outer`" in body
    assert "Reverting brings every removed definition back exactly as it was" in body
    assert "`/maintainer explain`" in body  # the shared footer


def test_json_output_carries_the_symbols(shop: Path) -> None:
    document = json.loads(scan_json(run_scan(shop)))
    proposal = next(p for p in document["proposals"] if p["branch"] == "maintainer/dead-code/shop")
    helper = next(s for s in proposal["symbols"] if s["name"] == "helper")
    assert helper == {
        "name": "helper",
        "kind": "function",
        "file": "shop/other.py",
        "line": 4,
        "confidence": 100,  # no public-name doubt outside library mode
    }
    assert len(proposal["symbols"]) == 13
    assert document["reported"][0]["symbols"][0]["name"] == "only_tested"


@pytest.mark.slow
def test_remove_tested_only_takes_the_tests_along(shop: Path) -> None:
    config = parse_config(
        (shop / ".maintainer.yml")
        .read_text()
        .replace(
            "library_public_api: false", "library_public_api: false\n  remove_tested_only: true"
        )
    )
    result = run_scan(shop, config)
    removed = removed_names(result)
    assert {"shop/helpers.py::only_tested", "tests/test_shop.py::test_only_tested"} <= removed
    assert "tests/test_shop.py::only_tested" in removed  # the test module's import of it
    batches = {f.batch for f in proposed(result) if f.detail.file.startswith("tests/")}  # type: ignore[attr-defined]
    assert batches == {"shop"}  # the test edit must ship with the code it tests
    apply(shop, (e for f in proposed(result) for e in f.edits))
    compile_all(shop)
    outcome = run_pytest(shop)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "1 passed" in outcome.stdout
    assert run_ruff(shop, "check", "--select", "F").returncode == 0
    assert run_ruff(shop, "format", "--check").returncode == 0


def test_library_mode_reports_the_exported_surface_and_removes_internal_names(
    shop: Path,
) -> None:
    config = parse_config((shop / ".maintainer.yml").read_text().replace("false", "true"))
    result = run_scan(shop, config)
    removed = removed_names(result)
    # Public names that no package `__init__` offers are internal: ordinary candidates.
    assert {"shop/other.py::helper", "shop/helpers.py::dead_helper"} <= removed
    assert "shop/other.py::_outer" in removed
    # `old_thing` is offered by `shop/__init__.py`: removing it breaks importers.
    assert "shop/__init__.py::old_thing" not in removed
    assert "shop/legacy_reexport.py::shop.legacy_reexport" not in removed
    summaries = " ".join(f.summary for f in result.findings if not f.proposable)
    assert "old_thing" in summaries and "breaking for importers" in summaries


def test_library_mode_defaults_to_the_declared_distribution(shop: Path) -> None:
    text = (shop / ".maintainer.yml").read_text().replace("  library_public_api: false\n", "")
    result = run_scan(shop, parse_config(text))
    assert "shop/__init__.py::old_thing" not in removed_names(result)  # pyproject declares one
    assert "shop/legacy_reexport.py::old_thing" in reported_names(result)


def test_decorator_patterns_come_from_the_config(shop: Path) -> None:
    text = (shop / ".maintainer.yml").read_text().replace('  decorators: ["bus.on_*"]\n', "")
    removed = removed_names(run_scan(shop, parse_config(text)))
    assert "shop/routes.py::warm_up" in removed
    assert "shop/routes.py::index" not in removed


def test_threshold_moves_candidates_to_the_report(shop: Path) -> None:
    text = (shop / ".maintainer.yml").read_text() + "  threshold: 91\n"
    result = run_scan(shop, parse_config(text))
    assert "shop/service.py::Widget.never_called" in reported_names(result)  # a method: 90%
    assert "shop/other.py::_outer" in removed_names(result)
    assert "shop/other.py::_inner" in removed_names(result)  # only the dead `_outer` uses it
    reported = " ".join(f.summary for f in result.findings if not f.proposable)
    assert "confidence 90% is under the threshold 91%" in reported


def test_folder_batches(shop: Path) -> None:
    text = (shop / ".maintainer.yml").read_text() + "  batch: folder\n"
    result = run_scan(shop, parse_config(text))
    assert {f.batch for f in proposed(result)} == {"shop", "tests"}


def test_excluded_paths_still_count_as_references(shop: Path) -> None:
    text = (shop / ".maintainer.yml").read_text() + "paths:\n  exclude: [tests]\n"
    result = run_scan(shop, parse_config(text))
    removed = removed_names(result)
    assert removed == DEAD - {"tests/test_shop.py::_unused_test_helper"}
    assert reported_names(result) == {"shop/helpers.py::only_tested"}  # still used by tests


def test_risk_counts_each_kind_of_risk_once(shop: Path) -> None:
    proposal = next(p for p in run_scan(shop).proposals if p.branch.endswith("/shop"))
    texts = [f.text for f in proposal.risk.factors]
    assert proposal.risk.level.value == "medium"  # whole modules deleted + confidence < 90%
    assert texts.count("deletes whole modules") == 1
    assert texts.count("some removals have a confidence under 90%") == 1
    assert "`Widget.unused_attr` is removed with a confidence of 85%" in texts
