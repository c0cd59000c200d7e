"""Small wheels built in a test, and scans with distributions from the recorded index."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from app.analyzers.base import Adapters
from app.apidiff import archives
from app.apidiff.api import Unpacked, top_level_names
from app.apidiff.distributions import Distributions
from app.config import RepoConfig
from app.index.client import SimpleIndex
from app.model import Proposal, ScanResult, apply_edits
from app.pipeline import scan
from app.security.source import AdvisorySource
from tests.support import NOW, IndexServer


def wheel(directory: Path, name: str, version: str, files: Mapping[str, str | bytes]) -> Path:
    path = directory / f"{name}-{version}-py3-none-any.whl"
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in files.items():
            archive.writestr(member, content)
        metadata = f"{name}-{version}.dist-info/METADATA"
        if metadata not in files:
            archive.writestr(metadata, f"Name: {name}\n")
    return path


def unpacked(path: Path, target: Path) -> Unpacked:
    found = archives.members(path)
    root = archives.unpack_sources(path, target)
    return Unpacked(root, tuple(found), top_level_names(found, None))


def scan_with_distributions(
    index: IndexServer,
    root: Path,
    cache: Path,
    config: RepoConfig,
    advisories: AdvisorySource | None = None,
) -> ScanResult:
    adapters = Adapters(
        index=SimpleIndex(index.url),
        distributions=Distributions(index.url, cache_dir=cache),
        advisories=advisories,
    )
    return scan(root, adapters, now=NOW, config=config)


def apply_proposal(root: Path, proposal: Proposal) -> None:
    """Write a proposal's edits into the checkout, as its branch would have them."""
    for path in proposal.files:
        text = (root / path).read_text()
        edited = apply_edits(text, [e for e in proposal.edits if e.path == path])
        assert edited is not None
        (root / path).write_text(edited)
