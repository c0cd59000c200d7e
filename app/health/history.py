"""History: weekly samples backfilled from git on first sight and appended at every run.

Sample dates are ``now`` minus whole weeks; the commit of a date is the newest first-parent
ancestor of HEAD committed by then. A stored sample within `REUSE_DAYS` of a date stands for
it, so a second run computes only the current sample. File results are shared by blob sha
between samples (`Collector.facts`), so 26 samples re-parse only the files that changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.health.blobs import BlobReader, CommitRef, commit_at, first_parent_history
from app.health.document import stored_sample
from app.health.measure import Collector, Measurement
from app.health.samples import SampleSeries, StoredSample

REUSE_DAYS = 3


def sample_dates(now: datetime, weeks: int) -> list[datetime]:
    """The past weekly dates before ``now`` (oldest first) for a history of ``weeks`` points."""
    return [now - timedelta(weeks=k) for k in range(max(weeks, 1) - 1, 0, -1)]


@dataclass(frozen=True)
class Collected:
    current: Measurement
    history: list[StoredSample]
    """Oldest first, the current sample last."""
    previous: StoredSample | None
    backfilled: int


def collect(
    root: Path,
    collector: Collector,
    head: CommitRef,
    now: datetime,
    weeks: int,
    store: SampleSeries,
    repository: str,
    progress: Callable[[str, int, int], None],
) -> Collected:
    earliest = (now - timedelta(weeks=max(weeks, 1) - 1, days=REUSE_DAYS)).date()
    stored = store.samples(repository, since=earliest)
    wanted = sample_dates(now, weeks)
    missing = [
        moment
        for moment in wanted
        if not any(abs((s.day - moment.date()).days) <= REUSE_DAYS for s in stored)
    ]
    backfilled = 0
    commits = first_parent_history(root, head.sha, missing[0]) if missing else []
    with BlobReader(root) as reader:
        for number, moment in enumerate(missing, 1):
            commit = commit_at(commits, moment)
            progress("history", number, len(missing))
            if commit is None:
                continue
            measured = collector.measure(reader, commit, moment, current=False)
            store.put(repository, stored_sample(measured, moment.date()))
            backfilled += 1
        current = collector.measure(reader, head, now, current=True)
    before = [s for s in store.samples(repository) if s.day < now.date()]
    previous = before[-1] if before else None
    store.put(repository, stored_sample(current, now.date()))
    history = store.samples(repository, since=earliest) if weeks > 0 else []
    if weeks > 0:
        history = history[-weeks:]
    return Collected(current, history, previous, backfilled)
