"""The store: every read and write of service state goes through `Store`'s methods.

`Store` is one front over the areas, each in its own module: repositories and their config
(`repositories`), deliveries and jobs (`deliveries`), locks (`locks`), proposals and their pull
requests (`proposals`), ignore rules (`ignores`), issues the bot keeps in place, the lives of
trend alerts and the App's health samples (`health`), CI runs and their test results
(`ci_runs`), incidents from alerts (`incidents`). Methods take and return frozen records
(`app.store.records`); sessions never leave the store.
"""

from __future__ import annotations

from app.store.ci_runs import CiRuns
from app.store.deliveries import Deliveries
from app.store.health import BotIssues, HealthSamples, TrendAlerts
from app.store.ignores import Ignores
from app.store.incidents import Incidents
from app.store.locks import Locks
from app.store.proposals import Proposals
from app.store.repositories import Repositories


class Store(
    Repositories,
    Deliveries,
    Locks,
    Proposals,
    Ignores,
    BotIssues,
    TrendAlerts,
    HealthSamples,
    CiRuns,
    Incidents,
):
    """One engine and one clock shared by every area."""
