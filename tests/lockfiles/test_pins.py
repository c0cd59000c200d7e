"""Which pins of uv.lock / poetry.lock count as lock-only dependencies, and bad locks."""

from __future__ import annotations

from pathlib import Path

from app.lockfiles.pins import locked_only
from app.manifests import discover
from app.snapshot import snapshot_of
from tests.support import make_repo

PYPROJECT = '[project]\nname = "service"\nversion = "1"\ndependencies = ["requests==2.25.1"]\n'
UV_LOCK = """\
version = 1

[[package]]
name = "requests"
version = "2.25.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "urllib3" }]

[[package]]
name = "service"
version = "1"
source = { virtual = "." }

[[package]]
name = "tool"
version = "0.1"
source = { git = "https://example.org/tool.git" }

[[package]]
name = "urllib3"
version = "1.26.15"
source = { registry = "https://pypi.org/simple" }
"""


def test_registry_pins_no_manifest_declares(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", files={"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK})
    snapshot = snapshot_of(root)
    found, errors = locked_only(snapshot, discover(snapshot))
    assert errors == []
    [urllib3] = found
    assert (urllib3.name, urllib3.spec_text, urllib3.manifest) == (
        "urllib3",
        "==1.26.15",
        "uv.lock",
    )
    assert UV_LOCK.splitlines()[urllib3.line - 1] == 'version = "1.26.15"'
    assert UV_LOCK[urllib3.spec_offset :].startswith("1.26.15")


def test_a_broken_lock_is_an_error_not_a_crash(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r", files={"pyproject.toml": PYPROJECT, "poetry.lock": "[[package]\nname ="}
    )
    snapshot = snapshot_of(root)
    found, errors = locked_only(snapshot, discover(snapshot))
    assert found == []
    assert [e.file for e in errors] == ["poetry.lock"]
    assert "lock file not read" in errors[0].message


def test_a_lock_nested_beyond_the_recursion_limit_is_an_error_not_a_crash(tmp_path: Path) -> None:
    hostile = "x = " + "[" * 50_000 + "]" * 50_000 + "\n"
    root = make_repo(tmp_path / "r", files={"pyproject.toml": PYPROJECT, "uv.lock": hostile})
    snapshot = snapshot_of(root)
    found, errors = locked_only(snapshot, discover(snapshot))
    assert found == []
    assert [(e.file, e.message) for e in errors] == [
        ("uv.lock", "lock file not read: nested too deeply")
    ]
