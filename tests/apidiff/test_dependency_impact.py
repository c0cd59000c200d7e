"""Dependency PRs that know what breaks: real jinja2 and six releases from the recorded index."""

from __future__ import annotations

import json

import pytest

from app.config import RepoConfig
from app.model import Kind, apply_edits
from app.output import proposal_json
from tests.apidiff.support import scan_with_distributions
from tests.support import make_repo

APP = """\
import jinja2
from jinja2 import Environment, contextfunction


@contextfunction
def current_user(context):
    return context.get("user")


def render(name):
    safe = jinja2.Markup("<b>%s</b>") % jinja2.escape(name)
    env = Environment()
    env.compile_templates("out", py_compile=True)
    return safe
"""

CONFIG = RepoConfig(open_pr_limit=50, enabled=[Kind.DEPENDENCY_UPDATE, Kind.DEPRECATION])


@pytest.mark.slow
def test_jinja2_major_update_lists_broken_call_sites_and_migrates(tmp_path, index) -> None:
    root = make_repo(
        tmp_path / "repo", files={"requirements.txt": "jinja2==2.11.3\n", "app/views.py": APP}
    )
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    kinds = [p.kind for p in result.proposals]
    assert kinds == [Kind.DEPENDENCY_UPDATE], (kinds, result.errors)
    proposal = result.proposals[0]
    assert "3.1.6" in proposal.title
    document = proposal_json(proposal)
    broken = {b["symbol"]: b for b in document["breaking"]}
    for symbol, line in (
        ("jinja2.Markup", 11),
        ("jinja2.escape", 11),
        ("jinja2.contextfunction", 2),
    ):
        assert {"file": "app/views.py", "line": line} in [
            {"file": s["file"], "line": s["line"]} for s in broken[symbol]["call_sites"]
        ], broken[symbol]
    assert any(s["line"] == 5 for s in broken["jinja2.contextfunction"]["call_sites"])
    kwarg = broken["jinja2.environment.Environment.compile_templates"]
    assert kwarg["change"] == "parameter removed: `py_compile`"
    assert [(s["file"], s["line"]) for s in kwarg["call_sites"]] == [("app/views.py", 13)]
    assert proposal.risk.level.value == "high"
    # The migration is in the same branch as the bump.
    assert set(proposal.files) == {"requirements.txt", "app/views.py"}
    views = [e for e in proposal.edits if e.path == "app/views.py"]
    migrated = apply_edits(APP, views)
    assert migrated is not None
    assert "@pass_context" in migrated and "contextfunction" not in migrated
    assert "markupsafe.Markup(" in migrated and "markupsafe.escape(" in migrated
    compile(migrated, "views.py", "exec")
    assert {m["rule"] for m in document["migration"]} == {"MB206", "MB215"}
    body = proposal.body
    assert "## What this update changes in our code" in body
    assert "`app/views.py:13`" in body
    assert "Draft includes migration" in body and "MB206" in body and "MB215" in body
    assert "Stop passing `py_compile`" in body
    json.dumps(document)
    print(body)


def test_without_the_bump_the_deprecation_pr_still_comes(tmp_path, index) -> None:
    """jinja2 declared without a pin: no version crossing to migrate with, so the deprecation
    analyzer's own markupsafe PR stays."""
    root = make_repo(tmp_path / "repo", files={"requirements.txt": "jinja2\n", "app/views.py": APP})
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    kinds = sorted(p.kind.value for p in result.proposals)
    assert kinds == ["deprecation"], (kinds, result.errors)


def test_release_notes_come_from_the_sdist_changelog(tmp_path, index) -> None:
    root = make_repo(
        tmp_path / "repo",
        files={"requirements.txt": "six==1.16.0\n", "lib.py": "import six\nsix.moves\n"},
    )
    result = scan_with_distributions(index, root, tmp_path / "cache", CONFIG)
    [proposal] = result.proposals
    body = proposal.body
    assert "### Release notes" in body
    assert "<details>" in body and "1.17.0" in body
    assert "from <code>CHANGES</code>" in body
    notes = body.split("### Release notes")[1].split("</details>")[0]
    assert "### 1.17.0" in notes and "### 1.16.0" not in notes
    assert proposal_json(proposal)["release_notes"] == ["1.17.0"]
