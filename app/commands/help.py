"""One line per command, for `help` (the same list README documents)."""

from __future__ import annotations

COMMANDS: tuple[tuple[str, str], ...] = (
    ("rebase", "bring the branch up to date with the base (not over commits by others)"),
    ("recreate", "rebuild the branch from scratch, discarding any edits on it"),
    ("ignore this dependency", "close this PR and never propose this package again"),
    ("ignore this major|minor|patch version", "close this PR and skip that version range"),
    ("ignore <package> [major|minor|patch version]", "in a grouped PR: leave that package out"),
    ("unignore <package>", "forget a stored ignore (`unignore *` forgets them all)"),
    ("show ignores", "list every ignore: scope, who, when, from which PR"),
    ("explain", "the evidence behind this proposal and what I checked"),
    ("merge when green", "merge once all checks pass, if `.maintainer.yml` allows it"),
    ("cancel merge", "undo `merge when green`"),
    ("close", "close this PR; this version will not be proposed again"),
    ("reopen", "reopen this PR"),
    ("scan", "scan the repository now"),
    ("report", "on the Maintenance report issue: refresh the report now"),
    ("run <step>", "on an incident issue: run that step of its runbook"),
    ("help", "this list"),
)
