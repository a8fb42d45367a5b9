"""Budget periods: calendar months, quarters and years, optionally on a fiscal year; and the period a run reports on.

A period is ``[start, end)`` in UTC — the end is exclusive, like FOCUS's ``ChargePeriodEnd`` — and
the period evaluated is the one containing the as-of instant. Only what was known at the as-of
instant counts: rows whose ``ChargePeriodStart`` is in ``[start, as-of)``; rows of the same period
that start later (an export taken after the as-of date) are left out, so a past as-of date
reproduces the result of that day. ``fiscal_year_start`` (a month,
default 1 = January) moves the quarter and year boundaries: with 4, quarters start in April,
July, October and January, and the fiscal year 2026 runs from 2026-04-01 to 2027-04-01.

A run may name the period it reports on (``check --period``): a :class:`ReportPeriod` parsed by
:func:`parse_report_period` from ``2026-05`` (a month), ``2026-Q2`` (a calendar quarter), ``2026``
(a calendar year), ``2026-05-01..2026-05-15`` (days, UTC, both ends included) or a word relative
to the clock (:data:`RELATIVE_PERIODS`: ``last-month``, ``this-quarter``, ...). Each cost policy
then evaluates its own period (month, quarter, year) that holds the report period's last day, up
to the report period's end (:func:`policy_period`): with ``2026-05``, a monthly policy judges May,
a quarterly one the second quarter up to the end of May, a yearly one 2026 up to the end of May;
with ``2026-Q2`` a monthly policy judges June. A report period that has not ended stops at the
as-of instant (the clock): ``2026`` in July judges July for a monthly policy. What a period's rows
add up to is computed as for the as-of instant: the report period only chooses the period and
where its rows stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

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
            return self.start.date().isoformat()[:7]  # (strftime's %Y does not pad year 1 to 0001)
        return f"{self.start.date().isoformat()}..{self.end.date().isoformat()}"

    def to_dict(self) -> dict:
        return {"start": _iso(self.start), "end": _iso(self.end)}


def _iso(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


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


def policy_period(kind: str, fiscal_year_start: int, as_of: datetime, report: "ReportPeriod | None" = None) -> Period:
    """The period a cost policy of ``kind`` evaluates, and the instant its rows stop.

    Without a report period: the one holding ``as_of``, rows until ``as_of``. With one: rows stop
    at the report period's end, or at ``as_of`` when that is earlier (the rest has not happened
    yet), and the period is the one holding the last instant before that stop (so ``2026-05``
    gives May for a monthly policy, not June, whose first instant is May's end).
    """
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(timezone.utc).replace(tzinfo=None)
    if report is None:
        return period_containing(as_of, kind, fiscal_year_start)
    stop = min(report.end, as_of)
    period = period_containing(stop - timedelta(microseconds=1), kind, fiscal_year_start)
    return Period(period.kind, period.start, period.end, stop)


# --- the period a run reports on (check --period) -------------------------------------------------

@dataclass(frozen=True)
class ReportPeriod:
    """The period a run reports on: ``[start, end)`` in UTC (naive), as given and as resolved."""

    text: str  # as given: 2026-05, 2026-Q2, 2026, 2026-05-01..2026-05-15, last-month
    label: str  # the resolved period in its own words: 2026-05, 2026-Q2, 2026, 2026-05-01..2026-05-15
    start: datetime
    end: datetime  # exclusive

    def to_dict(self) -> dict:
        return {"label": self.label, "given": self.text, "start": _iso(self.start), "end": _iso(self.end)}

    def describe(self) -> str:
        """``2026-05 (2026-05-01 to 2026-05-31)``: the label and the days it covers, both included."""
        last = self.end - timedelta(days=1)
        days = f"{self.start:%Y-%m-%d}" if last.date() == self.start.date() else f"{self.start:%Y-%m-%d} to {last:%Y-%m-%d}"
        return f"{self.label} ({days})" if self.label != days else self.label


def _month(year: int, month: int, count: int = 1) -> tuple[datetime, datetime]:
    end_year, end_month = _add_months(year, month, count)
    return datetime(year, month, 1), datetime(end_year, end_month, 1)


def _quarter_label(start: datetime) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _relative(kind: str, back: int):
    """A period relative to the clock: ``kind`` (month, quarter, year), ``back`` periods before the current one."""
    def resolve(now: datetime) -> tuple[str, datetime, datetime]:
        length = _MONTHS[kind]
        current = period_containing(now, kind)
        year, month = _add_months(current.start.year, current.start.month, -back * length)
        start, end = _month(year, month, length)
        label = f"{start:%Y-%m}" if kind == "month" else _quarter_label(start) if kind == "quarter" else f"{start:%Y}"
        return label, start, end
    return resolve


# The words --period takes for a period relative to the clock (UTC, calendar boundaries)
RELATIVE_PERIODS = {
    "this-month": _relative("month", 0),
    "last-month": _relative("month", 1),
    "this-quarter": _relative("quarter", 0),
    "last-quarter": _relative("quarter", 1),
    "this-year": _relative("year", 0),
    "last-year": _relative("year", 1),
}
PERIOD_FORMS = "YYYY-MM, YYYY-QN, YYYY, YYYY-MM-DD..YYYY-MM-DD (UTC days, both included) or " + ", ".join(RELATIVE_PERIODS)

_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")


def parse_report_period(text: str, now: datetime) -> ReportPeriod:
    """The period ``text`` names; words such as ``last-month`` are relative to ``now`` (the clock).
    Raises ValueError with a message saying what is accepted."""
    given = text.strip()
    if given in RELATIVE_PERIODS:
        if now.tzinfo is not None:
            now = now.astimezone(timezone.utc).replace(tzinfo=None)
        label, start, end = RELATIVE_PERIODS[given](now)
        return ReportPeriod(given, label, start, end)
    try:
        if match := _MONTH.fullmatch(given):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise ValueError(f"month {month} is not 01 to 12")
            start, end = _month(year, month)
            return ReportPeriod(given, f"{start:%Y-%m}", start, end)
        if match := _QUARTER.fullmatch(given):
            start, end = _month(int(match[1]), 3 * int(match[2]) - 2, 3)
            return ReportPeriod(given, _quarter_label(start), start, end)
        if match := _YEAR.fullmatch(given):
            start, end = _month(int(match[1]), 1, 12)
            return ReportPeriod(given, f"{start:%Y}", start, end)
        if match := _RANGE.fullmatch(given):
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            if last < first:
                raise ValueError(f"the range ends ({last}) before it starts ({first})")
            start = datetime(first.year, first.month, first.day)
            end = datetime(last.year, last.month, last.day) + timedelta(days=1)
            return ReportPeriod(given, f"{first}..{last}", start, end)
    except ValueError as error:
        raise ValueError(f"period {text!r}: {error}") from None
    raise ValueError(f"period {text!r} is not one of {PERIOD_FORMS}")
