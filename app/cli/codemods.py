"""`maintainer codemods list` and `maintainer codemods run RULE PATH... [--diff]`."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from app.caches import DEPRECATIONS, cache_options, caches_for
from app.deprecations.cache import ResultCache
from app.deprecations.runner import Runner
from codemods.catalog import UnknownRule, registered
from codemods.facts import pydantic_models

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


@click.group()
def codemods() -> None:
    """The deprecation codemods: list them, or apply one to local files."""


@codemods.command("list")
def list_rules() -> None:
    """Print every rule: id, safety, what it applies to, summary."""
    for info in registered().rules:
        click.echo(
            f"{info.id}  {info.safety.value:<12} {info.applies.describe():<18} {info.summary}"
        )


def _python_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if p.is_file())
        else:
            yield path


@codemods.command("run")
@click.argument("rule")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; change nothing.")
@cache_options
def run(
    rule: str, paths: tuple[Path, ...], show_diff: bool, cache_dir: Path | None, no_cache: bool
) -> None:
    """Apply RULE (an id such as MB101, a rule name, a family, or 'all') to PATHS.

    Version gating is skipped: the rules you name run regardless of the target Python or
    library versions. Pydantic models are looked for among the given files.
    """
    try:
        rules = registered().select(name.strip() for name in rule.split(","))
    except UnknownRule as exc:
        raise click.BadParameter(f"unknown rule {exc.args[0]!r}", param_hint="RULE") from exc
    files = [p.resolve() for p in _python_files(paths)]
    # Module names (for pydantic models) are computed relative to the common folder.
    root = Path(
        os.path.commonpath([p if p.is_dir() else p.parent for p in map(Path.resolve, paths)])
    )
    relative = [p.relative_to(root).as_posix() for p in files]
    texts = {}
    if any(r.family == "pydantic" for r in rules):
        for path, name in zip(files, relative, strict=True):
            try:
                texts[name] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    with caches_for(cache_dir, no_cache) as caches:
        cache = ResultCache(caches.folder(DEPRECATIONS))
        runner = Runner(root, {"run": rules}, facts=pydantic_models(texts), cache=cache)
        report = runner.run(relative)
    for result in report.results:
        new = result.outputs.get("run")
        for hit in result.hits:
            todo = hit.advice or registered().by_id[hit.rule_id].replacement
            after = hit.after or f"(manual fix: {todo})"
            click.echo(
                f"{root / result.path}:{hit.line}: {hit.rule_id} {hit.before} -> {after}", err=True
            )
        if new is None:
            continue
        if show_diff:
            name = str(root / result.path)
            diff = difflib.unified_diff(
                result.original.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=name,
                tofile=name,
            )
            sys.stdout.writelines(diff)
        else:
            (root / result.path).write_bytes(new.encode("utf-8"))
    for error in report.errors:
        where = f"{root / error.file}:{error.line}" if error.line else str(root / error.file)
        click.echo(f"error: {where}: {error.message}", err=True)
    sys.exit(EXIT_ERRORS if report.errors else EXIT_OK)
