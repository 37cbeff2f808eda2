"""The chain report page in a real browser: headless Chromium (Debian's `chromium` package) loads
the page from a file, with network features off, and renders the bars and the totals.

Skipped only when Chromium is missing outside CI; with CI=true a missing Chromium fails.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from gtchain_runtime.domain.report_page import CATEGORIES
from gtchain_runtime.presentation.report_page import render_report_html
from tests.support.report import finished_page

INSTALL = "apt-get install -y chromium"
WIDTH, HEIGHT = 1200, 900


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and Chromium is not installed: {INSTALL}")
    pytest.skip(f"Chromium is not installed ({INSTALL}); CI=true turns this skip into a failure")


def run_chromium(page: Path, profile: Path, *mode: str) -> str:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        *mode,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def png_pixels(png: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (Chromium's screenshots)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks, data = 8, {}, b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, body = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        chunks[kind] = body
        data += body if kind == b"IDAT" else b""
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format: depth {depth}, colour type {colour}"
    step = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(data), width * step
    previous, pixels = bytearray(stride), []
    for row in range(height):
        start = row * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, step)
        pixels += [tuple(line[i : i + 3]) for i in range(0, stride, step)]
        previous = line
    return width, height, pixels


def _unfilter(kind: int, line: bytearray, above: bytearray, step: int) -> bytearray:
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        up, corner = above[i], above[i - step] if i >= step else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
            line[i] = (line[i] + predictor) & 0xFF
    return line


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    page.write_text(render_report_html(finished_page()), encoding="utf-8")
    return page


def test_chromium_builds_the_bars_and_the_totals(page_file: Path, tmp_path: Path) -> None:
    dom = run_chromium(page_file, tmp_path / "profile", "--dump-dom")
    # The DOM the browser built from the page: every bar segment and the table kept their numbers.
    assert dom.count("data-category=") == 9
    assert 'data-category="inherited" data-count="3412"' in dom
    assert "<tfoot>" in dom and "$372.92" in dom and "$476.50" in dom and "3,547 / 3,547" in dom


def test_chromium_paints_every_category_of_the_bars(page_file: Path, tmp_path: Path) -> None:
    screenshot = tmp_path / "report.png"
    run_chromium(page_file, tmp_path / "profile", f"--screenshot={screenshot}")
    width, height, pixels = png_pixels(screenshot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    painted = Counter(pixels)
    # The colour's two 12 x 12 swatches (legend, table heading) are at most 288 pixels: more than
    # 400 means a bar segment is painted too (the narrowest, 35 failed of 3,547 objects, is about
    # 10 x 28 pixels).
    for category in CATEGORIES:
        assert painted[rgb(category.colour)] > 400, f"no bar painted in {category.label} ({category.colour})"
