"""The deprecation analyzer on real git repositories made from the fixture tree."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import libcst as cst
import pytest

from app.analyzers.base import Adapters, ScanContext
from app.analyzers.deprecation import DeprecationAnalyzer, DeprecationDetail
from app.caches import Caches
from app.config import ConfigError, RepoConfig, parse_config
from app.deprecations.gating import applicable, lowest_allowed
from app.manifests import discover
from app.manifests.requirements import parse_requirements
from app.model import Kind, apply_edits
from app.risk import combine
from app.snapshot import snapshot_of
from app.templates import render_body
from codemods.base import Rule
from codemods.catalog import registered
from codemods.engine import fix_source
from codemods.info import Applies, ProjectFacts, RuleInfo, Safety
from codemods.registry import BY_ID
from tests.support import FIXTURES, make_repo

BEFORE = FIXTURES / "deprecations" / "before"
EXPECTED = FIXTURES / "deprecations" / "expected"
REQUIREMENTS = "numpy>=1.22,<2\njinja2==3.1.4\npydantic>=2.5\nrequests\n"


def context(
    repo: Path, config: RepoConfig | None = None, python: str = "3.11", cache: Path | None = None
) -> ScanContext:
    snapshot = snapshot_of(repo)
    return ScanContext(
        snapshot=snapshot,
        config=config or RepoConfig(),
        manifests=discover(snapshot),
        target_python=python,
        now=datetime(2026, 11, 27, tzinfo=UTC),
        adapters=Adapters(caches=Caches(cache)) if cache else Adapters(),
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", BEFORE, files={"requirements.txt": REQUIREMENTS})


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory):
    """One analysis with the default config, shared by the tests that only read it."""
    tmp_path = tmp_path_factory.mktemp("default")
    repo = make_repo(tmp_path / "repo", BEFORE, files={"requirements.txt": REQUIREMENTS})
    return analyze(repo, tmp_path)


def analyze(repo: Path, tmp_path: Path, **kwargs: object):
    analyzer = DeprecationAnalyzer(workers=1)
    analysis = analyzer.analyze(context(repo, cache=tmp_path / "cache", **kwargs))  # type: ignore[arg-type]
    return analyzer, analysis


def test_one_finding_per_family_with_whole_file_edits(default_run) -> None:
    _, analysis = default_run
    by_subject = {f.subject: f for f in analysis.findings}
    assert {
        "deprecation:unittest",
        "deprecation:numpy",
        "deprecation:pydantic",
        "deprecation:datetime",
    } <= set(by_subject)
    assert "deprecation:modernize" not in by_subject  # opt-in: style, not deprecation
    numpy = by_subject["deprecation:numpy"]
    assert numpy.kind is Kind.DEPRECATION and numpy.batch == "numpy"
    assert [e.path for e in numpy.edits] == ["app/service.py"]
    edit = numpy.edits[0]
    assert edit.offset == 0 and edit.old == (BEFORE / "app/service.py").read_text()
    assert "dtype=float) * np.nan" in (edit.new or "")
    assert "list[float]" not in (edit.new or "")  # the modernize family is opt-in
    assert numpy.detail.to_json() == {
        "rules": [
            {
                "id": "MB201",
                "summary": BY_ID["MB201"].info.summary,
                "safety": "safe",
                "link": BY_ID["MB201"].info.link,
                "locations": [{"file": "app/service.py", "line": 34}],
            },
            {
                "id": "MB203",
                "summary": BY_ID["MB203"].info.summary,
                "safety": "safe",
                "link": BY_ID["MB203"].info.link,
                "locations": [{"file": "app/service.py", "line": 34}],
            },
        ]
    }
    manual = [f for f in analysis.findings if not f.edits]
    assert manual and all(f.summary.startswith(("MB102 ", "MB116 ")) for f in manual)
    datetime_risk = combine(by_subject["deprecation:datetime"].risk_factors)
    assert datetime_risk.level.value == "medium"
    assert combine(numpy.risk_factors).level.value == "low"


def test_bad_files_are_errors_not_crashes(default_run) -> None:
    _, analysis = default_run
    messages = {e.file: e.message for e in analysis.errors}
    assert "generated" in messages["generated_pb2.py"]
    assert "UTF-8" in messages["latin1.py"]
    assert "syntax error" in messages["broken.py"]
    touched = {e.path for f in analysis.findings for e in f.edits}
    assert not touched & {"broken.py", "latin1.py", "generated_pb2.py"}


def test_single_batch_reproduces_the_expected_tree(repo: Path, tmp_path: Path) -> None:
    config = parse_config("deprecation:\n  batch: single\n  enable: [modernize]\n")
    _, analysis = analyze(repo, tmp_path, config=config)
    fixing = [f for f in analysis.findings if f.edits]
    assert len(fixing) == 1 and fixing[0].batch == "deprecations"
    for edit in fixing[0].edits:
        new = apply_edits((repo / edit.path).read_text(), [edit])
        assert new == (EXPECTED / edit.path).read_text(), edit.path
    assert {e.path for e in fixing[0].edits} == {
        "app/service.py",
        "app/legacy.py",
        "tests/test_service.py",
    }


def test_gating_by_target_python_and_manifests(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BEFORE, files={"requirements.txt": "pydantic<2\n"})
    _, analysis = analyze(repo, tmp_path, python="3.8")
    families = {f.batch for f in analysis.findings}
    assert "modernize" not in families  # opt-in, and builtin generics need 3.9
    assert "numpy" not in families and "jinja2" not in families  # not declared
    assert "pydantic" not in families  # v1 is allowed: v2 names would break
    assert "unittest" in families


def test_library_ranges(tmp_path: Path) -> None:
    def rules_for(requirements: str) -> set[str]:
        manifest = parse_requirements("requirements.txt", requirements)
        return {r.id for r in applicable(registered().rules, "3.12", [manifest])}

    assert {"MB201", "MB202"} <= rules_for("numpy==1.23.5\n")
    assert "MB202" not in rules_for("numpy>=2.0\n")  # np.bool is valid again in NumPy 2
    assert "MB202" not in rules_for("numpy\n")  # unbounded: may be NumPy 2
    assert "MB201" in rules_for("numpy\n")
    assert "MB212" in rules_for("pydantic==2.9.2\n")
    assert "MB212" not in rules_for("pydantic>=1.10\n")
    assert "MB208" in rules_for("SQLAlchemy>=1.4,<3\n")
    manifest = parse_requirements("requirements.txt", "numpy>=1.20,>=1.22,<2\n")
    assert str(lowest_allowed(manifest.dependencies[0])) == "1.22"


@pytest.mark.slow
def test_modernize_is_opt_in_and_respects_the_declared_floor(repo: Path, tmp_path: Path) -> None:
    def families(config: str, python: str = "3.11") -> set[str]:
        _, analysis = analyze(repo, tmp_path, config=parse_config(config), python=python)
        return {f.batch for f in analysis.findings if f.edits}

    default = families("")
    assert "modernize" not in default and {"numpy", "unittest"} <= default
    enabled = families("deprecation:\n  enable: [modernize]\n")
    assert enabled == default | {"modernize"}  # the opt-in family comes on top
    assert families("deprecation:\n  enable: [MB112, numpy]\n") == {"modernize", "numpy"}
    assert "modernize" not in families("deprecation:\n  enable: [modernize]\n", python="3.8")


def test_obsolete_guards_are_a_proposal_of_their_own(tmp_path: Path) -> None:
    guarded = (
        "try:\n    from collections.abc import Mapping\nexcept ImportError:\n"
        "    from collections import Mapping\n\nX = Mapping\n"
    )
    repo = make_repo(tmp_path / "r", BEFORE, files={"app/compat.py": guarded})
    _, analysis = analyze(repo, tmp_path, python="3.8")
    compat = [f for f in analysis.findings if f.batch == "compat"]
    assert [e.path for f in compat for e in f.edits] == ["app/compat.py"]
    assert compat[0].edits[0].new == "from collections.abc import Mapping\n\nX = Mapping\n"
    collections = [f for f in analysis.findings if f.batch == "collections"]
    assert "app/compat.py" not in {e.path for f in collections for e in f.edits}


def test_enable_and_disable(repo: Path, tmp_path: Path) -> None:
    config = parse_config("deprecation:\n  enable: [numpy, MB101]\n  disable: [MB203]\n")
    _, analysis = analyze(repo, tmp_path, config=config)
    ids = {r["id"] for f in analysis.findings for r in f.detail.to_json()["rules"]}
    assert ids == {"MB101", "MB201"}
    with pytest.raises(ConfigError) as error:
        parse_config("deprecation:\n  disable: [MB999]\n")
    assert "MB999" in str(error.value) and "line 2" in str(error.value)


def test_cache_serves_unchanged_files_and_reparses_changed_ones(repo: Path, tmp_path: Path) -> None:
    _, first = analyze(repo, tmp_path)
    assert "0 cached" in first.notes[-1]
    service = repo / "app" / "service.py"
    service.write_text(service.read_text().replace("np.NaN", "np.Inf"))
    _, second = analyze(repo, tmp_path)
    note = second.notes[-1]
    assert "1 parsed" in note, note
    numpy = next(f for f in second.findings if f.subject == "deprecation:numpy")
    assert "np.inf" in (numpy.edits[0].new or "")


def test_describe_and_body(default_run) -> None:
    analyzer, analysis = default_run
    numpy = [f for f in analysis.findings if f.batch == "numpy"]
    description = analyzer.describe(numpy, None)
    assert description.slug == "deprecations-numpy"
    assert "MB201" in description.commit_message
    details = [f.detail for f in numpy]
    assert all(isinstance(d, DeprecationDetail) for d in details)
    body = render_body(
        "deprecation",
        details=details,
        findings=numpy,
        group=None,
        risk=combine(f for x in numpy for f in x.risk_factors),
        restore=[],
        proposal_id="p1",
        config=RepoConfig(),
        total_libyears=0.0,
    )
    for section in ("## What changes", "## Why", "## Risk", "## Rollback"):
        assert section in body
    assert "| MB201 | `app/service.py:34` | `np.float` | `float` |" in body
    assert "removed in **NumPy 1.24**" in body


def test_a_fix_body_lists_the_manual_fixes_of_its_family(tmp_path: Path) -> None:
    source = (
        "import pkg_resources\n\n"
        'V = pkg_resources.get_distribution("x").version\n'
        'P = pkg_resources.resource_filename(__name__, "data")\n'
    )
    repo = make_repo(tmp_path / "r", BEFORE, files={"app/res.py": source})
    _, analysis = analyze(repo, tmp_path)
    fix = [f for f in analysis.findings if f.batch == "importlib" and f.edits]
    manual = [f for f in analysis.findings if f.batch == "importlib" and not f.edits]
    assert [f.summary.split(" -- ")[0] for f in manual] == [
        'MB128 app/res.py:4: pkg_resources.resource_filename(__name__, "data")'
    ]
    body = render_body(
        "deprecation",
        details=[f.detail for f in fix],
        findings=fix,
        group=None,
        risk=combine(f for x in fix for f in x.risk_factors),
        restore=[],
        proposal_id="p1",
        config=RepoConfig(),
        total_libyears=0.0,
    )
    assert "### Not changed: needs a manual fix" in body
    assert (
        '| MB128 | `app/res.py:4` | `pkg_resources.resource_filename(__name__, "data")` |' in body
    )
    assert "importlib.resources.files(package)" in body


class BreaksCode(Rule):
    """A deliberately wrong rule: its output does not compile."""

    info = RuleInfo(
        id="MB999",
        name="breaks",
        family="test",
        summary="breaks code",
        replaces="x",
        replacement="return",
        applies=Applies(),
        deprecated_since="never",
        removed_in=None,
        safety=Safety.SAFE,
        link="https://example.com",
        needles=("x",),
    )

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node.value != "x":
            return updated_node
        replacement = cst.Name("return")
        self.record(original_node, replacement)
        return replacement


def test_output_that_does_not_compile_is_left_untouched() -> None:
    outcome = fix_source("x = 1\n", {"test": [BreaksCode]}, ProjectFacts(), "m.py")
    batch = outcome.batches["test"]
    assert batch.new_text is None
    assert batch.error is not None and "does not compile" in batch.error
