"""The ``maintainer`` console script (and ``python -m app``).

``maintainer scan`` is first offered to the resident process (`app.resident`), which has the
command's modules imported already; when there is none, or it is turned off, the command runs
here. Every other command runs here. This module imports nothing of ours before deciding.
"""

from __future__ import annotations

import sys

RESIDENT_COMMANDS = frozenset({"scan"})
"""Commands the resident process runs: the ones a user repeats while editing."""


def main() -> None:
    after_output = None
    if sys.argv[1:2] and sys.argv[1] in RESIDENT_COMMANDS:
        from app.resident.client import delegate

        outcome = delegate(sys.argv)
        if outcome.status is not None:
            raise SystemExit(outcome.status)
        after_output = outcome.hand_over
    from app.cli import main as run_here

    run_here(after_output)
