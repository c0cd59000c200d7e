"""deploy/compose.yaml against the compose specification's JSON schema (vendored, with its
Apache-2.0 licence, by check-jsonschema), and against the bot's commands and ports."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema

from tests.deploy.support import DEPLOY, compose

SCHEMA = get_builtin_schema("vendor.compose-spec")


def _errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_compose_file_follows_the_compose_specification() -> None:
    assert _errors(compose()) == []


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c["services"]["worker"].update(deploy={"replica": 2}),
        lambda c: c["services"]["server"]["depends_on"]["migrate"].update(condition="done"),
        lambda c: c["services"]["postgres"].update(restart_policy="always"),
    ],
)
def test_the_schema_check_catches_a_broken_file(breakage: Any) -> None:
    broken = copy.deepcopy(compose())
    breakage(broken)
    assert _errors(broken)


def test_services_workers_and_prometheus_scrape_the_server() -> None:
    services = compose()["services"]
    assert {"server", "worker", "postgres", "redis", "tick", "prometheus", "migrate"} <= set(
        services
    )
    assert services["worker"]["deploy"]["replicas"] == 2
    server = services["server"]
    port = server["command"][server["command"].index("--port") + 1]
    assert [p.rsplit(":", 1)[1] for p in server["ports"]] == [port]
    assert server["environment"]["MAINTAINER_WORKERS"] == "0"  # consumers are the workers
    for name in ("server", "worker"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
    tick = services["tick"]["command"]
    assert tick[tick.index("--url") + 1] == f"http://server:{port}"
    scrape = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    [job] = scrape["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == [f"server:{port}"]
    mounted = [v.split(":")[0] for v in services["prometheus"]["volumes"]]
    assert "./prometheus" in mounted


def test_the_private_key_is_a_secret_file_not_an_environment_value() -> None:
    document = compose()
    assert document["secrets"]["app_private_key"] == {"file": "./app.pem"}
    for name in ("server", "worker", "migrate"):
        environment = document["services"][name]["environment"]
        assert environment["MAINTAINER_PRIVATE_KEY_PATH"] == "/run/secrets/app_private_key"
        assert "MAINTAINER_PRIVATE_KEY" not in environment


def test_promtool_accepts_the_scrape_config(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Debian's prometheus) is not installed")
    config = DEPLOY / "prometheus" / "prometheus.yml"
    checked = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "prometheus.yml"
    broken.write_text(config.read_text().replace("scrape_interval: 15s", "scrape_interval: soon"))
    refused = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
