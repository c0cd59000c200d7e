"""deploy/Dockerfile, parsed by dockerfile-parse: its stages, user, packages and checks."""

from __future__ import annotations

import shlex

import yaml

from tests.deploy.support import dockerfile, entrypoint_and_cmd

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
