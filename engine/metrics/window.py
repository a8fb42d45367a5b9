"""The lookback window of the metrics statistics, ``[as_of - lookback, as_of)``, and its bounds.

Statistics count the samples that start inside the window (:mod:`engine.metrics.statistics`). The
window is one function, :func:`lookback_window`, so that every caller (the command line's
``--lookback``, a PolicyTest's ``metrics.lookback``, the API) meets the same limits:

* the lookback is longer than 0;
* the window starts at :data:`EARLIEST_START` (0001-01-01T00:00:00Z, the first instant a date can
  hold) or later: ``--as-of 0001-01-15`` leaves room for a 14-day lookback at most, and
  ``--lookback 3000000d`` reaches before year 1 from any as-of date.

A lookback written as text (``30d``, ``12h``, ``2w``) is read by :func:`parse_lookback`, with the
duration syntax of conditions (:func:`engine.conditions.operators.parse_duration`); a count too
large for any date (``999999999999d``) is refused there, never an ``OverflowError``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.conditions.operators import parse_duration

EARLIEST_START = datetime(1, 1, 1, tzinfo=timezone.utc)


def parse_lookback(text: str) -> timedelta:
    """A lookback written as a duration (``30d``); raises ValueError with the reason."""
    try:
        lookback = parse_duration(text)
    except OverflowError:  # a count of days no date arithmetic can hold
        raise ValueError(f"{text!r} is longer than any date range") from None
    if lookback <= timedelta(0):
        raise ValueError(f"{text!r} is not longer than 0")
    return lookback


def lookback_window(as_of: datetime, lookback: timedelta) -> tuple[datetime, datetime]:
    """``(start, end)`` of the window ending at ``as_of`` (a naive ``as_of`` is UTC). Raises ValueError
    when the lookback is not longer than 0 or the window would start before :data:`EARLIEST_START`."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=timezone.utc)
    if lookback <= timedelta(0):
        raise ValueError(f"the lookback must be longer than 0, got {_days(lookback)}")
    room = as_of - EARLIEST_START
    if lookback > room:
        raise ValueError(f"a {_days(lookback)} window ending {as_of.date().isoformat()} would start before year 1; "
                         f"the lookback can be {room.days}d at most")
    return as_of - lookback, as_of


def _days(lookback: timedelta) -> str:
    if lookback % timedelta(days=1):
        return f"{lookback.total_seconds() / 3600:g}h"
    return f"{lookback.days}d"
