"""Manifest discovery, reading and format-preserving rewriting.

Readers return dependencies located down to the characters of their version specifier;
writers produce `Edit`s that replace exactly those characters (and, for hashed requirements,
the ``--hash`` options), so every other byte of the file is unchanged.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence

from app.manifests.base import Dependency, ManifestParse
from app.manifests.pyproject import parse_pyproject
from app.manifests.requirements import includes, parse_requirements
from app.manifests.setup_cfg import parse_setup_cfg
from app.model import Edit, ScanError
from app.snapshot import Snapshot

Reader = Callable[[str, str], ManifestParse]


def reader_for(path: str) -> Reader | None:
    base = path.rsplit("/", 1)[-1]
    parent = path.rsplit("/", 2)[-2] if "/" in path else ""
    if base == "pyproject.toml":
        return parse_pyproject
    if base == "setup.cfg":
        return parse_setup_cfg
    if base.endswith(".in") and base.lower() != "manifest.in":
        return parse_requirements
    if base.endswith(".txt") and ("requirements" in base.lower() or parent == "requirements"):
        return parse_requirements
    return None


def discover(snapshot: Snapshot) -> tuple[ManifestParse, ...]:
    """Read every manifest of the snapshot, following ``-r``/``-c`` includes."""
    pending = [p for p in snapshot.files if reader_for(p) is not None]
    known = set(snapshot.files)
    seen: set[str] = set()
    parsed: list[ManifestParse] = []
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        reader = reader_for(path) or parse_requirements
        try:
            text = snapshot.read_text(path)
        except UnicodeDecodeError as exc:
            parsed.append(_failed(path, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
            continue
        except OSError as exc:
            parsed.append(_failed(path, f"cannot read: {exc.strerror}"))
            continue
        manifest = reader(path, text)
        parsed.append(manifest)
        if reader is parse_requirements:
            pending.extend(_included(path, text, known, manifest))
    return tuple(parsed)


def _included(path: str, text: str, known: set[str], manifest: ManifestParse) -> list[str]:
    found = []
    for include in includes(text):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), include))
        if target in known:
            found.append(target)
        else:
            message = f"included file {include!r} is not in the repository"
            manifest.errors.append(ScanError(path, None, message))
    return found


def _failed(path: str, message: str) -> ManifestParse:
    manifest = ManifestParse(path=path)
    manifest.errors.append(ScanError(path, None, message))
    return manifest


def rewrite_specifier(dependency: Dependency, new_spec: str) -> Edit:
    """The edit that replaces the dependency's specifier characters with ``new_spec``."""
    return Edit(dependency.manifest, dependency.spec_offset, dependency.spec_text, new_spec)


def rewrite_hashes(dependency: Dependency, digests: Sequence[str]) -> Edit | None:
    """Replace the ``--hash`` options with the new release's digests (same algorithm, layout)."""
    block = dependency.hashes
    if block is None:
        return None
    options = [f"--hash={block.algorithm}:{digest}" for digest in sorted(digests)]
    return Edit(dependency.manifest, block.offset, block.text, block.separator.join(options))
