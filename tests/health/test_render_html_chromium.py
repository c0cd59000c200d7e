"""The HTML report in a real browser (Debian's headless ``chromium``): the charts are laid out,
the screenshot is not blank, and at a phone's width nothing overflows sideways.

The report itself has no JavaScript; the measurements come from a test-only copy of the page
with a script appended, whose results Chromium writes into the DOM it dumps. Headless Chromium
will not make a window narrower than 500 px, so the page is shown in an iframe of the phone's
width (``srcdoc``, same origin as the test page) inside a wider window.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from app.health.render_html import render_html
from tests.health.report_documents import HOSTILE_PATH, hostile_document, realistic_document

PHONE = (390, 844)
DESKTOP = (1280, 2400)

MEASURE = """<script>
(() => {
  const charts = [...document.querySelectorAll("svg")].map((svg) => {
    const box = svg.getBoundingClientRect();
    const line = svg.querySelector("path.series");
    return {
      width: box.width,
      height: box.height,
      length: line ? line.getTotalLength() : 0,
      lineWidth: line ? line.getBBox().width : 0,
    };
  });
  const root = document.documentElement;
  window.parent.document.body.setAttribute("data-measurements", JSON.stringify({
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    innerWidth: window.innerWidth,
    charts,
  }));
})();
</script>
"""


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "Debian's chromium is needed to test the HTML report in a real browser: "
            "apt-get install -y --no-install-recommends chromium (.ci/run installs it)"
        )
    return found


def run_chromium(tmp_path: Path, url: str, size: tuple[int, int], *options: str) -> str:
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",  # tests run as root in CI
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--window-size={size[0]},{size[1]}",
            *options,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def framed(page: str, size: tuple[int, int], script: str = "") -> str:
    """A test page showing ``page`` (plus ``script``) in an iframe of exactly ``size``."""
    inner = page.replace("</body>", script + "</body>")
    return (
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe style="border:0;display:block;width:{size[0]}px;height:{size[1]}px" '
        f'srcdoc="{html.escape(inner, quote=True)}"></iframe></body></html>'
    )


def window(size: tuple[int, int]) -> tuple[int, int]:
    return max(size[0], 500), size[1]


def measure(tmp_path: Path, page: str, size: tuple[int, int]) -> dict[str, Any]:
    test_page = tmp_path / f"measure-{size[0]}.html"
    test_page.write_text(framed(page, size, MEASURE), encoding="utf-8")
    dom = run_chromium(tmp_path, test_page.as_uri(), window(size), "--dump-dom")
    found = re.search(r'data-measurements="([^"]*)"', dom)
    assert found, dom[-2000:]
    measured: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return measured


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of an 8-bit RGB or RGBA non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line[j] for j in range(stride) if bpp == 3 or j % 4 != 3))
        previous = line
    return width, height, rows


def test_png_reader_reads_what_it_is_given() -> None:
    rows = [bytes([255, 0, 0, 0, 0, 255]), bytes([0, 255, 0, 255, 255, 255])]
    filtered = b"".join(b"\x00" + row for row in rows)
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(filtered))
    assert png_pixels(png + chunk(b"IEND", b"")) == (2, 2, rows)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "report.html"
    page.write_text(render_html(realistic_document()), encoding="utf-8")
    return page


def test_the_charts_render_in_chromium(report: Path, tmp_path: Path) -> None:
    measured = measure(tmp_path, report.read_text(encoding="utf-8"), DESKTOP)
    charts = measured["charts"]
    assert len(charts) == 5
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["length"] > 100 and chart["lineWidth"] > 250, chart


def test_at_a_phones_width_nothing_overflows(report: Path, tmp_path: Path) -> None:
    measured = measure(tmp_path, report.read_text(encoding="utf-8"), PHONE)
    assert measured["innerWidth"] == PHONE[0]
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    for chart in measured["charts"]:
        assert 300 < chart["width"] <= PHONE[0] and chart["length"] > 100, chart


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_screenshot_is_not_blank(report: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    shot = tmp_path / "report.png"
    test_page = tmp_path / "framed.html"
    test_page.write_text(framed(report.read_text(encoding="utf-8"), size), encoding="utf-8")
    run_chromium(tmp_path, test_page.as_uri(), window(size), f"--screenshot={shot}")
    data = shot.read_bytes()
    if size == DESKTOP:
        # Decoding 3 million pixels in Python is slow: the size says the page drew a lot.
        (width, height) = struct.unpack(">II", data[16:24])
        assert (width, height) == size and len(data) > 100_000
        return
    width, height, rows = png_pixels(data)
    assert (width, height) == window(size)
    pixels = [row[i : i + 3] for row in rows for i in range(0, size[0] * 3, 3)]
    colours = set(pixels)
    white = pixels.count(b"\xff\xff\xff")
    assert len(colours) >= 50, len(colours)  # text, the grade badge, bars, chart lines
    assert white < 0.97 * len(pixels)
    blue = sum(1 for p in pixels if p[2] > 150 and p[0] < 80)  # chart lines and bars (#0969da)
    assert blue > 200, blue


def test_hostile_names_stay_text_in_the_browser(tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(render_html(hostile_document()), encoding="utf-8")
    dom = run_chromium(tmp_path, page.as_uri(), DESKTOP, "--dump-dom")
    for tag in ("<script", "<img", "<b>", "<i>", "<u>", "<em>", "<a "):
        assert tag not in dom, tag
    assert html.escape(HOSTILE_PATH, quote=False) in dom
