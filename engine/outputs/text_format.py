"""The human table: findings grouped by owner, then a per-owner summary. Colour only on a terminal."""

from __future__ import annotations

from engine.findings import Result
from engine.outputs.escaping import printable
from engine.outputs.labels import dollars, money_totals_label

_COLORS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m", "info": "\033[2m"}
_RESET = "\033[0m"


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
    return f"{text} ({scope.get('currency', '')}, from {period})"


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append(indent + "  ".join(cells).rstrip())
    return lines


def render(result: Result, *, version: str, color: bool = False, shorten: bool = True) -> str:
    """The table; ``shorten`` cuts long resource ids in the middle and messages at 160 characters
    (for a terminal, where long lines wrap); without it every id and message is whole."""
    id_limit, message_limit = (60, 160) if shorten else (0, 0)

    def paint(severity: str, text: str) -> str:
        return f"{_COLORS[severity]}{text}{_RESET}" if color else text

    inputs = [f"{result.resources_evaluated} resources"]
    if result.cost_rows_evaluated:
        inputs.append(f"{result.cost_rows_evaluated} cost rows")
    lines = [
        f"costwarden {version}: {', '.join(inputs)}, {len(result.policies)} policies, as of {result.as_of}",
        "",
    ]
    by_owner: dict[str, list] = {}
    for finding in result.findings:
        by_owner.setdefault(finding.owner, []).append(finding)
    for owner in sorted(by_owner):
        findings = by_owner[owner]
        team = result.teams.get(owner)
        title = f"{printable(owner)} ({printable(team.name)})" if team is not None and team.name != owner else printable(owner)
        lines.append(f"{title}: {len(findings)} finding{'s' if len(findings) != 1 else ''}")
        rows = [["SEVERITY", "POLICY", "RESOURCE OR SCOPE", "OWNER SOURCE", "DOLLARS", "MESSAGE"]]
        for f in findings:
            resource = f.resource or {}
            label = short_id(resource.get("id"), id_limit) if resource else _scope_label(f.scope or {})
            if resource.get("name") and resource.get("name") != resource.get("id"):
                label += f" ({printable(resource.get('name'), 30)})"
            status = "" if f.status == "open" else f"[{f.status}] "
            enforcement = "" if f.enforcement == "enforce" else " (audit)"
            rows.append([f.severity, f.policy + enforcement, label, f.owner_source, dollars(f), status + printable(f.message, message_limit)])
        table = _table(rows)
        table = [table[0]] + [
            line.replace(f.severity, paint(f.severity, f.severity), 1) for line, f in zip(table[1:], findings)
        ]
        lines.extend(table)
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
        lines.extend(_table(rows))
        lines.append("")
    if result.skipped:
        reasons: dict[str, list[str]] = {}
        for policy, reason in result.skipped:
            reasons.setdefault(reason, []).append(policy)
        for reason, policies in sorted(reasons.items()):
            lines.append(f"skipped {len(policies)} polic{'ies' if len(policies) != 1 else 'y'} ({printable(reason)}): {', '.join(policies)}")
        lines.append("")
    for warning in result.warnings:
        lines.append(f"warning: {printable(warning)}")
    if result.errors:
        lines.append(f"{len(result.errors)} evaluation error{'s' if len(result.errors) != 1 else ''}:")
        for error in result.errors:
            lines.append("  " + printable(error.format()))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
