"""Budget periods: calendar months, quarters and years, optionally on a fiscal year.

A period is ``[start, end)`` in UTC — the end is exclusive, like FOCUS's ``ChargePeriodEnd`` — and
the period evaluated is the one containing the as-of instant. Only what was known at the as-of
instant counts: rows whose ``ChargePeriodStart`` is in ``[start, as-of)``; rows of the same period
that start later (an export taken after the as-of date) are left out, so a past as-of date
reproduces the result of that day. ``fiscal_year_start`` (a month,
default 1 = January) moves the quarter and year boundaries: with 4, quarters start in April,
July, October and January, and the fiscal year 2026 runs from 2026-04-01 to 2027-04-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

_MONTHS = {"month": 1, "quarter": 3, "year": 12}
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime  # naive UTC
    end: datetime  # naive UTC, exclusive
    until: datetime | None = None  # rows starting at or after this are not known yet (the as-of instant)

    @property
    def rows_end(self) -> datetime:
        """Rows count when ``start <= ChargePeriodStart < rows_end``."""
        return min(self.end, self.until) if self.until is not None else self.end

    @property
    def seconds(self) -> int:
        return round((self.end - self.start).total_seconds())  # whole seconds (datetime.max ends a period of December 9999)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"

    def to_dict(self) -> dict:
        return {"start": _iso(self.start), "end": _iso(self.end)}


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def period_containing(when: datetime, kind: str, fiscal_year_start: int = 1) -> Period:
    """The ``kind`` period (month, quarter, year) that contains ``when``."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    length = _MONTHS[kind]
    anchor = 1 if kind == "month" else fiscal_year_start
    # months since the anchor month, then floor to a multiple of the period length
    offset = (when.month - anchor) % 12
    back = offset % length
    year, month = _add_months(when.year, when.month, -back)
    end_year, end_month = _add_months(year, month, length)
    end = datetime(end_year, end_month, 1) if end_year <= datetime.max.year else datetime.max  # no year 10000 in Python
    return Period(kind, datetime(year, month, 1), end, when)
