"""The CLI over the fixture tree: `codemods run all` turns before/ into expected/."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from codemods.registry import RULES
from tests.support import FIXTURES

BEFORE = FIXTURES / "deprecations" / "before"
EXPECTED = FIXTURES / "deprecations" / "expected"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_run_all_rewrites_the_before_tree_into_the_expected_tree(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(BEFORE, work)
    result = CliRunner().invoke(cli, ["codemods", "run", "all,modernize", str(work)])
    assert result.exit_code == 1  # the bad files are reported
    got, want = tree(work), tree(EXPECTED)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], name
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any("generated_pb2.py" in e and "@generated" in e for e in errors)
    assert any("latin1.py:3" in e and "UTF-8" in e for e in errors)
    assert any("broken.py" in e and "syntax error" in e for e in errors)
    assert "MB102 self.assertDictContainsSubset -> (manual fix: " in result.stderr


def test_run_one_rule_with_diff_changes_nothing(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(BEFORE, work)
    result = CliRunner().invoke(cli, ["codemods", "run", "MB101", str(work / "tests")])
    assert result.exit_code == 0, result.output
    assert "self.assertEqual(1, 1)" in (work / "tests" / "test_service.py").read_text()
    assert (work / "app" / "service.py").read_bytes() == (
        BEFORE / "app" / "service.py"
    ).read_bytes()
    diff = CliRunner().invoke(cli, ["codemods", "run", "numpy", "--diff", str(work / "app")])
    assert diff.exit_code == 0, diff.output
    assert "-    return np.asarray(values, dtype=np.float) * np.NaN" in diff.stdout
    assert "+    return np.asarray(values, dtype=float) * np.nan" in diff.stdout
    assert (work / "app" / "service.py").read_bytes() == (
        BEFORE / "app" / "service.py"
    ).read_bytes()


def test_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["codemods", "run", "MB999", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown rule 'MB999'" in result.output


def test_list_prints_every_rule() -> None:
    result = CliRunner().invoke(cli, ["codemods", "list"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES) >= 25
    assert any(line.startswith("MB109  conditional") for line in lines)
    assert any(line.startswith("MB212  safe") and "pydantic >=2" in line for line in lines)
