"""The offline advisory source: a directory of OSV records in the PyPA advisory-database layout.

``DIR/vulns/<package>/<ID>.yaml`` (``.yml`` and ``.json`` too). The directory is listed once and
indexed by canonical package name; a package's records are parsed the first time that package
is audited and kept, so auditing a hundred dependencies reads only their own records.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name

from app.model import Unaudited
from app.security.advisory import Advisory, AdvisoryFormatError, parse_osv
from app.security.source import AuditReport, PackageAudit, PackageVersion, SourceWarning

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
MAX_RECORD_BYTES = 1_000_000
MAX_RECORD_VALUES = 100_000
"""A record standing for more values than this (aliases expanded) is refused: an alias bomb."""


class RecordTooLarge(ValueError):
    """A record file over `MAX_RECORD_BYTES`, or expanding beyond `MAX_RECORD_VALUES`."""


def load_yaml(text: str) -> Any:
    """YAML as plain strings, lists and mappings, like ``yaml.BaseLoader`` but about 3x faster.

    OSV needs no other types ("0" and unquoted dates stay text), so libyaml composes the nodes
    and the Python-side tag resolution and construction, which dominate the load time of a
    package's records, are skipped.
    """
    if _PLAIN_PARSER is None:
        parser: Any = yaml.BaseLoader(text)
    else:
        parser = _PLAIN_PARSER(text)
    try:
        return _Plain().value(parser.get_single_node())
    finally:
        parser.dispose()


def _plain_parser() -> Any:
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    from yaml import _yaml

    class PlainParser(_yaml.CParser):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None

        def descend_resolver(self, *args: Any) -> None:
            return None

        def ascend_resolver(self, *args: Any) -> None:
            return None

    return PlainParser


_PLAIN_PARSER = _plain_parser()


class _Plain:
    """Nodes to plain values, counting every value made (an alias is made again each time it
    is used), so a record of nested aliases cannot stand for millions of values."""

    def __init__(self) -> None:
        self.made = 0

    def value(self, node: yaml.Node | None) -> Any:
        if node is None:
            return None
        self.made += 1
        if self.made > MAX_RECORD_VALUES:
            raise RecordTooLarge(f"expands beyond {MAX_RECORD_VALUES} values (an alias bomb?)")
        if isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item) for item in node.value]
        return {self.value(key): self.value(value) for key, value in node.value}


class AdvisoryDirectoryError(Exception):
    """The directory does not exist or has no ``vulns`` folder of records."""


class AdvisoryDirectory:
    """An `AdvisorySource` reading OSV records from disk; safe to reuse across scans."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._index: dict[str, list[Path]] | None = None
        self._loaded: dict[str, tuple[Advisory, ...]] = {}
        self._warnings: list[SourceWarning] = []

    @property
    def description(self) -> str:
        return f"advisory directory {self.root}"

    @property
    def files(self) -> dict[str, list[Path]]:
        """Record files by canonical package name; raises `AdvisoryDirectoryError`."""
        if self._index is None:
            self._index = _index(self.root)
        return self._index

    def advisories(self, package: str) -> tuple[Advisory, ...]:
        """Every advisory of the package, withdrawn ones included (they match nothing)."""
        name = str(canonicalize_name(package))
        loaded = self._loaded.get(name)
        if loaded is None:
            loaded = tuple(self._load(name))
            self._loaded[name] = loaded
        return loaded

    def audit(self, packages: Sequence[PackageVersion]) -> AuditReport:
        try:
            _ = self.files
        except AdvisoryDirectoryError as exc:
            reason = str(exc)
            unaudited = tuple(Unaudited(p.name, str(p.version), reason) for p in packages)
            return AuditReport(
                unaudited=unaudited, warnings=(SourceWarning(str(self.root), None, reason),)
            )
        start = len(self._warnings)
        audited = tuple(
            PackageAudit(p, tuple(a for a in self.advisories(p.name) if a.affects(p.version)))
            for p in packages
        )
        return AuditReport(audited=audited, warnings=tuple(self._warnings[start:]))

    def _load(self, package: str) -> list[Advisory]:
        found: list[Advisory] = []
        for path in self.files.get(package, ()):
            try:
                record = _read(path, self.root)
                advisories = parse_osv(record)
            except _ReadError as exc:
                self._warnings.append(SourceWarning(str(path), exc.line, f"skipped: {exc}"))
                continue
            except AdvisoryFormatError as exc:
                self._warnings.append(SourceWarning(str(path), None, f"skipped: {exc}"))
                continue
            found.extend(a for a in advisories if a.package == package)
        return found


class _ReadError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _index(root: Path) -> dict[str, list[Path]]:
    vulns = root / "vulns" if (root / "vulns").is_dir() else root
    if not vulns.is_dir():
        problem = "is not a directory" if root.exists() else "does not exist"
        raise AdvisoryDirectoryError(f"advisory directory {root} {problem}")
    files: dict[str, list[Path]] = {}
    for folder in sorted(p for p in vulns.iterdir() if p.is_dir()):
        records = sorted(p for p in folder.iterdir() if p.suffix in RECORD_SUFFIXES)
        if records:
            files.setdefault(str(canonicalize_name(folder.name)), []).extend(records)
    if not files:
        raise AdvisoryDirectoryError(f"{root}: no vulns/<package>/<ID>.yaml records found")
    return files


def _read(path: Path, root: Path) -> Any:
    """One record; never one that resolves (through symlinks) outside ``root``."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise _ReadError("a symbolic link leaving the advisory directory: not read")
    try:
        with resolved.open("rb") as stream:
            data = stream.read(MAX_RECORD_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _ReadError(f"cannot read: {exc}") from exc
    if len(data) > MAX_RECORD_BYTES:
        raise _ReadError(f"over {MAX_RECORD_BYTES} bytes: not read")
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise _ReadError(f"invalid JSON: {exc.msg}", exc.lineno) from exc
    try:
        return load_yaml(text)
    except TypeError as exc:  # a list or mapping used as a mapping key
        raise _ReadError(f"invalid record: {exc}") from exc
    except RecordTooLarge as exc:
        raise _ReadError(f"not read: {exc}") from exc
    except RecursionError as exc:
        raise _ReadError("nested too deeply: not read") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise _ReadError(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from exc
