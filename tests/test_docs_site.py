"""The documentation site builds offline with ``mkdocs build --strict``: every page in the navigation,
every link and anchor resolving. A page with a broken link fails the build."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # nothing listens there: a build that fetched anything would fail


def build(config: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HTTP_PROXY": CLOSED_PORT_PROXY, "HTTPS_PROXY": CLOSED_PORT_PROXY, "http_proxy": CLOSED_PORT_PROXY,
           "https_proxy": CLOSED_PORT_PROXY, "NO_PROXY": "", "no_proxy": ""}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)],
                          cwd=config.parent, env=env, capture_output=True, text=True, timeout=600)


def anchors_of(page: Path) -> set[str]:
    """The ids a Markdown page gives its headings (as the site's toc extension makes them) and its own anchors."""
    import markdown

    html = markdown.markdown(page.read_text(encoding="utf-8"), extensions=["toc", "tables", "fenced_code"])
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_the_site_builds_strict_and_offline(tmp_path):
    done = build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    pages = {str(p.relative_to(ROOT / "docs").with_suffix("")) for p in (ROOT / "docs").rglob("*.md")}
    built = {str(p.parent.relative_to(tmp_path / "site")) for p in (tmp_path / "site").rglob("index.html")}
    assert {p.removesuffix("/index") for p in pages} - {"index"} <= built  # every page is in the site


def test_a_broken_link_or_anchor_fails_the_build(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    page = tmp_path / "docs" / "ownership.md"
    text = page.read_text()
    page.write_text(text + "\nSee [the missing page](no-such-page.md).\n")
    done = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0 and "no-such-page.md" in done.stderr
    page.write_text(text + "\nSee [a missing section](cli.md#no-such-section).\n")
    done = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0 and "no-such-section" in done.stderr
