"""The health document as one self-contained HTML page (``maintainer health --format html``).

Charts are inline SVG drawn here; the page has no JavaScript, no network resource and no web
font, so it opens the same in an air-gapped install and on a phone. Every string is
HTML-escaped by the template (autoescape).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.health.report_view import Chart, fix_text, number, percent, report_view
from app.templates import render

WIDTH, HEIGHT = 640.0, 220.0
LEFT, RIGHT, TOP, BOTTOM = 44.0, 12.0, 12.0, 28.0


@dataclass(frozen=True)
class SvgChart:
    title: str
    path: str
    """The line through the known points; an unknown value breaks it (a gap, not a zero)."""
    dots: tuple[tuple[float, float], ...]
    threshold_y: float | None
    threshold_label: str
    ticks: tuple[tuple[float, str], ...]
    """(y, label) of the horizontal grid lines."""
    first_date: str
    last_date: str
    summary: str
    """The text alternative: first and last known values."""


def render_html(doc: Mapping[str, Any]) -> str:
    view = report_view(doc)
    return render(
        "health/report.html.j2",
        view=view,
        doc=doc,
        charts=[svg_chart(chart) for chart in view.charts],
        number=number,
        percent=percent,
        fix=fix_text,
        width=int(WIDTH),
        height=int(HEIGHT),
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
    )


def svg_chart(chart: Chart) -> SvgChart:
    count = len(chart.values)
    span = chart.high - chart.low or 1.0

    def x_at(index: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (index / (count - 1) if count > 1 else 0.5)

    def y_at(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (value - chart.low) / span)

    commands: list[str] = []
    dots: list[tuple[float, float]] = []
    pen_down = False
    for index, value in enumerate(chart.values):
        if value is None:
            pen_down = False
            continue
        x, y = round(x_at(index), 1), round(y_at(value), 1)
        commands.append(f"{'L' if pen_down else 'M'}{x} {y}")
        dots.append((x, y))
        pen_down = True
    known = chart.known()
    ticks = tuple(
        (round(y_at(chart.low + span * k / 4), 1), number(round(chart.low + span * k / 4, 2)))
        for k in range(5)
    )
    threshold = chart.threshold
    return SvgChart(
        title=chart.title,
        path=" ".join(commands),
        dots=tuple(dots),
        threshold_y=None if threshold is None else round(y_at(threshold), 1),
        threshold_label="" if threshold is None else f"threshold {number(threshold)}",
        ticks=ticks,
        first_date=chart.dates[0],
        last_date=chart.dates[-1],
        summary=(
            f"{chart.title}: {number(round(known[0][1], 2))} on {chart.dates[known[0][0]]}, "
            f"{number(round(known[-1][1], 2))} on {chart.dates[known[-1][0]]}"
        ),
    )
