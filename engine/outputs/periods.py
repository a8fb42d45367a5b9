"""How every format names the period a run reports on (``check --period``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.findings import Result


def period_words(result: Result) -> str | None:
    """``2026-05 (2026-05-01 to 2026-05-31)``: the report period and the UTC days it covers, both
    included; ``last-month`` is named as what it resolved to. None when the run has no report period."""
    period = result.period
    if not period:
        return None
    start = datetime.strptime(period["start"], "%Y-%m-%dT%H:%M:%SZ")
    last = datetime.strptime(period["end"], "%Y-%m-%dT%H:%M:%SZ") - timedelta(days=1)
    days = f"{start:%Y-%m-%d}" if last.date() == start.date() else f"{start:%Y-%m-%d} to {last:%Y-%m-%d}"
    label = period["label"]
    if ".." in label:  # a range of days: its days say it all
        return days
    return f"{label} ({days})"
