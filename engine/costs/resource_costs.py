"""What an inventory resource costs per month, from the cost snapshot.

Method: the resource's observed hourly cost over the last 30 days of data, times 730 hours.

* The window ends at the earlier of the as-of instant and the end of the last charge period in
  the snapshot, and starts 30 days before.
* Rows: ``ChargeCategory = Usage`` with the resource's ``ResourceId`` and a
  ``ChargePeriodStart`` in the window; cost = Σ ``EffectiveCost`` (amortized: commitment
  discounts included, purchases excluded).
* Hours observed: from the first ``ChargePeriodStart`` to the last ``ChargePeriodEnd`` of those
  rows (clipped to the window end), so a resource created last week is not diluted over 30 days
  and a daily or monthly charge counts its whole charge period.
* Monthly cost = cost ÷ hours × 730, rounded half-even to cents. A resource billed in several
  currencies gets no monthly cost (never summed across currencies).

Matching ``ResourceId`` to an inventory id: both are compared lower-cased (Azure ids are
case-insensitive, and FOCUS exports differ in case), with a GCP ``//SERVICE.googleapis.com/``
prefix removed. An AWS ARN whose resource part has a ``/`` also matches by the part after the
last ``/`` — AWS cost data names EC2 instances and EBS volumes ``i-…``/``vol-…`` while inventories
use ARNs — and an S3 bucket ARN (``arn:aws:s3:::NAME``) by the bucket name. A full-id match wins
over a short-id match.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from engine.amounts import arithmetic, cents, ratio
from engine.costs import sql
from engine.findings import Money

WINDOW = timedelta(days=30)
COLUMNS = frozenset({"ResourceId", "EffectiveCost", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency"})
HOURS_PER_MONTH = 730
_GCP_PREFIX = re.compile(r"^//[^/]+\.googleapis\.com/")


def normalize_resource_id(resource_id: str) -> str:
    return _GCP_PREFIX.sub("", resource_id, count=1).lower()


def candidate_keys(resource_id: str) -> list[str]:
    """The keys an inventory id matches cost rows by, best first."""
    full = normalize_resource_id(resource_id)
    keys = [full]
    if full.startswith("arn:"):
        resource_part = full.split(":", 5)[-1]
        short = None
        if "/" in resource_part:
            short = resource_part.rsplit("/", 1)[-1]
        elif full.startswith("arn:aws:s3:::"):
            short = resource_part  # S3 cost rows name the bucket
        if short and short != full:
            keys.append(short)
    return keys


def usage_window(costs, as_of):
    """``(start, end)`` of the observation window (naive UTC), or None for an empty snapshot."""
    data_end = costs.data_end()
    if data_end is None:
        return None
    window_end = min(as_of.replace(tzinfo=None), data_end)
    start = window_end - WINDOW if window_end - datetime.min > WINDOW else datetime.min  # an as-of date in January of year 1
    return start, window_end


def monthly_amount(cost, seconds: int) -> Decimal:
    """730 h × the hourly cost observed over ``seconds``, rounded half-even to cents."""
    with arithmetic():
        return cents(ratio(Decimal(cost) * HOURS_PER_MONTH * 3600, seconds))


def monthly_costs(costs, resource_ids, as_of) -> dict[str, Money]:
    """``{inventory resource id: Money}`` for the ids that have usage in the window."""
    d = costs.dialect
    window = usage_window(costs, as_of)
    if window is None:
        return {}
    window_start, window_end = window
    wanted: dict[str, list[str]] = {}
    for rid in resource_ids:
        if isinstance(rid, str) and rid:
            wanted[rid] = candidate_keys(rid)
    if not wanted:
        return {}
    keys = sorted({key for ks in wanted.values() for key in ks})
    connection = costs.connection
    d.create_key_table(connection, "cw_wanted", keys)
    rows = costs.query(sql.resource_costs_query(costs.table, d, keys_table="cw_wanted", start=window_start, end=window_end))
    d.drop_table(connection, "cw_wanted")
    by_key: dict[str, list] = {}
    for key, currency, cost, first, last in rows:
        by_key.setdefault(key, []).append((currency, cost, first, min(last, window_end)))
    out: dict[str, Money] = {}
    for rid, candidates in wanted.items():
        for key in candidates:
            found = by_key.get(key)
            if not found:
                continue
            if len(found) == 1:
                currency, cost, first, last = found[0]
                seconds = int((last - first).total_seconds())
                if seconds > 0:
                    out[rid] = Money(monthly_amount(cost, seconds), currency)
            break
    return out
