"""`maintainer` starts fast: a command imports only what it uses (lazy click group)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import COMMANDS, cli

SERVICE_STACK = ("fastapi", "uvicorn", "starlette", "sqlalchemy", "alembic", "huey", "githubkit")
ENGINE = ("libcst", "app.pipeline", "app.analyzers", "app.service.scan_job", "app.service.wiring")

PROBE = """
import json, sys
sys.argv = ["maintainer", *json.loads(sys.argv[1])]
from app.cli import cli
try:
    cli()  # not main(): a finished scan ends the process at once (`exit_now`)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported(*args: str, cwd: Path | None = None) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=True,
    )
    modules: list[str] = json.loads(completed.stderr.strip().splitlines()[-1])
    return set(modules)


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names or m in names)


def test_version_imports_neither_the_service_stack_nor_the_engine() -> None:
    modules = imported("--version")
    assert loaded(modules, SERVICE_STACK) == []
    assert loaded(modules, ENGINE) == []
    assert not any(m.startswith("app.") and m != "app.cli" for m in modules)


def test_config_validate_does_not_import_the_service_stack(tmp_path: Path) -> None:
    (tmp_path / ".maintainer.yml").write_text("open_pr_limit: 2\n")
    modules = imported("config", "validate", str(tmp_path / ".maintainer.yml"))
    assert "app.config" in modules
    assert loaded(modules, SERVICE_STACK) == []
    assert loaded(modules, ("libcst",)) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_lazy_command_loads(name: str) -> None:
    command = cli.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None and command.name == name


def test_a_dead_code_scan_loads_no_package_index_client_nor_yaml_parser_once_its_config_is_kept(
    tmp_path: Path,
) -> None:
    from tests.support import make_repo

    root = make_repo(
        tmp_path / "repo",
        files={
            ".maintainer.yml": "enabled: [dead-code]\n",
            "pkg/mod.py": "def unused():\n    pass\n",
        },
    )
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = imported("scan", "--only", "dead-code", *cache, str(root))
    assert "yaml" in first  # the configuration is validated once
    again = imported("scan", "--only", "dead-code", *cache, str(root))
    assert "app.pipeline" in again and "app.deadcode.detect" in again
    assert loaded(again, ("yaml", "app.index.client", "httpx", "libcst")) == []
    assert "app.index.client" in imported("scan", "--only", "security", *cache, str(root))
