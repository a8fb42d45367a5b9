"""The utilization vocabulary: the statistics of a metric, which metrics are percentages, and the
range every statistic and every sample must be in.

One rule for every place utilization comes from — an inventory's ``utilization`` (checked by the
inventory adapters) and the samples of a metrics file (checked by the metrics readers, in Python
and in SQL):

* nothing is negative, and nothing is infinite or NaN: a utilization is a share of capacity, a
  count, a number of bytes or of days;
* a **percent metric** (:data:`PERCENT_METRICS`: ``cpu``, ``memory``, ``memory_available``) is at
  most 100 in its samples and in the statistics of its values (:func:`in_metric_unit`: ``p50``,
  ``p95``, ``p99``, ``max``, ``min``, ``avg``, and any other percentile ``pNN``). The statistics
  that describe the series rather than its values (:data:`SERIES_STATISTICS`: ``days``,
  ``samples``, ``period``) are not percentages, nor is anything of another metric: network bytes,
  connections or requests have no upper bound.

A CPU of 150 % is not something a machine reports as a share of its capacity: it is an export that
summed the cores, or a number in another unit. Reading it as a percentage would make every
rightsizing finding about that machine wrong, so it is refused where it is written.
"""

from __future__ import annotations

import math
import re

VALUE_STATISTICS: tuple[str, ...] = ("p50", "p95", "p99", "max", "min", "avg")
"""The statistics of a series' values, in the metric's own unit (percent for a percent metric)."""

SERIES_STATISTICS: tuple[str, ...] = ("days", "samples", "period")
"""The statistics of the series itself: days of data, number of samples, longest sampling period (seconds)."""

PERCENT_METRICS: tuple[str, ...] = ("cpu", "memory", "memory_available")
"""The metrics measured in percent of capacity, 0 to :data:`PERCENT_LIMIT`."""

PERCENT_LIMIT = 100

_PERCENTILE = re.compile(r"\Ap\d{1,2}(?:\.\d+)?\Z")  # p90, p99.9: another percentile, in the metric's unit


def in_metric_unit(statistic: str) -> bool:
    """Whether a statistic is in the unit of its metric's values (p95, max, avg ...), not one of the series'."""
    return statistic in VALUE_STATISTICS or _PERCENTILE.match(statistic) is not None


def statistic_problem(metric: str, statistic: str, value: float) -> str | None:
    """Why ``value`` cannot be statistic ``statistic`` of ``metric`` (a message), or None when it can."""
    return _problem(metric, f"{metric} {statistic}", value, metric in PERCENT_METRICS and in_metric_unit(statistic))


def sample_problem(metric: str, value: float) -> str | None:
    """Why ``value`` cannot be a sample of ``metric`` (a message), or None when it can."""
    return _problem(metric, f"a {metric} sample", value, metric in PERCENT_METRICS)


def _problem(metric: str, what: str, value: float, percent: bool) -> str | None:
    if not math.isfinite(value):
        return f"{what} of {value} is not a finite number"
    if value < 0:
        return f"{what} of {value:g} is negative; utilization is never negative"
    if percent and value > PERCENT_LIMIT:
        return f"{what} of {value:g} is over {PERCENT_LIMIT}: {metric} is a percentage (0 to {PERCENT_LIMIT})"
    return None
