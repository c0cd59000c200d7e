"""Which manifests a scan reads: setup.py (statically), and none in test data or vendored code
unless `.maintainer.yml` says otherwise; the declared Python floor is kept as declared."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.analyzers.base import Adapters
from app.config import parse_config
from app.index.client import SimpleIndex
from app.manifests import discover
from app.model import Kind, apply_edits
from app.pipeline import scan, target_python
from app.snapshot import snapshot_of
from tests.support import IndexServer, make_repo

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SETUP_PY = """\
from setuptools import setup

setup(
    name="oldlib",
    python_requires=">=3.6.1",
    install_requires=["requests==2.28.0", "six>=1.10"],
    extras_require={"yaml": ["pyyaml==5.4.1"]},
)
"""
VENDORED_SETUP_PY = "from setuptools import setup\nsetup(install_requires=['six==1.10.0'])\n"
OLD_STYLE = """\
import asyncio
from typing import List


async def main() -> List[int]:
    loop = asyncio.get_event_loop()
    return [loop.time()]
"""


def dependency_scan(repo: Path, index: IndexServer, config: str = "") -> object:
    settings = parse_config(config + "min_release_age_days: 0\nopen_pr_limit: 50\n")
    adapters = Adapters(index=SimpleIndex(index.url))
    return scan(repo, adapters, only=[Kind.DEPENDENCY_UPDATE], now=NOW, config=settings)


def test_setup_py_dependencies_get_span_exact_updates(tmp_path: Path, index: IndexServer) -> None:
    # (requests 2.28 already needs Python 3.7: no newer release is allowed for >=3.6.1)
    setup_py = SETUP_PY.replace(">=3.6.1", ">=3.8")
    repo = make_repo(tmp_path / "lib", files={"setup.py": setup_py})
    result = scan(
        repo,
        Adapters(index=SimpleIndex(index.url)),
        only=[Kind.DEPENDENCY_UPDATE],
        now=NOW,
        config=parse_config("min_release_age_days: 0\nopen_pr_limit: 50\n"),
    )
    assert "no dependency manifests with dependencies found" not in result.notes
    requests = next(p for p in result.proposals if "requests" in p.title)
    [edit] = requests.edits
    assert edit.path == "setup.py" and edit.old == "==2.28.0"
    text = (repo / "setup.py").read_text()
    assert apply_edits(text, [edit]) == setup_py.replace("requests==2.28.0", f"requests{edit.new}")


def test_python_requires_floor_below_the_known_rules_is_respected(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "lib", files={"setup.py": SETUP_PY, "oldlib/io.py": OLD_STYLE})
    snapshot = snapshot_of(repo)
    assert target_python(parse_config(""), discover(snapshot)) == "3.6"
    result = scan(repo, Adapters(), only=[Kind.DEPRECATION], now=NOW)
    # MB111 (needs 3.7) and MB112 (needs 3.9) would break Python 3.6, which the project declares
    assert result.proposals == []
    assert result.findings == []


def test_classifiers_give_the_floor_when_python_requires_is_missing(tmp_path: Path) -> None:
    pyproject = (
        '[project]\nname = "x"\nversion = "1"\n'
        'classifiers = ["Programming Language :: Python :: 3.7", '
        '"Programming Language :: Python :: 3.12"]\n'
    )
    repo = make_repo(tmp_path / "lib", files={"pyproject.toml": pyproject})
    assert target_python(parse_config(""), discover(snapshot_of(repo))) == "3.7"


def test_manifests_in_test_data_and_vendored_code_are_skipped(
    tmp_path: Path, index: IndexServer
) -> None:
    repo = make_repo(
        tmp_path / "app",
        files={
            "requirements.txt": "requests==2.28.0\n",
            "fixtures/demo-repo/requirements.txt": "flask==2.0.0\n",
            "tests/data/requirements.txt": "click==8.0.1\n",
            "src/vendor/thing/setup.py": VENDORED_SETUP_PY,
            "web/node_modules/x/requirements.txt": "pyyaml==5.4.1\n",
        },
    )
    result = dependency_scan(repo, index)
    packages = {p.title.split()[1] for p in result.proposals}  # type: ignore[attr-defined]
    assert packages == {"requests"}
    [note] = [n for n in result.notes if "skipped" in n]  # type: ignore[attr-defined]
    assert "4 manifests in test data or vendored code skipped" in note
    assert "fixtures/demo-repo/requirements.txt" in note and "paths.ignore_manifests_in" in note

    everything = dependency_scan(repo, index, "paths: {ignore_manifests_in: []}\n")
    packages = {p.title.split()[1] for p in everything.proposals}  # type: ignore[attr-defined]
    assert packages == {"requests", "flask", "click", "six", "pyyaml"}


def test_this_repository_gets_no_proposal_for_its_fixtures(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return
    snapshot = snapshot_of(root)
    config = parse_config("")
    read = {m.path for m in discover(snapshot, config.paths.ignore_manifests_in)}
    assert read and not any(p.startswith(("fixtures/", "tests/")) for p in read)
    assert any(p.startswith("fixtures/") for p in snapshot.files if p.endswith(".txt"))


def test_hostile_manifests_are_errors_not_crashes(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        files={
            "pyproject.toml": "a = " + "[" * 50_000 + "]" * 50_000 + "\n",
            "sub/pyproject.toml": "a = " + "1" * 5_000 + "\n",
            "big/requirements.txt": "requests==2.0\n" + "#" * 2_100_000 + "\n",
            "requirements.txt": "requests==2.28.0\n",
        },
    )
    manifests = {m.path: m for m in discover(snapshot_of(repo))}
    assert "nested too deeply" in manifests["pyproject.toml"].errors[0].message
    assert "cannot parse" in manifests["sub/pyproject.toml"].errors[0].message
    assert "not read" in manifests["big/requirements.txt"].errors[0].message
    assert [d.name for d in manifests["requirements.txt"].dependencies] == ["requests"]
