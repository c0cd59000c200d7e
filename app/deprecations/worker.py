"""The libcst side of a deprecation run: survey and rewrite the files the cache does not hold.

Imported by `app.deprecations.runner` only when some file needs work, so a run whose every
file is cached never pays for importing libcst and the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import libcst as cst

from app.deprecations.cache import Entry
from app.deprecations.runner import CodemodTask
from app.parsed import ParsedModules, ParseError
from codemods.base import Rule
from codemods.engine import fix_source
from codemods.facts import module_name
from codemods.info import ProjectFacts
from codemods.prefilter import by_ast, by_tree
from codemods.registry import BY_ID

Prefilter = Callable[[str, list[type[Rule]], ProjectFacts], list[type[Rule]]]


def process(job: CodemodTask) -> Entry:
    """Parse one file and run its rules (in a worker process); never raises."""
    kept = job.kept if job.kept is not None else _surveyed(job, by_ast)
    if isinstance(kept, Entry):
        return kept
    if not kept:
        return Entry((), {}, ())
    batches = {name: [BY_ID[i] for i in ids if i in kept] for name, ids in job.batches}
    batches = {name: rules for name, rules in batches.items() if rules}
    try:
        outcome = fix_source(job.text, batches, job.facts, job.path, module_name(job.path))
    except cst.ParserSyntaxError as exc:
        return Entry((), {}, ((exc.raw_line, f"syntax error, skipped: {exc.message}"),), True)
    except RecursionError:
        return Entry((), {}, ((None, "too deeply nested to parse, skipped"),))
    except Exception as exc:  # a bug in one rule must not stop the scan
        return Entry((), {}, ((None, f"codemod failed, file skipped: {exc!r}"),))
    outputs = {n: b.new_text for n, b in outcome.batches.items() if b.new_text is not None}
    errors = tuple(
        (None, f"{name}: {b.error}; file left untouched")
        for name, b in outcome.batches.items()
        if b.error
    )
    return Entry(outcome.hits, outputs, errors, True)


def _surveyed(job: CodemodTask, prefilter: Prefilter) -> frozenset[str] | Entry:
    """The rule ids the ``ast`` pre-filter keeps, or the entry saying why it failed."""
    try:
        rules = prefilter(job.text, [BY_ID[i] for i in job.rule_ids], job.facts)
    except Exception as exc:  # never let the pre-filter stop the scan
        return Entry((), {}, ((None, f"pre-filter failed, file skipped: {exc!r}"),))
    return frozenset(rule.info.id for rule in rules)


def survey_on_tree(job: CodemodTask, parsed: ParsedModules) -> CodemodTask:
    """The ``ast`` pre-filter on the scan's shared tree of the file."""

    def on_shared_tree(text: str, rules: list[type[Rule]], facts: ProjectFacts) -> list[type[Rule]]:
        try:
            tree = parsed.tree(job.path, text)
        except ParseError:
            return rules  # libcst will report the problem precisely
        return by_tree(tree, rules, facts)

    kept = _surveyed(job, on_shared_tree)
    if isinstance(kept, Entry):
        return job  # the worker tries again, and reports the failure
    return replace(job, kept=kept)
