"""Every file of a report folder, made before any is written (see :mod:`engine.report.folder`); findings.json as
pieces made while it is written.

=====================  ==================================================================================
file                   what it holds
=====================  ==================================================================================
``index.html``         the estate: owners ranked by money at stake, charts, trend, showback, problems
``owners/NAME.html``   one page per owner (not with ``split=False``: their sections are on the index)
``findings.json``      the findings document, exactly what ``check --format json`` writes for the run
``summary.md``         the report in Markdown
``chargeback.csv``     showback and chargeback per owner (only when the run had cost data)
=====================  ==================================================================================
"""

from __future__ import annotations

from engine.outputs.json_format import render_chunks
from engine.report import html_report, summary_markdown
from engine.report.model import ReportModel


def report_files(model: ReportModel, *, split: bool = True, chargeback: str | None = None) -> dict:
    """``{path in the folder: content}``; the HTML pages first (a delivery attaches them)."""
    files: dict = dict(html_report.render_pages(model, split=split))
    files["summary.md"] = summary_markdown.render(model, split=split)
    # written a batch of findings at a time, as check --output writes it (never held whole in memory); a failure
    # while it is made leaves the report unwritten like any other (engine.report.folder)
    files["findings.json"] = render_chunks(model.result, version=model.version)
    if chargeback is not None:
        files["chargeback.csv"] = chargeback
    return files

