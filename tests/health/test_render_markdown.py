"""The weekly report's Markdown, read back the way GitHub renders it (CommonMark + GFM tables)."""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt

from app.health.render_markdown import md_cell_code, md_code, md_text, render_markdown
from app.templates import GITHUB_BODY_LIMIT
from tests.health.report_documents import (
    HOSTILE_PATH,
    empty_document,
    hostile_document,
    realistic_document,
)


def to_html(markdown: str) -> str:
    # GitHub lets some raw HTML through; rendering with html on shows anything that would pass.
    rendered: str = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    return rendered


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table's body rows, as lists of inline cell contents."""
    found: list[list[list[str]]] = []
    in_body = False
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            found.append([])
        elif token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif in_body and token.type == "tr_open":
            found[-1].append([])
        elif in_body and token.type == "inline":
            found[-1][-1].append(token.content)
    return found


def mermaid_blocks(markdown: str) -> list[str]:
    return [
        t.content
        for t in MarkdownIt("commonmark").parse(markdown)
        if t.type == "fence" and t.info == "mermaid"
    ]


def test_realistic_report() -> None:
    text = render_markdown(realistic_document())
    assert "**Health 79/100 (grade B)**, down 3 since last week." in text
    components, items, modules = tables(text)
    assert [row[:2] for row in components] == [
        ["complexity", "84"],
        ["dependencies", "70"],
        ["coverage", "78"],
        ["architecture", "90"],
    ]
    assert "### Top items (10 of 14)" in text
    assert len(items) == 10 and all(len(row) == 7 for row in items)
    assert items[0][-1] == "split handle\\_0: 6 branches"
    assert items[1][-1] == "drafted on `maintainer/bump-1`"
    assert len(modules) == 15 and modules[0][0] == "`widgets/mod39.py`"  # biggest hotspot first
    assert "_25 more modules not shown._" in text
    assert "- **libyears cross 10 in 5 weeks \\(3–9\\)** in `acme/widgets`" in text
    assert "<strong>libyears cross 10 in 5 weeks (3–9)</strong>" in to_html(text)


def test_trend_charts_are_mermaid_xycharts() -> None:
    charts = mermaid_blocks(render_markdown(realistic_document()))
    titles = [re.search(r'title "([^"]*)"', c).group(1) for c in charts]  # type: ignore[union-attr]
    assert titles == [
        "Health score",
        "Mean complexity",
        "Libyears",
        "Coverage (%)",
        "Architecture violations",
    ]
    for chart in charts:
        assert chart.startswith("xychart-beta\n")
        labels = re.search(r"x-axis \[(.*)\]", chart).group(1).split(", ")  # type: ignore[union-attr]
        values = re.search(r"line \[(.*)\]", chart).group(1).split(", ")  # type: ignore[union-attr]
        assert len(labels) == len(values) >= 2
    score, _, libyears, coverage, _ = charts
    assert 'y-axis "Health score" 0 --> 100' in score and "line [88, 88, 88, 87," in score
    # The threshold is drawn as a flat second line.
    assert "line [10, 10, 10," in libyears
    # Unknown coverage (the first 4 weeks) is left out, never drawn as 0.
    assert coverage.count('"') == 2 * 22 + 4 and "line [79.8," in coverage  # 22 dates, 2 titles


def test_unknown_coverage_is_unknown_never_zero() -> None:
    doc = realistic_document(modules=4)
    for sample in doc["history"]:
        sample["metrics"]["coverage_percent"] = None
    for module in doc["modules"]:
        module["coverage"] = None
    text = render_markdown(doc)
    assert "0 %" not in text and "0%" not in text
    assert all(row[-1] == "unknown" for row in tables(text)[2])
    assert "Coverage" not in "".join(mermaid_blocks(text))


def test_empty_document() -> None:
    text = render_markdown(empty_document())
    assert "first report" in text
    assert "_No trend yet: 0 weekly samples of history; charts start at two._" in text
    assert "_No forecast:" in text and "_No debt items found._" in text
    assert "_No Python modules measured._" in text and "mean days behind: unknown" in text
    assert mermaid_blocks(text) == []


def test_one_sample_gives_no_chart() -> None:
    assert mermaid_blocks(render_markdown(realistic_document(history=1))) == []


def test_repository_strings_cannot_inject_html_mentions_or_table_cells() -> None:
    text = render_markdown(hostile_document())
    html = to_html(text)
    for tag in ("<img", "<script", "<b>", "<i>", "<u>", "<em>", "<a "):
        assert tag not in html, tag
    # GitHub makes no mention (and no link) inside code; everywhere else a zero-width space
    # follows the @.
    outside_code = re.sub(r"<code>.*?</code>", "", html)
    assert not re.search(r"@(octocat|admin|team|bob)", outside_code), "a mention would ping"
    assert "@\u200bteam" in outside_code and "@\u200badmin" in outside_code
    components, items, modules = tables(text)
    assert all(len(row) == 3 for row in components)
    assert all(len(row) == 7 for row in items)
    assert all(len(row) == 7 for row in modules)
    # What GitHub shows in a code span is the name, character for character.
    shown = html.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert f"<code>{HOSTILE_PATH}</code>" in shown


def test_escapers() -> None:
    assert md_text("a_b *c* [d](e) <f> @g\nh") == "a\\_b \\*c\\* \\[d\\]\\(e\\) \\<f\\> @\u200bg h"
    assert md_code("a ``b`` c") == "```a ``b`` c```"
    assert md_code("`x`") == "`` `x` ``"
    assert md_cell_code("a|b") == "`a\\|b`"
    assert md_text("x" * 1000).endswith("…") and len(md_text("x" * 1000)) == 300


def test_a_huge_repository_stays_under_githubs_body_limit() -> None:
    doc: dict[str, Any] = realistic_document(modules=20)
    for module in doc["modules"]:
        module["path"] = "pkg/" + "deeply/nested/" * 40 + module["path"]
    doc["items"] = [{**doc["items"][0], "evidence": "y" * 5000} for _ in range(200)]
    doc["architecture"]["violations"] = [
        {"contract": "c" * 400, "detail": "d" * 400, "new": False} for _ in range(500)
    ]
    text = render_markdown(doc)
    assert len(text) <= GITHUB_BODY_LIMIT
    assert "490 more violations not shown" in text


def test_a_module_without_functions() -> None:
    doc = realistic_document(modules=1)
    doc["modules"][0]["complexity"]["worst"] = {"function": "", "value": 0}
    assert tables(render_markdown(doc))[2][0][3] == "no functions"
