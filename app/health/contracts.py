"""The repository's import-linter contracts, evaluated with the `import-linter` library on an
import graph built from our own parse (the repository's code is never imported or run).

Contracts come from ``.importlinter``, ``setup.cfg`` (``[importlinter]``) or ``pyproject.toml``
(``[tool.importlinter]``) of the measured commit; each file is bounded in size.
"""

from __future__ import annotations

import configparser
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.health.architecture import RawImport, Violation, module_name, resolve

MAX_CONTRACT_BYTES = 256_000
CONTRACT_FILES = (".importlinter", "setup.cfg", "pyproject.toml")
SHOWN_IMPORTS = 5


class ContractError(ValueError):
    """Contracts that cannot be read or checked (bad file, unknown type, missing module)."""


@dataclass(frozen=True)
class Contracts:
    source: str
    session: dict[str, Any]
    contracts: list[dict[str, Any]]


def read_contracts(path: str, data: bytes) -> Contracts | None:
    """The contracts a file declares, or ``None`` when it declares none."""
    if len(data) > MAX_CONTRACT_BYTES:
        raise ContractError(f"{path}: {len(data)} bytes, over {MAX_CONTRACT_BYTES}: not read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError(f"{path}: not UTF-8") from exc
    if path.endswith(".toml"):
        return _from_toml(path, text)
    return _from_ini(path, text)


def _from_toml(path: str, text: str) -> Contracts | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ContractError(f"{path}: not TOML: {exc}") from exc
    tool = data.get("tool")
    section = tool.get("importlinter") if isinstance(tool, dict) else None
    if not isinstance(section, dict) or not section:
        return None
    session = {k: v for k, v in section.items() if k != "contracts"}
    contracts = section.get("contracts", [])
    if not isinstance(contracts, list) or not all(isinstance(c, dict) for c in contracts):
        raise ContractError(f"{path}: tool.importlinter.contracts is not a list of tables")
    normal = [{k: str(v) if isinstance(v, bool) else v for k, v in c.items()} for c in contracts]
    return Contracts(path, session, normal)


def _from_ini(path: str, text: str) -> Contracts | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        raise ContractError(f"{path}: not an INI file: {exc}") from exc
    if "importlinter" not in parser.sections():
        return None

    def clean(section: Mapping[str, str]) -> dict[str, Any]:
        return {k: v.strip().split("\n") if "\n" in v else v for k, v in section.items()}

    contracts = []
    for name in parser.sections():
        if name.startswith("importlinter:"):
            contracts.append({"id": name.split(":")[-1], **clean(parser[name])})
    return Contracts(path, clean(parser["importlinter"]), contracts)


def find_contracts(files: Mapping[str, bytes]) -> Contracts | None:
    """The first contract file (import-linter's order) that declares contracts."""
    for path in CONTRACT_FILES:
        if path in files:
            found = read_contracts(path, files[path])
            if found is not None:
                return found
    return None


def check(contracts: Contracts, imports: Mapping[str, Sequence[RawImport]]) -> list[Violation]:
    """Broken contracts, one violation each, naming the imports that break them."""
    import grimp
    from importlinter.adapters.timing import SystemClockTimer
    from importlinter.application.app_config import settings
    from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
    from importlinter.contracts.forbidden import ForbiddenContract
    from importlinter.contracts.independence import IndependenceContract
    from importlinter.contracts.layers import LayersContract
    from importlinter.contracts.protected import ProtectedContract
    from importlinter.domain.contract import InvalidContractOptions

    # Only the timer: no file system or graph builder, so nothing reads or imports the repository.
    settings.configure(TIMER=SystemClockTimer())
    types: dict[str, Any] = {
        "forbidden": ForbiddenContract,
        "layers": LayersContract,
        "independence": IndependenceContract,
        "protected": ProtectedContract,
        "acyclic_siblings": AcyclicSiblingsContract,
    }
    roots = contracts.session.get("root_packages") or contracts.session.get("root_package")
    roots = [roots] if isinstance(roots, str) else list(roots or [])
    if not roots:
        raise ContractError(f"{contracts.source}: no root_package or root_packages")
    graph = grimp.ImportGraph()
    modules = {}
    for path in imports:
        name = module_name(path)
        if name is not None and name.split(".")[0] in roots:
            modules[name] = path
            graph.add_module(name)
    for name, path in modules.items():
        for raw in imports[path]:
            for target in resolve(name, path.endswith("__init__.py"), raw):
                if target in modules and target != name:
                    graph.add_import(
                        importer=name, imported=target, line_number=raw.line, line_contents=""
                    )
    violations = []
    for options in contracts.contracts:
        name = str(options.get("name") or options.get("id") or "contract")
        kind = types.get(str(options.get("type")))
        if kind is None:
            raise ContractError(f"{contracts.source}: {name}: unknown type {options.get('type')!r}")
        try:
            contract = kind(name=name, session_options=contracts.session, contract_options=options)
            result = contract.check(graph, verbose=False)
        except (InvalidContractOptions, ValueError, KeyError) as exc:
            detail = getattr(exc, "errors", None) or exc
            raise ContractError(f"{contracts.source}: {name}: cannot be checked: {detail}") from exc
        if not result.kept:
            violations.append(Violation(name, _detail(result.metadata)))
    return violations


def _detail(metadata: Any) -> str:
    pairs: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "importer" in value and "imported" in value:
                pair = f"{value['importer']} -> {value['imported']}"
                if pair not in pairs:
                    pairs.append(pair)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for inner in value:
                walk(inner)

    walk(metadata)
    if not pairs:
        return "broken"
    more = f" and {len(pairs) - SHOWN_IMPORTS} more" if len(pairs) > SHOWN_IMPORTS else ""
    return "imports " + ", ".join(pairs[:SHOWN_IMPORTS]) + more
