"""The report as a person sees it: the example estate's pages opened in headless Chromium.

Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it when absent, so this test does not
skip) loads each page from a file, with no network. Its DOM after loading must hold the charts
(inline SVG with ``role="img"``) and the tables; its console must stay silent (a script, a blocked
request or a CSP violation would log there: a control page proves the console is read); and a
screenshot of the page is taken and checked to be a picture with something on it.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from tests.report_fixtures import Page, report

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0")
TIMEOUT = 120  # seconds, per Chromium run
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\)|:\d+)\]\s*(.*)")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless Chromium is needed (apt-get install -y chromium; .ci/run installs it)"
    return found


def browse(url: str, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url], capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL, env={**os.environ, "HOME": profile})


def console_messages(stderr: str) -> list[str]:
    return [match.group(1) for match in CONSOLE.finditer(stderr)]


def png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values in the decoded pixel rows (1: a blank picture)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    chunks, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"IDAT":
            chunks.append(data[position + 8:position + 8 + length])
        position += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels[: 4_000_000]))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "2026-11"
    result = report(out)
    assert result.exit_code == 1, result.output
    return out


@pytest.mark.parametrize("name, charts, tables", [("index.html", 3, 1), ("owners/search.html", 2, 2)])
def test_the_page_loads_with_its_charts_and_tables_and_a_silent_console(pages, tmp_path, name, charts, tables):
    url = (pages / name).as_uri()
    loaded = browse(url, "--dump-dom")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert console_messages(loaded.stderr) == []
    dom = Page(loaded.stdout)
    assert len([svg for svg in dom.tags("svg") if svg.get("role") == "img"]) >= charts
    assert len(dom.tags("table")) >= tables
    assert "Owners by money at stake" in dom.text or "Findings" in dom.text
    shot = tmp_path / (Path(name).stem + ".png")
    taken = browse(url, f"--screenshot={shot}", "--window-size=1280,2000")
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    width, height, colours = png_size_and_colours(shot)
    assert (width, height) == (1280, 2000) and colours > 10


def test_the_console_is_read(tmp_path):
    """The control: a page that runs a script (the report's policy would block one) logs to the console we read."""
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html><body><script>console.error('seen by the test')</script></body></html>")
    loaded = browse(page.as_uri(), "--dump-dom")
    assert "seen by the test" in " ".join(console_messages(loaded.stderr))
