"""Metric names, value and timestamp syntax shared by every metrics format (and by the SQL path).

Metric names: the engine reads ``cpu`` and ``memory`` (percent, 0-100) for rightsizing; any other
name made of lower-case letters, digits and ``_`` is kept (``network_in``, ``connections``) and
can be read by condition policies as ``utilization.<name>.<statistic>``. The provider names in
:data:`METRIC_ALIASES` are accepted too (compared case-insensitively) and stored under the
costwarden name. Which metrics are percentages, and the range of every value, is
:mod:`engine.utilization`'s vocabulary, shared with the inventory.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from engine.metrics.statistics import SECONDS_PER_DAY

# provider metric name (lower case) -> costwarden metric name
METRIC_ALIASES: dict[str, str] = {
    "cpuutilization": "cpu",                 # AWS/EC2, AWS/RDS (percent)
    "percentage cpu": "cpu",                 # Azure Monitor, virtual machines (percent)
    "mem_used_percent": "memory",            # CloudWatch agent (percent)
    "memoryutilization": "memory",           # AWS/ECS, Container Insights (percent)
    "available memory percentage": "memory_available",  # Azure Monitor (percent)
    "networkin": "network_in",               # AWS/EC2 (bytes per period)
    "networkout": "network_out",
    "network in total": "network_in",        # Azure Monitor
    "network out total": "network_out",
    "databaseconnections": "connections",    # AWS/RDS
    "requestcount": "requests",              # AWS/ApplicationELB, AWS/ELB
    "healthyhostcount": "healthy_hosts",     # AWS/ApplicationELB, AWS/NetworkELB
    "invocations": "invocations",            # AWS/Lambda
}

METRIC_NAME = re.compile(r"\A[a-z][a-z0-9_]*\Z")
METRIC_NAME_SQL = "^[a-z][a-z0-9_]*$"

# 2026-01-31, 2026-01-31T10:00:00, 2026-01-31 10:00:00.5Z, 2026-01-31T10:00:00+02:00
TIMESTAMP = re.compile(r"\A\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?)?\Z")
TIMESTAMP_SQL = r"^\d{4}-\d{2}-\d{2}([T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?)?$"
TIMESTAMP_EXPECTED = "an ISO-8601 date-time such as 2026-01-31T10:00:00Z (no offset: UTC)"

# a plain decimal number: 12, 12.5, .5, 1e-3 (no sign: values are never negative; no nan, inf, _)
NUMBER = re.compile(r"\A(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
NUMBER_SQL = r"^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
PERIOD = re.compile(r"\A[0-9]+\Z")
PERIOD_SQL = "^[0-9]+$"
MAX_PERIOD = 366 * SECONDS_PER_DAY


def canonical_metric(name: str) -> str | None:
    """The costwarden name of a metric, or None when the name is not acceptable."""
    alias = METRIC_ALIASES.get(name.strip().lower())
    if alias is not None:
        return alias
    return name if METRIC_NAME.match(name) else None


def metric_hint(name: str) -> str:
    return (f"metric names are lower-case letters, digits and '_' (cpu, memory, network_in), "
            f"or a provider name such as CPUUtilization; got {name!r}")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def parse_timestamp(text: str) -> int | None:
    """Microseconds since the epoch (UTC) of a timestamp in :data:`TIMESTAMP` syntax, or None."""
    if not TIMESTAMP.match(text):
        return None
    value = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:  # 2026-02-30, 25:00
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return (parsed - _EPOCH) // _MICROSECOND
