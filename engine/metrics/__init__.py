"""Utilization metrics: samples from files, statistics over a lookback window, joined to resources.

::

    metrics = load_metrics(["metrics.csv"], as_of=as_of, lookback=timedelta(days=30))
    warnings = metrics.attach(inventory.resources)   # fills resource["utilization"][metric]

Formats (:data:`FORMATS`): ``csv`` and ``jsonl`` (one sample per row: resource id, metric,
timestamp, period, value — :mod:`engine.metrics.rows`) and ``cloudwatch`` (the AWS CLI's
``get-metric-data`` output — :mod:`engine.metrics.cloudwatch`). Statistics:
:mod:`engine.metrics.statistics`. Joining by id: :mod:`engine.metrics.join`.
"""

from engine.metrics.loader import DEFAULT_LOOKBACK, FORMATS, Metrics, load_metrics

__all__ = ["DEFAULT_LOOKBACK", "FORMATS", "Metrics", "load_metrics"]
