"""deploy/ agrees with the code: its `MAINTAINER_*` variables are settings, the settings a
deployment needs are set, and every command line names a real command with real options."""

from __future__ import annotations

import click
import pytest

from app.cli import cli
from app.settings import ENV_PREFIX, Settings
from tests.deploy.support import DEPLOY, MAINTAINER_VARIABLE, command_lines, compose, manifests

SETTINGS = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
# What a deployment of server + workers on PostgreSQL and Redis cannot run without.
REQUIRED = {
    "MAINTAINER_APP_ID",
    "MAINTAINER_WEBHOOK_SECRET",
    "MAINTAINER_PRIVATE_KEY_PATH",
    "MAINTAINER_DATABASE_URL",
    "MAINTAINER_REDIS_URL",
    "MAINTAINER_TICK_SECRET",
}


def _variables_in_deploy() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            for name in MAINTAINER_VARIABLE.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, set()).add(str(path.relative_to(DEPLOY)))
    return found


def test_every_maintainer_variable_in_deploy_is_a_setting() -> None:
    unknown = {
        name: where for name, where in _variables_in_deploy().items() if name not in SETTINGS
    }
    assert unknown == {}


def test_the_required_settings_are_provided_by_compose_and_by_kubernetes() -> None:
    assert REQUIRED <= SETTINGS
    env_example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    services = compose()["services"]
    in_compose = set(MAINTAINER_VARIABLE.findall(env_example)) | set(
        services["server"]["environment"]
    )
    assert in_compose >= REQUIRED
    in_kubernetes = set()
    for _, document in manifests():
        if document["kind"] == "ConfigMap":
            in_kubernetes |= set(document["data"])
        for container in (
            document.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
        ):
            in_kubernetes |= {variable["name"] for variable in container.get("env", [])}
    assert in_kubernetes >= REQUIRED


LINES = command_lines()


@pytest.mark.parametrize("where", sorted(LINES))
def test_every_command_line_parses_with_the_cli(where: str) -> None:
    argv = LINES[where]
    assert argv[0] == "maintainer"
    context = cli.make_context("maintainer", argv[1:], resilient_parsing=False)
    name = argv[1]
    command = cli.get_command(context, name)
    assert command is not None, f"{where}: no command {name!r}"
    command.make_context(name, argv[2:], parent=context)  # unknown options raise UsageError


def test_a_wrong_option_is_caught() -> None:
    context = cli.make_context("maintainer", ["serve"], resilient_parsing=False)
    command = cli.get_command(context, "serve")
    assert command is not None
    with pytest.raises(click.UsageError):
        command.make_context("serve", ["--listen", "0.0.0.0"], parent=context)


def test_each_process_kind_is_deployed() -> None:
    commands = {argv[1] for argv in LINES.values()}
    assert commands == {"serve", "worker", "migrate", "tick"}
