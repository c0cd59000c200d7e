"""A runbook step run is claimed in the store before it runs: of two claimers of one step
(two incident jobs of one incident running at once), exactly one wins, on SQLite and on
PostgreSQL; a claim given back can be taken again; other steps and triggers are separate."""

from __future__ import annotations

import threading

from app.incidents.alertmanager import parse
from app.store import Store, open_store
from tests.incidents.payloads import alert, encoded, notification


def _incident(store: Store) -> int:
    incident, _ = store.record_alerts(parse(encoded(notification(alert("a1")))))
    assert incident is not None
    return incident.id


def test_two_claims_of_one_step_one_wins(database_url: str) -> None:
    store = open_store(database_url)
    other = open_store(database_url)  # a second worker: its own engine and connections
    try:
        incident = _incident(store)
        assert store.claim_step(incident, "page-cache", "auto") is True
        assert other.claim_step(incident, "page-cache", "auto") is False
        assert store.claim_step(incident, "page-cache", "auto") is False
        # another step, another trigger: separate claims
        assert other.claim_step(incident, "restart-web", "auto") is True
        assert other.claim_step(incident, "page-cache", "comment:42") is True
        assert store.claim_step(incident, "page-cache", "comment:42") is False
        # a run that failed before doing anything gives its claim back for the retry
        store.release_step(incident, "restart-web", "auto")
        assert store.claim_step(incident, "restart-web", "auto") is True
    finally:
        store.engine.dispose()
        other.engine.dispose()


def test_claimers_racing_at_once_one_wins(database_url: str) -> None:
    store = open_store(database_url)
    stores = [open_store(database_url) for _ in range(4)]
    try:
        incident = _incident(store)
        start = threading.Barrier(len(stores))
        won: list[bool] = []
        lock = threading.Lock()

        def claim(claimer: Store) -> None:
            start.wait()
            result = claimer.claim_step(incident, "page-cache", "auto")
            with lock:
                won.append(result)

        threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(won) == [False, False, False, True]
    finally:
        for claimer in [store, *stores]:
            claimer.engine.dispose()
