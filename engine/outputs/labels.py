"""Words for people shared by the human-readable formats: what a finding is about, and its dollars.

The labels are plain text: each format escapes them for its own target (:mod:`engine.outputs.escaping`).
"""

from __future__ import annotations

from decimal import Decimal

from engine.amounts import show
from engine.findings import MONEY, Finding, Result
from engine.severity import SEVERITY_RANK


def scope_label(scope: dict) -> str:
    """``team=payments (USD, 2026-11-01 to 2026-12-01)``; ``all spend (...)``; ``team payments (...)``."""
    value = scope.get("value")
    dimension = scope.get("dimension", "")
    period = scope.get("period") or {}
    if dimension == "all":
        text = "all spend"
    elif dimension == "owner":
        text = f"team {value}"
    else:
        text = f"{dimension}={value if value is not None else '(no value)'}"
    details = [str(scope["currency"])] if scope.get("currency") else []
    if period.get("start"):
        end = f" to {str(period['end'])[:10]}" if period.get("end") else ""
        details.append(f"{str(period['start'])[:10]}{end}")
    return f"{text} ({', '.join(details)})" if details else text


def subject(finding: Finding) -> str:
    """What the finding is about: the resource id (and its name when that differs), or the scope."""
    resource = finding.resource
    if resource is not None:
        rid, name = resource.get("id"), resource.get("name")
        return f"{rid} ({name})" if name and name != rid else str(rid)
    if finding.scope is not None:
        return scope_label(finding.scope)
    return "(no resource)"


def dollars(finding: Finding) -> str:
    """``monthly cost 12.00 USD; saving/month 10.00 USD`` (each field's label from MONEY; rounded to cents; empty when none)."""
    if not finding.has_money:
        return ""
    return "; ".join(f"{MONEY[name].label} {show(money.amount, money.currency)}" for name, money in finding.money.items())


def money_totals_label(entry: dict) -> str:
    """The money totals of an owner or policy summary (``{field: [{amount, currency}]}``), one per currency."""
    return "; ".join(
        f"{field.label} " + ", ".join(show(Decimal(m["amount"]), m["currency"]) for m in entry[name])
        for name, field in MONEY.items()
        if entry.get(name)
    )


def check_fail_on(fail_on: str) -> None:
    """A clear error for a ``fail_on`` that is not a severity (the CLI's --fail-on is checked by click)."""
    if fail_on not in SEVERITY_RANK:
        raise ValueError(f"fail_on must be one of {', '.join(SEVERITY_RANK)}, not {fail_on!r}")


def verdict(result: Result, fail_on: str = "info") -> tuple[str, str]:
    """``(word, reason)`` of the run's exit code at ``fail_on``: ``("fails", "3 open findings of
    enforced policies at or above high (exit code 1)")``; the words are passes, fails, error."""
    code = result.exit_code(fail_on)
    if code == 2:
        count = len(result.errors)
        return "error", f"{count} evaluation error{'s' if count != 1 else ''}: policies that could not be evaluated (exit code 2)"
    if code == 1:
        count = len(result.failing(fail_on))
        return "fails", f"{count} open finding{'s' if count != 1 else ''} of enforced policies at or above {fail_on} (exit code 1)"
    return "passes", f"no open finding of an enforced policy at or above {fail_on} (exit code 0)"
