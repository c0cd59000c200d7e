"""The health document as GitHub-flavoured Markdown: the weekly "Maintenance report" issue and
``maintainer health --format markdown``.

Every string that comes from the repository (paths, function names, evidence, branch names) is
escaped here: it cannot open HTML, ping someone with ``@``, link an issue with ``#``, or break a
table row with ``|`` or a line break.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.health.report_view import (
    MAX_MODULES,
    Chart,
    WeekOutcome,
    fix_text,
    number,
    percent,
    report_view,
)
from app.templates import GITHUB_BODY_LIMIT, render

MAX_STRING = 300
"""Repository strings longer than this are cut (with an ellipsis): a report stays readable."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")
_MENTION = re.compile(r"@")
_DATE = re.compile(r"\d{4}-(\d{2}-\d{2})")


@dataclass(frozen=True)
class IssueParts:
    """What the App's weekly issue shows besides the document: the bot PRs merged and rejected
    this week, and when the issue is edited next (``day``, ``time``, ``timezone``)."""

    week: Sequence[WeekOutcome]
    day: str
    time: str
    timezone: str


def render_markdown(
    doc: Mapping[str, Any], issue: IssueParts | None = None, *, limit: int = GITHUB_BODY_LIMIT
) -> str:
    """The report; the modules table shrinks (and says so) to stay under ``limit``
    (GitHub's body limit by default)."""
    text = ""
    for max_modules in (MAX_MODULES, 5, 0):
        view = report_view(doc, max_modules=max_modules)
        text = render(
            "health/report.md.j2",
            view=view,
            doc=doc,
            issue=issue,
            text=md_text,
            code=md_code,
            cell=md_cell_code,
            mermaid=mermaid_chart,
            number=number,
            percent=percent,
            fix=fix_text,
        )
        if len(text) <= limit:
            return text
    return text


def _bounded(value: object) -> str:
    text = _CONTROL.sub(" ", str(value)).strip()
    return text if len(text) <= MAX_STRING else text[: MAX_STRING - 1] + "…"


def md_text(value: object) -> str:
    """Plain text in Markdown: punctuation backslash-escaped (no emphasis, links, HTML or
    entities), ``@`` followed by a zero-width space (no mention), one line."""
    escaped = _PUNCTUATION.sub(r"\\\1", _bounded(value))
    return _MENTION.sub("@\u200b", escaped)


def md_code(value: object) -> str:
    """A code span holding ``value`` verbatim, whatever backticks it contains (outside tables)."""
    text = _bounded(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_cell_code(value: object) -> str:
    """A code span inside a table cell: GitHub splits rows at every unescaped ``|``, even
    inside code, so pipes are escaped (the table reads them back as ``|``)."""
    return md_code(value).replace("|", "\\|")


def mermaid_chart(chart: Chart) -> str:
    """A Mermaid ``xychart-beta`` of the known points (Mermaid has no gaps: unknown values are
    left out with their dates), with the threshold as a second, flat line."""
    known = chart.known()
    labels = ", ".join(f'"{_short_date(chart.dates[i])}"' for i, _ in known)
    values = ", ".join(number(round(v, 2)) for _, v in known)
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{_mermaid_string(chart.title)}"',
        f"    x-axis [{labels}]",
        f'    y-axis "{_mermaid_string(chart.title)}" {number(chart.low)} --> {number(chart.high)}',
        f"    line [{values}]",
    ]
    if chart.threshold is not None:
        flat = ", ".join([number(round(chart.threshold, 2))] * len(known))
        lines.append(f"    line [{flat}]")
    lines.append("```")
    return "\n".join(lines)


def _short_date(date: str) -> str:
    """MM-DD of an ISO date; anything else is reduced to digits and dashes (no quote can end
    the Mermaid string)."""
    match = _DATE.fullmatch(date)
    return match.group(1) if match else re.sub(r"[^0-9-]", "", date)[:10]


def _mermaid_string(text: str) -> str:
    return re.sub(r'["`\\\x00-\x1f]', "", text)
