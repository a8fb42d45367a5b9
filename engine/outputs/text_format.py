"""The human table: findings grouped by owner, then a per-owner summary. Colour only on a terminal.

On a terminal (``shorten``) the text is fitted to the terminal's width: long resource ids are cut in
the middle and messages at 160 characters; an owner's findings that do not fit as a table are
listed one under the other instead, each field of a finding on a line of its own (wrapped when
longer than the terminal); the summary's dollars go under each owner's counts when they do not fit
beside them; other long lines wrap too. A pipe, a CI log or a file (no ``shorten``) gets every
line whole, as wide as its content.
"""

from __future__ import annotations

import shutil
import textwrap

from engine.findings import Result
from engine.outputs import change_table
from engine.outputs.escaping import printable
from engine.outputs.labels import dollars, money_totals_label
from engine.outputs.periods import period_words
from engine.outputs.statuses import NOT_ACTIVE, baseline_summary, exemption_counts, exemption_note, exemption_where, fixed_label, status_label

_COLORS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m", "info": "\033[2m"}
_RESET = "\033[0m"
INDENT = "  "
GAP = "  "  # between columns
MIN_COLUMN = 20  # wrapped text gets at least this many characters a line, however narrow the terminal


def short_id(value: object, limit: int = 60) -> str:
    """A long resource id shortened in the middle: its end is what tells two resources apart (0: whole)."""
    text = printable(value)
    if not limit or len(text) <= limit:
        return text
    head = limit // 3
    return text[:head] + "…" + text[-(limit - head - 1):]


def _scope_label(scope: dict) -> str:
    value = scope.get("value")
    dimension = scope.get("dimension", "")
    period = (scope.get("period") or {}).get("start", "")[:10]
    if dimension == "all":
        text = "all spend"
    elif dimension == "owner":
        text = f"team {printable(value, 40)}"
    else:
        text = f"{printable(dimension, 30)}={printable(value, 40) if value is not None else '(no value)'}"
    return f"{text} ({scope.get('currency', '')}, from {period})" if period else f"{text} ({scope.get('currency', '')})"


def _table(rows: list[list[str]]) -> list[list[str]]:
    """The rows in columns as wide as their widest cell (the last one not padded): one line per row."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [[INDENT + GAP.join([cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]).rstrip()] for row in rows]


def _exemptions(result: Result, message_limit: int, width: int) -> list[str]:
    """The exemptions' counts, and a row per exemption that is not simply active."""
    if not result.exemptions:
        return []
    counts = exemption_counts(result)
    lines = _fit(printable(counts[:1].upper() + counts[1:]), width)
    rows = [["STATE", "EXEMPTION", "WHERE", "NOTE"]]
    for state in NOT_ACTIVE:
        for report in result.exemptions:
            if report.state == state:
                rows.append([state, printable(report.id), printable(exemption_where(report)), printable(exemption_note(report), message_limit)])
    if len(rows) > 1:
        fits = not width or _natural_width(rows) <= width
        lines.extend(line for block in (_table(rows) if fits else _last_column_below(rows, width)) for line in block)
    return lines + [""]


def _baseline(result: Result, message_limit: int, width: int) -> list[str]:
    """The baseline's counts, and the fixed entries."""
    if result.baseline is None:
        return []
    summary = baseline_summary(result)
    lines = _fit(printable(summary[:1].upper() + summary[1:]), width)
    for entry in result.baseline.fixed:
        lines.extend(_fit(f"  fixed: {printable(fixed_label(entry), message_limit)}", width, "    "))
    return lines + [""]


def _last_column_below(rows: list[list[str]], width: int) -> list[list[str]]:
    """The rows without their last column, each followed by its last cell on lines of its own, under the
    second column, wrapped to ``width`` (the header loses its last column's title)."""
    blocks = _table([row[:-1] for row in rows])
    indent = " " * (len(INDENT) + max(len(row[0]) for row in rows) + len(GAP))
    for block, row in zip(blocks[1:], rows[1:]):
        if row[-1]:
            block += _indented(row[-1], width, indent)
    return blocks


def _natural_width(rows: list[list[str]]) -> int:
    return len(INDENT) + sum(max(len(row[i]) for row in rows) for i in range(len(rows[0]))) + len(GAP) * (len(rows[0]) - 1)


def _stacked(rows: list[list[str]], width: int) -> list[list[str]]:
    """Findings one under the other: severity and policy, then the other fields a line each, wrapped to
    ``width``; the first block is the header (none: the lines say what they are). Empty fields are left out."""
    severity_width = max(len(row[0]) for row in rows[1:])
    indent = INDENT + " " * severity_width + GAP
    blocks: list[list[str]] = [[]]
    for severity, policy, subject, source, money, message in rows[1:]:
        block = _fit(INDENT + severity.ljust(severity_width) + GAP + policy, width, indent)
        for line in (subject, f"owner source: {source}", money, message):
            if line:
                block += _indented(line, width, indent)
        blocks.append(block)
    return blocks


def _indented(text: str, width: int, indent: str) -> list[str]:
    """``text`` on lines of at most ``width`` characters (at least MIN_COLUMN of text each), all indented."""
    return textwrap.wrap(text, max(width, len(indent) + MIN_COLUMN), initial_indent=indent, subsequent_indent=indent,
                         break_long_words=True, break_on_hyphens=False)


def _fit(line: str, width: int, indent: str = "  ") -> list[str]:
    """A line of text, wrapped to ``width`` (0: whole); continuation lines indented."""
    if not width or len(line) <= width:
        return [line]
    return textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=True, break_on_hyphens=False)


def _change(result: Result, width: int) -> list[str]:
    """The cost of the change per owner (when change policies priced a plan), and the unpriced resources."""
    rows = change_table.rows(result)
    if not rows:
        return []
    lines = _fit(printable(change_table.sources_line(result)), width)
    table = [[cell.upper() for cell in change_table.HEADER], *([printable(cell) for cell in row] for row in rows)]
    fits = not width or _natural_width(table) <= width
    lines.extend(line for block in (_table(table) if fits else _last_column_below(table, width)) for line in block)
    for item in change_table.unpriced(result):
        lines.extend(_fit(f"  unpriced: {printable(item)}", width, "    "))
    return lines + [""]


def render(result: Result, *, version: str, color: bool = False, shorten: bool = True, width: int | None = None) -> str:
    """The report. ``shorten`` (for a terminal) cuts long resource ids in the middle and messages at 160
    characters, and fits the lines to ``width`` columns (default: ``shutil.get_terminal_size()``); without
    it every id and message is whole and no line is wrapped."""
    id_limit, message_limit = (60, 160) if shorten else (0, 0)
    if width is None:
        width = shutil.get_terminal_size().columns if shorten else 0

    def paint(severity: str, text: str) -> str:
        return f"{_COLORS[severity]}{text}{_RESET}" if color else text

    inputs = [f"{result.resources_evaluated} resources"]
    if result.cost_rows_evaluated:
        inputs.append(f"{result.cost_rows_evaluated} cost rows")
    period = period_words(result)
    lines = [
        *_fit(f"costwarden {version}: {', '.join(inputs)}, {len(result.policies)} policies, as of {result.as_of}"
              + (f", period {period}" if period else ""), width),
        "",
    ]
    lines.extend(_change(result, width))
    by_owner: dict[str, list] = {}
    for finding in result.findings:
        by_owner.setdefault(finding.owner, []).append(finding)
    for owner in sorted(by_owner):
        findings = by_owner[owner]
        team = result.teams.get(owner)
        title = f"{printable(owner)} ({printable(team.name)})" if team is not None and team.name != owner else printable(owner)
        lines.extend(_fit(f"{title}: {len(findings)} finding{'s' if len(findings) != 1 else ''}", width))
        rows = [["SEVERITY", "POLICY", "RESOURCE OR SCOPE", "OWNER SOURCE", "DOLLARS", "MESSAGE"]]
        for f in findings:
            resource = f.resource or {}
            label = short_id(resource.get("id"), id_limit) if resource else _scope_label(f.scope or {})
            if resource.get("name") and resource.get("name") != resource.get("id"):
                label += f" ({printable(resource.get('name'), 30)})"
            status = "" if f.status == "open" else f"[{printable(status_label(f), 80)}] "
            enforcement = "" if f.enforcement == "enforce" else " (audit)"
            rows.append([f.severity, f.policy + enforcement, label, f.owner_source, dollars(f), status + printable(f.message, message_limit)])
        if not width or _natural_width(rows) <= width:
            header, *blocks = _table(rows)
        else:
            header, *blocks = _stacked(rows, width)
        lines.extend(header)
        for block, f in zip(blocks, findings):
            lines.append(block[0].replace(f.severity, paint(f.severity, f.severity), 1))
            lines.extend(block[1:])
        lines.append("")
    if not result.findings:
        lines.append("No findings.")
        lines.append("")
    summary = result.owner_summary()
    if summary:
        lines.append("Summary by owner:")
        rows = [["OWNER", "FINDINGS", "OPEN", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "DOLLARS"]]
        for entry in summary:
            sev = entry["by_severity"]
            rows.append(
                [printable(entry["owner"]), str(entry["findings"]), str(entry["open"])]
                + [str(sev.get(s, 0)) for s in ("critical", "high", "medium", "low", "info")]
                + [money_totals_label(entry)]
            )
        fits = not width or _natural_width(rows) <= width
        lines.extend(line for block in (_table(rows) if fits else _last_column_below(rows, width)) for line in block)
        lines.append("")
    lines.extend(_exemptions(result, message_limit, width))
    lines.extend(_baseline(result, message_limit, width))
    if result.skipped:
        reasons: dict[str, list[str]] = {}
        for policy, reason in result.skipped:
            reasons.setdefault(reason, []).append(policy)
        for reason, policies in sorted(reasons.items()):
            lines.extend(_fit(f"skipped {len(policies)} polic{'ies' if len(policies) != 1 else 'y'} ({printable(reason)}): "
                              f"{', '.join(policies)}", width))
        lines.append("")
    for warning in result.warnings:
        lines.extend(_fit(f"warning: {printable(warning)}", width))
    if result.errors:
        lines.append(f"{len(result.errors)} evaluation error{'s' if len(result.errors) != 1 else ''}:")
        for error in result.errors:
            lines.extend(_fit("  " + printable(error.format()), width, "    "))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
