"""The period a report covers and the one before it (for the trend).

A :class:`Window` is ``[start, end)`` in UTC (naive datetimes, the end exclusive like FOCUS's
``ChargePeriodEnd``). Rows count while ``start <= ChargePeriodStart < rows_end``, where
``rows_end`` is the end or the as-of instant when that is earlier: what was known at the as-of
instant, as for cost policies (:mod:`engine.costs.periods`).

The window is the report period (``--period``: a month, a quarter, a year, a range of days) or,
without one, the calendar month holding the as-of instant. The previous window has the same
length and ends where this one starts: the previous month (quarter, year, or run of whole months)
for a window of whole calendar months, else the same number of days before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from engine.costs.periods import Period, period_containing


@dataclass(frozen=True)
class Window:
    label: str  # 2026-11, 2026-Q4, 2026, 2026-11-01..2026-11-15
    start: datetime  # naive UTC
    end: datetime  # naive UTC, exclusive
    rows_end: datetime  # rows count while ChargePeriodStart < rows_end (the end, or the as-of instant when earlier)
    previous: "Window | None" = None

    @property
    def complete(self) -> bool:
        """Whether rows are counted to the end of the window (the as-of instant is not inside it)."""
        return self.rows_end >= self.end

    @property
    def last_day(self):
        """The last day (a ``date``) whose rows count: the day before ``rows_end``."""
        return (self.rows_end - timedelta(microseconds=1)).date()

    def period(self) -> Period:
        """The window as a cost period (what :func:`engine.costs.sql.period_filter` takes)."""
        return Period("window", self.start, self.end, self.rows_end)

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "rows_end": _iso(self.rows_end),
            "previous": self.previous.to_dict() if self.previous is not None else None,
        }


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _months(start: datetime, end: datetime) -> int | None:
    """How many whole calendar months ``[start, end)`` spans, or None when it is not whole months."""
    if (start.day, start.hour, start.minute, start.second, start.microsecond) != (1, 0, 0, 0, 0):
        return None
    if (end.day, end.hour, end.minute, end.second, end.microsecond) != (1, 0, 0, 0, 0):
        return None
    count = (end.year - start.year) * 12 + end.month - start.month
    return count if count > 0 else None


def _shift_months(value: datetime, months: int) -> datetime:
    index = value.year * 12 + value.month - 1 + months
    return value.replace(year=index // 12, month=index % 12 + 1)


def _label(start: datetime, end: datetime) -> str:
    months = _months(start, end)
    if months == 1:
        return f"{start:%Y-%m}"
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if months == 12 and start.month == 1:
        return f"{start.year}"
    last = end - timedelta(microseconds=1)
    return f"{start:%Y-%m-%d}..{last:%Y-%m-%d}"


def report_window(as_of: datetime, period=None) -> Window:
    """The window a report covers (see the module doc): ``period`` is a
    :class:`~engine.costs.periods.ReportPeriod` (``--period``), or None for the calendar month
    holding ``as_of``."""
    as_of = _naive_utc(as_of)
    if period is None:
        month = period_containing(as_of, "month")
        start, end, label = month.start, month.end, f"{month.start:%Y-%m}"
    else:
        start, end, label = _naive_utc(period.start), _naive_utc(period.end), period.label
    months = _months(start, end)
    if months is not None:
        previous_start = _shift_months(start, -months)
    else:
        previous_start = start - (end - start)
    previous = Window(_label(previous_start, start), previous_start, start, min(start, as_of))
    return Window(label, start, end, min(end, as_of), previous)
