"""Words for people about statuses, exemptions and the baseline, shared by the human-readable formats.

Plain text, like :mod:`engine.outputs.labels`: each format escapes it for its own target.
"""

from __future__ import annotations

from engine.findings import EXEMPTION_STATES, ExemptionReport, Finding, Result
from engine.outputs.labels import scope_label

NOT_ACTIVE = ("expired", "expiring", "unused", "unchecked")  # the states worth a line of their own, in this order


def status_label(finding: Finding) -> str:
    """``open``, ``baselined``, or ``exempted by ID``."""
    if finding.status == "exempted" and finding.exemption:
        return f"exempted by {finding.exemption.get('id')}"
    return finding.status


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _days(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {_plural(days, 'day')}"
    return f"{_plural(-days, 'day')} ago"


def exemption_note(report: ExemptionReport) -> str:
    """What the exemption's state means (without the state's name): ``no longer applies (last day 2026-11-26,
    1 day ago); 1 finding it covered is open again``."""
    last_day = f"last day {report.expires}, {_days(report.days_left)}"
    if report.state == "expired":
        again = f"; {_plural(report.matched, 'finding')} it covered {'is' if report.matched == 1 else 'are'} open again" if report.matched else ""
        return f"no longer applies ({last_day}){again}"
    if report.state == "unused":
        return f"exempts no finding although its policies ran on its resources: remove it if it no longer applies ({last_day})"
    if report.state == "unchecked":
        return f"not checked: the run evaluated none of its policies or resources ({last_day})"
    return f"exempts {_plural(report.matched, 'finding')} ({last_day})"


def exemption_where(report: ExemptionReport) -> str:
    """``exemptions/legacy.yaml:4`` (empty when unknown)."""
    return ":".join(str(part) for part in (report.file, report.line) if part is not None)


def exemption_backing(report: ExemptionReport) -> str:
    """``ticket FINOPS-1, approved by jane@example.com``."""
    parts = [f"ticket {report.ticket}" if report.ticket else "", f"approved by {report.approver}" if report.approver else ""]
    return ", ".join(part for part in parts if part)


def exemption_counts(result: Result) -> str:
    """``3 exemptions: 1 active, 1 expiring, 1 expired`` (empty without exemptions)."""
    if not result.exemptions:
        return ""
    counts = {state: 0 for state in EXEMPTION_STATES}
    for report in result.exemptions:
        counts[report.state] += 1
    listed = ", ".join(f"{counts[state]} {state}" for state in EXEMPTION_STATES if counts[state])
    return f"{_plural(len(result.exemptions), 'exemption')}: {listed}"


def baseline_summary(result: Result) -> str:
    """``baseline b.json: 31 baselined, 2 new, 1 fixed, 3 not checked`` (empty without a baseline)."""
    report = result.baseline
    if report is None:
        return ""
    text = f"baseline {report.file}: {report.baselined} baselined, {report.new} new, {len(report.fixed)} fixed"
    return text + (f", {report.unchecked} not checked" if report.unchecked else "")


def entry_subject(entry: dict) -> str:
    """What a baseline entry is about: the resource id, or the scope."""
    if entry.get("resource") is not None:
        return str(entry["resource"].get("id"))
    return scope_label(entry.get("scope") or {})


def fixed_label(entry: dict) -> str:
    """``required-allocation-tags on i-0abc: missing tag cost-center`` (a fixed baseline entry)."""
    return f"{entry['policy']} on {entry_subject(entry)}: {entry['message']}"
