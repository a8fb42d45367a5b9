"""The statistics of one metric series over the lookback window, and how they are defined.

A series is the samples of one (resource, metric). Each sample is a value measured over a
sampling *period* (CloudWatch's ``Period``: the value is, e.g., the average CPU of those 300
seconds) and starts at its timestamp. Only samples that start inside the window
``[as_of - lookback, as_of)`` count.

The statistics are **time-weighted**: a sample weighs its period in seconds. A series sampled at
one period (the normal case) therefore gets the textbook values:

* ``pNN`` (``p50``, ``p95``, ``p99``): nearest rank — the smallest sample value ``v`` such that
  the samples with a value ``<= v`` cover at least NN % of the measured time. With ``n`` samples of
  equal period it is the ``ceil(NN/100 * n)``-th smallest value; it is always an observed value.
* ``max``, ``min``: the largest / smallest sample value.
* ``avg``: the time-weighted mean, ``sum(value * period) / sum(period)``, rounded to 6 decimals.
* ``days``: measured time, ``sum(period) / 86400``, capped at the window's length and rounded to
  4 decimals — gaps in the data lower it.
* ``samples``: the number of samples; ``period``: the longest sampling period in the series.

The same definitions are implemented twice: in Python here (small files, CloudWatch output) and
in SQL (:data:`SQL_STATISTICS`, for large CSV/JSONL files through DuckDB). A test compares the two
on random series.
"""

from __future__ import annotations

import math

from engine.utilization import SERIES_STATISTICS, VALUE_STATISTICS

PERCENTILES = (50, 95, 99)
SECONDS_PER_DAY = 86400
STATISTIC_NAMES = VALUE_STATISTICS + SERIES_STATISTICS  # the vocabulary's (engine.utilization), in this order


def series_statistics(samples: list[tuple[float, int]], window_seconds: float) -> dict:
    """Statistics of ``samples``: a non-empty list of ``(value, period seconds)`` inside the window."""
    ordered = sorted(samples)
    total = 0
    longest = 0
    for _, period in ordered:
        total += period
        if period > longest:
            longest = period
    stats: dict[str, float | int] = {}
    pending = list(PERCENTILES)
    covered = 0
    for value, period in ordered:
        covered += period
        while pending and covered * 100 >= pending[0] * total:
            stats[f"p{pending.pop(0)}"] = value
        if not pending:
            break
    stats["max"] = ordered[-1][0]
    stats["min"] = ordered[0][0]
    stats["avg"] = round(math.fsum(value * period for value, period in ordered) / total, 6)
    stats["days"] = round(min(total, window_seconds) / SECONDS_PER_DAY, 4)
    stats["samples"] = len(ordered)
    stats["period"] = longest
    return {name: stats[name] for name in STATISTIC_NAMES}


# The same definitions over a relation ``samples(rid, metric, value, period)`` already limited to
# the window: integer arithmetic for the percentile ranks (exact), DECIMAL for the weighted sum
# (exact, so the result does not depend on DuckDB's parallel summation order).
SQL_STATISTICS = """
WITH ranked AS (
    SELECT rid, metric, value, period,
           sum(period) OVER (PARTITION BY rid, metric ORDER BY value ROWS UNBOUNDED PRECEDING) AS covered,
           sum(period) OVER (PARTITION BY rid, metric) AS total
    FROM samples
)
SELECT rid, metric,
       min(value) FILTER (WHERE covered * 100 >= 50 * total) AS p50,
       min(value) FILTER (WHERE covered * 100 >= 95 * total) AS p95,
       min(value) FILTER (WHERE covered * 100 >= 99 * total) AS p99,
       max(value) AS max,
       min(value) AS min,
       CAST(sum(CAST(value AS DECIMAL(38, 9)) * period) AS DOUBLE) / any_value(total) AS avg,
       any_value(total) AS seconds,
       count(*) AS samples,
       max(period) AS period
FROM ranked
GROUP BY rid, metric
"""


def finish_sql_row(row: tuple, window_seconds: float) -> dict:
    """Statistics from one row of :data:`SQL_STATISTICS` (after ``rid, metric``)."""
    p50, p95, p99, high, low, avg, seconds, count, period = row
    return {
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "max": high,
        "min": low,
        "avg": round(avg, 6),
        "days": round(min(int(seconds), window_seconds) / SECONDS_PER_DAY, 4),
        "samples": int(count),
        "period": int(period),
    }
