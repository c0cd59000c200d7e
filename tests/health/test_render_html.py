"""The HTML report as a file: self-contained, escaped, honest about unknown coverage."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from app.health.render_html import render_html
from tests.health.report_documents import (
    HOSTILE_PATH,
    empty_document,
    hostile_document,
    realistic_document,
)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def test_the_page_is_self_contained() -> None:
    html = render_html(realistic_document())
    elements = parse(html)
    names = {tag for tag, _ in elements.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base"}
    assert not re.search(r"https?://|url\(|@import|@font-face|\bon\w+=", html)
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in (
        elements.tags
    )


def test_charts_are_inline_svg_paths() -> None:
    elements = parse(render_html(realistic_document()))
    paths = [attrs["d"] or "" for tag, attrs in elements.tags if tag == "path"]
    assert len([tag for tag, _ in elements.tags if tag == "svg"]) == 5
    assert len(paths) == 5 and all(d and d.startswith("M") for d in paths)
    score = paths[0]
    assert score.count("L") == 25  # 26 weekly points, one line
    # Coverage is unknown for the first 4 weeks: the line starts at week 5, no zero drawn.
    coverage = paths[3]
    assert coverage.count("M") == 1 and coverage.count("L") == 21
    thresholds = [attrs for tag, attrs in elements.tags if attrs.get("class") == "threshold"]
    assert len(thresholds) == 1  # libyears has a forecast, hence a threshold line


def test_a_gap_in_the_data_is_a_gap_in_the_line() -> None:
    doc = realistic_document(history=10)
    doc["history"][5]["metrics"]["coverage_percent"] = None
    elements = parse(render_html(doc))
    coverage = [attrs["d"] or "" for tag, attrs in elements.tags if tag == "path"][3]
    assert coverage.count("M") == 2


def test_unknown_coverage_is_unknown_never_zero() -> None:
    doc = realistic_document(modules=4)
    for module in doc["modules"]:
        module["coverage"] = None
    text = "".join(parse(render_html(doc)).text)
    assert text.count("unknown") >= 4 and "0 %" not in text


def test_repository_strings_are_escaped() -> None:
    html = render_html(hostile_document())
    elements = parse(html)
    names = [tag for tag, _ in elements.tags]
    for tag in ("script", "img", "b", "i", "u", "em", "a"):
        assert tag not in names, tag
    assert HOSTILE_PATH in "".join(elements.text)


def test_empty_document() -> None:
    text = " ".join(parse(render_html(empty_document())).text)
    assert "No trend yet: 0 weekly samples of history" in text
    assert "No forecast" in text and "No debt items found." in text
    assert "mean days behind: unknown" in text
