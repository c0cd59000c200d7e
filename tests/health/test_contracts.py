from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from app.health.architecture import RawImport, imports_of
from app.health.complexity import analyse
from app.health.contracts import ContractError, check, find_contracts, read_contracts
from tests.support import make_repo

SOURCES = {
    "shop/__init__.py": "",
    "shop/web.py": "from shop import orders\n",
    "shop/orders.py": "from . import db\n",
    "shop/db.py": "import shop.web\n",  # a lower layer importing a higher one
}
LAYERS = b"""[importlinter]
root_package = shop

[importlinter:contract:layers]
name = web above orders above db
type = layers
layers =
    shop.web
    shop.orders
    shop.db
"""


def imports(sources: dict[str, str]) -> dict[str, tuple[RawImport, ...]]:
    return {p: imports_of(analyse(ast.parse(t), 0)[1]) for p, t in sources.items()}


def test_broken_layers_contract_names_the_import() -> None:
    contracts = find_contracts({".importlinter": LAYERS})
    assert contracts is not None
    violations = check(contracts, imports(SOURCES))
    assert len(violations) == 1
    assert violations[0].contract == "web above orders above db"
    assert "shop.db -> shop.web" in violations[0].detail
    kept = dict(SOURCES, **{"shop/db.py": "import os\n"})
    assert check(contracts, imports(kept)) == []


def test_pyproject_forbidden_contract() -> None:
    pyproject = b"""[tool.importlinter]
root_packages = ["shop"]
[[tool.importlinter.contracts]]
name = "orders never reach web"
type = "forbidden"
source_modules = ["shop.orders"]
forbidden_modules = ["shop.web"]
"""
    contracts = find_contracts({"pyproject.toml": pyproject})
    assert contracts is not None
    violations = check(contracts, imports(SOURCES))
    assert [v.contract for v in violations] == ["orders never reach web"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            ".importlinter",
            b"[importlinter]\nroot_package = shop\n[importlinter:contract:x]\n"
            b"name = x\ntype = nonsense\n",
        ),
        (".importlinter", b"[importlinter\nbroken"),
        (".importlinter", b"[importlinter]\n" + b"#" * 300_000),
        ("pyproject.toml", b"[tool.importlinter\n"),
    ],
)
def test_bad_contract_files_are_clear_errors(name: str, data: bytes) -> None:
    with pytest.raises(ContractError):
        contracts = read_contracts(name, data)
        assert contracts is not None
        check(contracts, imports(SOURCES))


def test_health_reports_contract_violations(tmp_path: Path, index) -> None:
    repo = make_repo(tmp_path / "r", files={**SOURCES, ".importlinter": LAYERS.decode()})
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "health",
            str(repo),
            "--format",
            "json",
            "--history",
            "0",
            "--cache-dir",
            str(tmp_path / "c"),
            "--index-url",
            index.url,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    import json

    doc = json.loads(done.stdout)
    violations = doc["architecture"]["violations"]
    assert [v["contract"] for v in violations] == ["web above orders above db"]
    assert violations[0]["new"] is False  # no earlier sample to compare with
    assert {"broken-contract"} <= {i["kind"] for i in doc["items"]}
