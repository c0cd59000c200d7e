"""Before/after helpers for rule tests: run one rule (or several) on a source text."""

from __future__ import annotations

from textwrap import dedent

from codemods.base import Rule
from codemods.engine import fix_source
from codemods.facts import module_name, pydantic_models
from codemods.info import Hit, ProjectFacts


def run(
    rules: type[Rule] | list[type[Rule]],
    source: str,
    facts: ProjectFacts | None = None,
    path: str = "pkg/mod.py",
) -> tuple[str, list[Hit]]:
    chosen = rules if isinstance(rules, list) else [rules]
    outcome = fix_source(source, {"all": chosen}, facts or ProjectFacts(), path, module_name(path))
    batch = outcome.batches.get("all")
    if batch is not None and batch.error:
        raise AssertionError(batch.error)
    new = batch.new_text if batch is not None and batch.new_text is not None else source
    return new, list(outcome.hits)


def check(rule: type[Rule], before: str, after: str, facts: ProjectFacts | None = None) -> None:
    new, hits = run(rule, dedent(before), facts)
    assert new == dedent(after)
    assert hits, "a rewrite must be recorded as a hit"
    assert all(h.rule_id == rule.info.id for h in hits)


def unchanged(rule: type[Rule], source: str, facts: ProjectFacts | None = None) -> None:
    new, hits = run(rule, dedent(source), facts)
    assert new == dedent(source)
    assert not [h for h in hits if h.after], hits


def models(**files: str) -> ProjectFacts:
    return pydantic_models(
        {path.replace("__", "/") + ".py": dedent(t) for path, t in files.items()}
    )
