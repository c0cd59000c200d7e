"""The templates ship inside the wheel and are found there (not only in an editable install)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT


@pytest.mark.slow
def test_wheel_carries_templates_and_renders_from_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("maintainer_bot-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "app/_templates/dependency-update.md.j2" in names
        assert "app/_templates/_risk.md.j2" in names
        archive.extractall(tmp_path / "site")
    probe = (
        "import app.templates as t; print(t.template_dir());"
        "print(t.environment().get_template('_risk.md.j2').filename)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        cwd=tmp_path,
    )
    assert str(tmp_path / "site" / "app" / "_templates") in completed.stdout
