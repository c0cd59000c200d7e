"""Detection end to end: index the files, build the graph, apply the guards, score candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.collector import paused
from app.deadcode.cache import FactsCache
from app.deadcode.confidence import Candidate, candidates
from app.deadcode.graph import Graph
from app.deadcode.guards import GuardSettings, NodeGuard, Roots, find_roots
from app.deadcode.index import DEFAULT_MAX_BYTES, RepoIndex, build_index
from app.deadcode.links import link
from app.deadcode.liveness import Liveness, compute
from app.model import Progress, no_progress
from app.parsed import ParsedModules


@dataclass(frozen=True)
class Detection:
    index: RepoIndex
    graph: Graph
    roots: Roots
    liveness: Liveness
    candidates: tuple[Candidate, ...]


def detect(
    root: Path,
    files: Sequence[str],
    settings: GuardSettings,
    *,
    cache: FactsCache | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int | None = None,
    progress: Progress = no_progress,
    parsed: ParsedModules | None = None,
) -> Detection:
    with paused():
        index = build_index(
            root,
            files,
            cache,
            max_bytes=max_bytes,
            workers=workers,
            progress=progress,
            trees=parsed,
        )
        graph = Graph(index.python)
        links = link(graph, index.keys, cache, root) if cache is not None else None
        roots = find_roots(graph, index.texts)
        liveness = compute(graph, roots, NodeGuard(graph, settings), links)
        found = tuple(candidates(graph, liveness, library=settings.library_public_api))
    return Detection(index, graph, roots, liveness, found)
