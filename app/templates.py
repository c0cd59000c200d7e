"""Jinja2 rendering of PR bodies. All prose lives in ``templates/``."""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

import app

GITHUB_BODY_LIMIT = 65_535
_ROW_LIMITS = (200, 50, 10, 0)


def template_dir() -> Path:
    """``app/_templates`` in an installed wheel, the repository's ``templates/`` otherwise."""
    package = Path(app.__file__).resolve().parent
    bundled = package / "_templates"
    return bundled if bundled.is_dir() else package.parent / "templates"


def table_cell(value: object) -> str:
    """Text that stays in one GFM table cell: GitHub splits rows at every unescaped `|`, even
    inside a code span, and a line break ends the row."""
    return " ".join(str(value).splitlines()).replace("|", "\\|")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["cell"] = table_cell
    return env


class _KeptTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in a cache folder, so the next process does not compile them
    again (12 ms for one PR body's templates); a failure to read or write one is a miss."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)


def keep_compiled(folder: Path) -> None:
    """Keep the compiled templates in ``folder`` (a cache root's: `app.caches.TEMPLATES`)."""
    environment().bytecode_cache = _KeptTemplates(str(folder))


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def render_body(kind: str, **context: Any) -> str:
    """Render ``<kind>.md.j2``; long tables shrink (with a note) to stay under GitHub's cap."""
    body = ""
    for max_rows in _ROW_LIMITS:
        body = render(f"{kind}.md.j2", max_rows=max_rows, **context)
        if len(body) <= GITHUB_BODY_LIMIT:
            return body
    note = "\n\n_The body was cut to fit GitHub's size limit._\n"
    return body[: GITHUB_BODY_LIMIT - len(note)] + note
