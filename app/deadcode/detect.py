"""Detection end to end: index the files, build the graph, apply the guards, score candidates."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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


@contextmanager
def _no_gc() -> Iterator[None]:
    """The index allocates many small objects that all live on: cyclic GC passes only cost.

    Afterwards they are moved to the oldest generation (``freeze`` then ``unfreeze``, which
    only relinks lists): re-enabled as they were, the first young collection would walk the
    hundreds of thousands of objects made here (30 ms on Django). They stay collectable. Not
    done when the process froze objects itself (``unfreeze`` would undo that)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


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
    with _no_gc():
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
