"""Packages pinned only by a lock file (``uv.lock``, ``poetry.lock``): the transitive
dependencies no manifest names. The security analyzer audits them; their fix moves just that
package in the lock (`app.lockfiles` tools, ``--upgrade-package NAME==VERSION``), never a
manifest. pip-compile outputs need nothing here: they are requirements files, read as
manifests.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from app.manifests.base import Dependency, ManifestParse, canonical, line_of
from app.model import ScanError
from app.snapshot import Snapshot

_PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\#]+)", re.M)
LOCK_NAMES = frozenset({"uv.lock", "poetry.lock"})
MAX_LOCK_BYTES = 20_000_000


def is_lock(path: str) -> bool:
    return PurePosixPath(path).name in LOCK_NAMES


def manifest_of(lock: str) -> str:
    """The ``pyproject.toml`` a ``uv.lock``/``poetry.lock`` belongs to (beside it)."""
    parent = PurePosixPath(lock).parent
    return str(parent / "pyproject.toml") if str(parent) != "." else "pyproject.toml"


def locked_versions(text: str) -> dict[str, str]:
    """Package versions a lock pins: ``[[package]]`` tables (uv, Poetry) or ``NAME==VERSION``
    lines (pip-compile); names canonical."""
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {canonical(m.group(1)): m.group(2) for m in _PINNED.finditer(text)}
    found: dict[str, str] = {}
    for entry in document.get("package", []):
        if isinstance(entry, dict) and "name" in entry and "version" in entry:
            found[canonical(str(entry["name"]))] = str(entry["version"])
    return found


def locked_only(
    snapshot: Snapshot, manifests: Sequence[ManifestParse]
) -> tuple[list[Dependency], list[ScanError]]:
    """Pins of the locks beside the manifests, for packages no manifest declares."""
    declared = {d.name for m in manifests for d in m.dependencies}
    paths = {m.path for m in manifests}
    found: list[Dependency] = []
    errors: list[ScanError] = []
    for lock in sorted(p for p in snapshot.files if is_lock(p) and manifest_of(p) in paths):
        try:
            if (snapshot.root / lock).stat().st_size > MAX_LOCK_BYTES:
                raise ValueError(f"larger than {MAX_LOCK_BYTES} bytes")
            text = snapshot.read_text(lock)
            pins = list(_pins(lock, text))
        except (OSError, UnicodeDecodeError, ValueError, tomllib.TOMLDecodeError) as exc:
            errors.append(ScanError(lock, None, f"lock file not read: {exc}"))
            continue
        except RecursionError:  # tomllib recurses once per nesting level
            errors.append(ScanError(lock, None, "lock file not read: nested too deeply"))
            continue
        found.extend(d for d in pins if d.name not in declared)
    return found, errors


def _pins(lock: str, text: str) -> Iterable[Dependency]:
    document: dict[str, Any] = tomllib.loads(text)
    uv = PurePosixPath(lock).name == "uv.lock"
    cursor = 0
    for entry in document.get("package", []):
        if not isinstance(entry, dict):
            continue
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        # Only packages from the index: not the project itself, nor path, git or URL sources.
        source = entry.get("source")
        if uv and not (isinstance(source, dict) and "registry" in source):
            continue
        if not uv and source is not None:
            continue
        # The version's characters, for the location shown in the PR (line 1 if not found).
        start = text.find(f'[[package]]\nname = "{name}"', cursor)
        offset = text.find(f'version = "{version}"', start) if start >= 0 else -1
        if offset >= 0:
            cursor = offset
            offset += len('version = "')
        else:
            offset = 0
        try:
            specifier = SpecifierSet(f"=={version}")
        except InvalidSpecifier:
            continue
        yield Dependency(
            name=canonical(name),
            raw_name=name,
            spec_text=f"=={version}",
            spec_offset=offset,
            manifest=lock,
            line=line_of(text, offset),
            specifier=specifier,
        )
