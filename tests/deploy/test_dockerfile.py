"""deploy/Dockerfile, parsed by dockerfile-parse: its stages, user, packages and checks."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.deploy.support import ROOT, dockerfile, entrypoint_and_cmd

SECRET_SETTINGS = ("WEBHOOK_SECRET", "PRIVATE_KEY", "TICK_SECRET", "DATABASE_URL", "REDIS_URL")


def _stages() -> list[list[dict[str, str]]]:
    stages: list[list[dict[str, str]]] = []
    for instruction in dockerfile().structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_two_stages_on_slim_python_3_13() -> None:
    stages = _stages()
    assert len(stages) == 2
    assert [s[0]["value"].split()[0] for s in stages] == ["python:3.13-slim"] * 2


def test_the_runtime_stage_installs_the_wheel_not_the_tree_and_git() -> None:
    build, runtime = _stages()
    assert any("pip wheel" in i["value"] for i in build if i["instruction"] == "RUN")
    runs = [i["value"] for i in runtime if i["instruction"] == "RUN"]
    assert any("apt-get install" in r and " git " in f"{r} " for r in runs)
    [install] = [r for r in runs if "pip install" in r]
    assert "--no-index" in install and "from=build" in install and "maintainer-bot[" in install
    assert not [i for i in runtime if i["instruction"] in ("COPY", "ADD")]


def test_it_runs_as_a_numeric_non_root_user() -> None:
    _, runtime = _stages()
    [user] = [i["value"] for i in runtime if i["instruction"] == "USER"]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_the_default_command_is_serve_and_the_healthcheck_asks_healthz_on_its_port() -> None:
    entrypoint, command = entrypoint_and_cmd()
    assert entrypoint == ["maintainer"]
    assert command[0] == "serve"
    port = command[command.index("--port") + 1]
    structure = dockerfile().structure
    [exposed] = [i["value"] for i in structure if i["instruction"] == "EXPOSE"]
    assert exposed == port
    [check] = [i["value"] for i in structure if i["instruction"] == "HEALTHCHECK"]
    probe = yaml.safe_load(check.split("CMD", 1)[1])
    assert f"http://127.0.0.1:{port}/healthz" in probe[-1]


def test_no_secret_is_baked_in() -> None:
    for instruction in dockerfile().structure:
        if instruction["instruction"] in ("ENV", "ARG", "LABEL"):
            for name in SECRET_SETTINGS:
                assert name not in instruction["value"], instruction["value"]
    assert "MAINTAINER_DATA_DIR" in dockerfile().envs


def healthcheck_argv() -> list[str]:
    [check] = [i["value"] for i in dockerfile().structure if i["instruction"] == "HEALTHCHECK"]
    argv = yaml.safe_load(check.split("CMD", 1)[1])
    assert isinstance(argv, list), shlex.quote(check)
    return [str(a) for a in argv]


def _build_stage_copies() -> list[str]:
    build, _ = _stages()
    sources = []
    for instruction in build:
        if instruction["instruction"] == "COPY":
            sources += instruction["value"].split()[:-1]
    return sources


@pytest.mark.slow
def test_the_files_the_build_stage_copies_make_a_wheel_with_the_cli_and_templates(
    tmp_path: Path,
) -> None:
    context = tmp_path / "context"
    context.mkdir()
    for source in _build_stage_copies():
        origin = ROOT / source
        if origin.is_dir():
            shutil.copytree(origin, context / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, context / source)
    wheel_command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    built = subprocess.run(
        [*wheel_command, "--wheel-dir", str(tmp_path / "wheels"), str(context)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "wheels").glob("maintainer_bot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "maintainer = app.launcher:main" in archive.read(entry_points).decode()
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        extras = archive.read(metadata).decode()
    assert "app/cli/__init__.py" in names and "codemods/__init__.py" in names
    assert any(n.startswith("app/_templates/") for n in names)
    assert "Provides-Extra: postgres" in extras and "Provides-Extra: redis" in extras
