"""Reference pages written from the code, so that they cannot drift from it.

* ``docs/cli.md``: every command of ``costwarden``, with its usage, help, options and defaults,
  read from the click command tree (:mod:`engine.reference.cli_page`);
* ``docs/findings.md``: every field of the findings JSON, read from ``schemas/findings.schema.json``
  (:mod:`engine.reference.findings_page`).

Each page is written by hand around a part between ``<!-- generated ... -->`` markers, which the
generator rewrites. ``tests/test_reference_pages.py`` fails while a page is stale::

    python -m engine.reference           # lists the stale pages (exit code 1 when there are)
    python -m engine.reference --write   # rewrites them

The pages that follow from the table of policy types are written by :mod:`engine.checks.derived`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the source checkout: docs/ is beside engine/


def replace_generated(text: str, begin: str, end: str, generated: str, page: str) -> str:
    """``text`` with what lies between the markers ``begin`` and ``end`` replaced by ``generated``."""
    if begin not in text or end not in text:
        raise ValueError(f"{page} has lost its markers: {begin} ... {end}")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n\n{generated.strip()}\n\n{end}{tail}"


def pages(root: Path = ROOT) -> dict[str, str]:
    """Each generated page (path relative to ``root``) as it should be, from what it holds now."""
    from engine.reference import cli_page, findings_page

    out = {}
    for module in (cli_page, findings_page):
        text = (root / module.PAGE).read_text(encoding="utf-8")
        out[module.PAGE] = replace_generated(text, module.BEGIN, module.END, module.generated(root), module.PAGE)
    return out


def stale_pages(root: Path = ROOT) -> list[str]:
    return [name for name, text in pages(root).items() if (root / name).read_text(encoding="utf-8") != text]


def write_pages(root: Path = ROOT) -> list[str]:
    written = []
    for name, text in pages(root).items():
        if (root / name).read_text(encoding="utf-8") != text:
            (root / name).write_text(text, encoding="utf-8")
            written.append(name)
    return written
