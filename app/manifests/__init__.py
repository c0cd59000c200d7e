"""Manifest discovery, reading and format-preserving rewriting.

Readers return dependencies located down to the characters of their version specifier;
writers produce `Edit`s that replace exactly those characters (and, for hashed requirements,
the ``--hash`` options), so every other byte of the file is unchanged.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from app.globs import matches_any
from app.manifests import pyproject, requirements, setup_cfg, setup_py
from app.manifests.base import Dependency, ManifestFormat, ManifestParse
from app.model import Edit, ScanError
from app.snapshot import Snapshot

MAX_MANIFEST_BYTES = 2_000_000

FORMATS: tuple[ManifestFormat, ...] = (
    pyproject.FORMAT,
    setup_cfg.FORMAT,
    setup_py.FORMAT,
    requirements.FORMAT,
)


_ANY_FORMAT = tuple(p for f in FORMATS for p in f.patterns)
"""Every format's globs in one alternation: a path none of them matches (nearly every file of
a repository) is ruled out by one regex run instead of one per format."""


def format_of(path: str) -> ManifestFormat | None:
    if not matches_any(path, _ANY_FORMAT):
        return None
    return next((f for f in FORMATS if f.owns(path)), None)


def is_manifest(path: str) -> bool:
    return format_of(path) is not None


def ignored_manifests(snapshot: Snapshot, ignored: Sequence[str]) -> list[str]:
    """The snapshot's manifests that the ``ignored`` globs set aside."""
    return [p for p in snapshot.files if is_manifest(p) and matches_any(p, ignored)]


def discover(snapshot: Snapshot, ignored: Sequence[str] = ()) -> tuple[ManifestParse, ...]:
    """Read every manifest of the snapshot (except those under ``ignored`` globs), following
    ``-r``/``-c`` includes (an included file is read wherever it is)."""
    pending = [p for p in snapshot.files if is_manifest(p) and not matches_any(p, ignored)]
    known = set(snapshot.files)
    seen: set[str] = set()
    parsed: list[ManifestParse] = []
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        manifest_format = format_of(path) or requirements.FORMAT
        try:
            data = snapshot.read_bytes(path)
        except OSError as exc:
            parsed.append(_failed(path, f"cannot read: {exc.strerror}"))
            continue
        if len(data) > MAX_MANIFEST_BYTES:
            parsed.append(_failed(path, f"{len(data)} bytes, over {MAX_MANIFEST_BYTES}: not read"))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            parsed.append(_failed(path, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
            continue
        try:
            manifest = manifest_format.read(path, text)
        except (RecursionError, ValueError, MemoryError) as exc:
            # e.g. TOML nested thousands deep, or an integer of more digits than Python reads
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            parsed.append(_failed(path, f"cannot parse: {reason}"))
            continue
        parsed.append(manifest)
        if manifest_format.follows_includes:
            pending.extend(_included(path, text, known, manifest))
    return tuple(parsed)


def _included(path: str, text: str, known: set[str], manifest: ManifestParse) -> list[str]:
    found = []
    for include in requirements.includes(text):
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
