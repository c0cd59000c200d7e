"""What happens to a file the cache does not hold: the ``ast`` pre-filter, then libcst.

`process` runs in a worker process (or in the scan's own when there are few files). The ``ast``
pre-filter (`codemods.prefilter`) needs only the rules' metadata; libcst and the rule classes
are imported only when it keeps a rule for some file, so a run whose candidates all turn out to
need nothing never pays for them (about 0.4 s per process).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from app.collector import paused
from app.deprecations.cache import Entry
from app.deprecations.runner import NOTHING, CodemodTask
from app.parsed import ParsedModules, ParseError
from codemods.info import ProjectFacts, RuleInfo
from codemods.prefilter import by_ast, by_tree

Prefilter = Callable[[str, Sequence[RuleInfo], ProjectFacts], list[RuleInfo]]


def process(job: CodemodTask) -> Entry:
    """Survey one file, then parse it and run the rules kept (in a worker process); never
    raises."""
    if job.kept is not None:
        kept: frozenset[str] | Entry = job.kept
    else:
        with paused():  # a tree has no cycles: collections would only walk it (10 % of a survey)
            kept = _surveyed(job, by_ast)
    if isinstance(kept, Entry):
        return kept
    if not kept:
        return NOTHING
    return _fix(job, kept)


def process_all(jobs: Sequence[CodemodTask]) -> list[Entry]:
    """`process` each of ``jobs`` (one task sent to a worker)."""
    return [process(job) for job in jobs]


def _fix(job: CodemodTask, kept: frozenset[str]) -> Entry:
    """Parse the file once with libcst and run the kept rules of each batch on that tree."""
    import libcst as cst

    from codemods.engine import fix_source
    from codemods.facts import module_name
    from codemods.registry import BY_ID

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
        rules = prefilter(job.text, job.rules, job.facts)
    except Exception as exc:  # never let the pre-filter stop the scan
        return Entry((), {}, ((None, f"pre-filter failed, file skipped: {exc!r}"),))
    return frozenset(info.id for info in rules)


def survey_on_tree(job: CodemodTask, parsed: ParsedModules) -> CodemodTask:
    """The ``ast`` pre-filter on the scan's shared tree of the file."""

    def on_shared_tree(text: str, rules: Sequence[RuleInfo], facts: ProjectFacts) -> list[RuleInfo]:
        try:
            tree = parsed.tree(job.path, text)
        except ParseError:
            return list(rules)  # libcst will report the problem precisely
        return by_tree(tree, rules, facts)

    kept = _surveyed(job, on_shared_tree)
    if isinstance(kept, Entry):
        return job  # the worker tries again, and reports the failure
    return replace(job, kept=kept)
