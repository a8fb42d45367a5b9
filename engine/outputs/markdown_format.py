"""Markdown for a pull request comment or ``$GITHUB_STEP_SUMMARY``: the verdict, the counts, the findings.

* a headline with the verdict at ``fail_on`` (passes / fails / error, as the exit code would be);
* when change policies priced a plan: the cost of the change per owner (added, removed, net per
  currency, unpriced resources, budget before → after; :mod:`engine.outputs.change_table`), and the
  unpriced resources with their reason;
* findings per severity (all, open, failing), then per owner with their dollars, one total per
  currency (two currencies are never added together);
* the findings grouped by owner, each owner in a ``<details>`` block, the failing findings first;
* evaluation errors, policies that were not evaluated, warnings.

The body is at most ``max_chars`` characters (GitHub keeps at most 65,536 in a comment): findings
that do not fit are counted in a "N more findings not shown" line; messages and ids are cut in
table cells. Every value is escaped for where it lands (:mod:`engine.outputs.escaping`): text
from snapshots can neither make Markdown or HTML, nor links, mentions or issue references.
"""

from __future__ import annotations

from engine.findings import Finding, Result, money_totals
from engine.outputs import change_table
from engine.outputs.escaping import markdown_html, markdown_text
from engine.outputs.labels import check_fail_on, dollars, money_totals_label, subject, verdict
from engine.outputs.periods import period_words
from engine.outputs.statuses import (NOT_ACTIVE, baseline_summary, exemption_backing, exemption_counts, exemption_note,
                                     exemption_where, fixed_label, status_label)
from engine.severity import SEVERITIES, SEVERITY_RANK

MAX_CHARS = 60_000  # under GitHub's 65,536 for a comment, with room for what a CI step adds around it
MIN_CHARS = 4_000  # what the headline, the counts and the short lists may take before any finding
_MESSAGE_CHARS = 300  # of a message in a table cell (before escaping)
_SUBJECT_CHARS = 150
_NAME_CHARS = 80
_LISTED = 20  # evaluation errors, skipped policies, warnings listed (the others counted)
_OWNERS = 50  # rows of the owner table
_RESERVE = 200  # room kept for the "N more findings not shown" line
_TABLE_HEAD = "| severity | policy | resource or scope | status | dollars | message |\n|:--|:--|:--|:--|:--|:--|\n"
_HEADLINES = {"passes": "passes", "fails": "fails", "error": "could not evaluate every policy"}


class _Page:
    """The body so far, and whether more fits in ``limit`` characters (:meth:`add` itself never refuses)."""

    def __init__(self, limit: int):
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit

    def fits(self, text: str) -> bool:
        return self.size + len(text) <= self.limit

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)


def render(result: Result, *, version: str, color: bool = False, shorten: bool = True, fail_on: str = "info",
           max_chars: int = MAX_CHARS) -> str:
    check_fail_on(fail_on)
    if max_chars < MIN_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_CHARS:,} (the headline, counts and tables), not {max_chars:,}")
    footer = f"<sub>costwarden {markdown_html(version, _NAME_CHARS)}, as of {markdown_html(result.as_of, _NAME_CHARS)}</sub>\n"
    page = _Page(max_chars - len(footer) - _RESERVE)  # the "not shown" line and the footer always fit
    failing = {id(finding) for finding in result.failing(fail_on)}
    word, reason = verdict(result, fail_on)
    page.add(f"### costwarden {_HEADLINES[word]}\n\n**{word.capitalize()}** at \\-\\-fail\\-on {markdown_text(fail_on)}: "
             f"{markdown_text(reason)}\\.\n\n")
    _change(page, result)
    page.add(_overview(result) + "\n\n")
    page.add(_severity_table(result, failing) + "\n")
    _problems(page, result)
    _exemptions_and_baseline(page, result)
    _owner_table(page, result)
    shown = _findings(page, result, failing)
    hidden = len(result.findings) - shown
    if hidden:
        page.add(f"**{hidden} more finding{'s' if hidden != 1 else ''} not shown** (the body stays under "
                 f"{max_chars:,} characters): the JSON, SARIF and CSV outputs list them all\\.\n\n")
    page.add(footer)
    return "".join(page.parts)


def _change(page: _Page, result: Result) -> None:
    """The cost of the change per owner, and the unpriced resources (a few listed, the rest counted)."""
    rows = change_table.rows(result)
    if not rows:
        return
    lines = [f"**Cost of the change** \u2014 {markdown_text(change_table.sources_line(result), _MESSAGE_CHARS * 2)}\n\n",
             "| " + " | ".join(change_table.HEADER) + " |\n", "|:--|--:|--:|--:|--:|:--|\n"]
    for row in rows[:_OWNERS]:
        lines.append("| " + " | ".join(markdown_text(cell, _MESSAGE_CHARS) for cell in row) + " |\n")
    if len(rows) > _OWNERS:
        lines.append(f"\n{len(rows) - _OWNERS} more rows not listed\\.\n")
    unpriced = change_table.unpriced(result)
    if unpriced:
        lines.append(f"\n**Unpriced** \\({len(unpriced)}\\)\n\n")
        lines += [f"- {markdown_text(item, _MESSAGE_CHARS)}\n" for item in unpriced[:_LISTED]]
        if len(unpriced) > _LISTED:
            lines.append(f"- and {len(unpriced) - _LISTED} more\n")
    block = "".join(lines) + "\n"
    if page.fits(block):
        page.add(block)


def _overview(result: Result) -> str:
    statuses: dict[str, int] = {}
    for finding in result.findings:
        statuses[finding.status] = statuses.get(finding.status, 0) + 1
    counted = ", ".join(f"{statuses[s]} {s}" for s in ("open", "exempted", "baselined") if statuses.get(s))
    inputs = f"{result.resources_evaluated} resources" + (f" and {result.cost_rows_evaluated} cost rows" if result.cost_rows_evaluated else "")
    text = (f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}" + (f" ({counted})" if counted else "")
            + f" from {len(result.policies)} polic{'ies' if len(result.policies) != 1 else 'y'} over {inputs}, as of {result.as_of}"
            + (f", period {period_words(result)}" if result.period else "") + ".")
    totals = money_totals_label(money_totals(result.findings))
    line = markdown_text(text)
    if totals:
        line += f"  \nDollars: {markdown_text(totals)}\\."
    return line


def _severity_table(result: Result, failing: set) -> str:
    counts = {severity: [0, 0, 0] for severity in SEVERITIES}
    for finding in result.findings:
        row = counts[finding.severity]
        row[0] += 1
        row[1] += finding.status == "open"
        row[2] += id(finding) in failing
    lines = ["| severity | findings | open | failing |", "|:--|--:|--:|--:|"]
    for severity in reversed(SEVERITIES):
        lines.append(f"| {severity} | {counts[severity][0]} | {counts[severity][1]} | {counts[severity][2]} |")
    return "\n".join(lines) + "\n"


def _problems(page: _Page, result: Result) -> None:
    """Evaluation errors, policies not evaluated and warnings: a few listed, the rest counted."""
    sections = [
        ("Evaluation errors", [markdown_text(error.format(), _MESSAGE_CHARS) for error in result.errors]),
        ("Not evaluated", [f"{markdown_text(policy, _NAME_CHARS)}: {markdown_text(reason, _MESSAGE_CHARS)}" for policy, reason in result.skipped]),
        ("Warnings", [markdown_text(warning, _MESSAGE_CHARS) for warning in result.warnings]),
    ]
    for title, items in sections:
        if not items:
            continue
        lines = [f"**{title}** \\({len(items)}\\)\n\n"]
        for item in items[:_LISTED]:
            lines.append(f"- {item}\n")
        if len(items) > _LISTED:
            lines.append(f"- and {len(items) - _LISTED} more\n")
        block = "".join(lines) + "\n"
        if page.fits(block):
            page.add(block)
        else:
            page.add(f"**{title}** \\({len(items)}\\): not listed, for room\\.\n\n")


def _exemptions_and_baseline(page: _Page, result: Result) -> None:
    """The exemptions (counts; those expired, expiring, unused or unchecked listed) and the baseline (counts; fixed entries listed)."""
    sections = []
    if result.exemptions:
        items = []
        for state in NOT_ACTIVE:
            for report in result.exemptions:
                if report.state != state:
                    continue
                backing, where = exemption_backing(report), exemption_where(report)
                items.append(f"{state}: {markdown_text(report.id, _NAME_CHARS)} — {markdown_text(exemption_note(report), _MESSAGE_CHARS)}"
                             + (f" \\({markdown_text(backing, _NAME_CHARS)}\\)" if backing else "")
                             + (f" at {markdown_text(where, _SUBJECT_CHARS)}" if where else ""))
        sections.append(("Exemptions", markdown_text(exemption_counts(result)), items))
    if result.baseline is not None:
        items = [f"fixed: {markdown_text(fixed_label(entry), _MESSAGE_CHARS)}" for entry in result.baseline.fixed]
        sections.append(("Baseline", markdown_text(baseline_summary(result)), items))
    for title, headline, items in sections:
        lines = [f"**{title}**: {headline}\\.\n\n"]
        for item in items[:_LISTED]:
            lines.append(f"- {item}\n")
        if len(items) > _LISTED:
            lines.append(f"- and {len(items) - _LISTED} more\n")
        block = "".join(lines) + ("\n" if items else "")
        if page.fits(block):
            page.add(block)
        else:
            page.add(f"**{title}**: {headline}\\. Not listed, for room\\.\n\n")


def _owner_table(page: _Page, result: Result) -> None:
    summary = result.owner_summary()
    if not summary:
        return
    lines = ["**By owner**\n\n", "| owner | findings | open | critical | high | medium | low | info | dollars |\n",
             "|:--|--:|--:|--:|--:|--:|--:|--:|:--|\n"]
    for entry in sorted(summary, key=lambda e: (-e["open"], -e["findings"], e["owner"]))[:_OWNERS]:
        severities = " | ".join(str(entry["by_severity"].get(s, 0)) for s in reversed(SEVERITIES))
        lines.append(f"| {markdown_text(_owner_label(entry['owner'], entry['name']), _NAME_CHARS)} | {entry['findings']} | {entry['open']} | "
                     f"{severities} | {markdown_text(money_totals_label(entry))} |\n")
    if len(summary) > _OWNERS:
        lines.append(f"\n{len(summary) - _OWNERS} more owners not listed\\.\n")
    table = "".join(lines) + "\n"
    if page.fits(table):
        page.add(table)


def _owner_label(owner: str, name: str | None) -> str:
    """The owner and its team name, as plain text (escaped by the caller for where it goes)."""
    return f"{owner} ({name})" if name and name != owner else owner


def _findings(page: _Page, result: Result, failing: set) -> int:
    """The findings by owner, as many as fit; how many were shown."""
    by_owner: dict[str, list[tuple[int, Finding]]] = {}
    for position, finding in enumerate(result.findings):
        by_owner.setdefault(finding.owner, []).append((position, finding))

    def importance(item: tuple[int, Finding]) -> tuple:
        position, finding = item
        return (id(finding) not in failing, -SEVERITY_RANK[finding.severity], position)

    def owner_order(owner: str) -> tuple:
        findings = by_owner[owner]
        open_ranks = [SEVERITY_RANK[f.severity] for _, f in findings if f.status == "open"]
        return (-sum(id(f) in failing for _, f in findings), -max(open_ranks, default=-1), -len(open_ranks), owner)

    if not result.findings:
        page.add("No findings\\.\n\n")
        return 0
    page.add("**Findings by owner**\n\n")
    shown = 0
    closing = "\n</details>\n\n"
    for owner in sorted(by_owner, key=owner_order):
        findings = sorted(by_owner[owner], key=importance)
        team = result.teams.get(owner)
        opened = sum(1 for _, f in findings if f.status == "open")
        label = markdown_html(_owner_label(owner, team.name if team is not None else None), _NAME_CHARS)
        summary = (f"<details><summary>{label}: {len(findings)} finding{'s' if len(findings) != 1 else ''}, "
                   f"{opened} open</summary>\n\n")
        rows = (_row(finding, id(finding) in failing) for _, finding in findings)
        row = next(rows)
        if not page.fits(summary + _TABLE_HEAD + row + closing):
            return shown
        page.add(summary + _TABLE_HEAD)
        while row is not None:
            if not page.fits(row + closing):
                page.add(closing)
                return shown  # the page is full: the findings after this one are counted, not shown
            page.add(row)
            shown += 1
            row = next(rows, None)
        page.add(closing)
    return shown


def _row(finding: Finding, fails: bool) -> str:
    policy = markdown_text(finding.policy, _NAME_CHARS) + ("" if finding.enforcement == "enforce" else " \\(audit\\)")
    status = markdown_text(status_label(finding), _NAME_CHARS) + (", failing" if fails else "")
    return (f"| {finding.severity} | {policy} | {markdown_text(subject(finding), _SUBJECT_CHARS)} | {status} | "
            f"{markdown_text(dollars(finding))} | {markdown_text(finding.message, _MESSAGE_CHARS)} |\n")
