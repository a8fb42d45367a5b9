"""The window a report covers and the previous one, for every form of --period."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.costs.periods import parse_report_period
from engine.showback import report_window

NOW = dt.datetime(2026, 11, 20, 15, 30)


@pytest.mark.parametrize("given, label, start, end, rows_end, previous", [
    (None, "2026-11", "2026-11-01", "2026-12-01", NOW, ("2026-10", "2026-10-01", "2026-11-01")),
    ("2026-10", "2026-10", "2026-10-01", "2026-11-01", dt.datetime(2026, 11, 1), ("2026-09", "2026-09-01", "2026-10-01")),
    ("2026-Q1", "2026-Q1", "2026-01-01", "2026-04-01", dt.datetime(2026, 4, 1), ("2025-Q4", "2025-10-01", "2026-01-01")),
    ("2025", "2025", "2025-01-01", "2026-01-01", dt.datetime(2026, 1, 1), ("2024", "2024-01-01", "2025-01-01")),
    ("2026-11-01..2026-11-10", "2026-11-01..2026-11-10", "2026-11-01", "2026-11-11", dt.datetime(2026, 11, 11),
     ("2026-10-22..2026-10-31", "2026-10-22", "2026-11-01")),
    ("this-quarter", "2026-Q4", "2026-10-01", "2027-01-01", NOW, ("2026-Q3", "2026-07-01", "2026-10-01")),
])
def test_windows(given, label, start, end, rows_end, previous):
    period = parse_report_period(given, NOW) if given else None
    window = report_window(NOW.replace(tzinfo=dt.timezone.utc), period)
    day = dt.datetime.fromisoformat
    assert (window.label, window.start, window.end, window.rows_end) == (label, day(start), day(end), rows_end)
    assert (window.previous.label, window.previous.start, window.previous.end) == (previous[0], day(previous[1]), day(previous[2]))
    assert window.previous.complete and window.complete == (rows_end == day(end))
    assert window.last_day == (rows_end - dt.timedelta(microseconds=1)).date()
