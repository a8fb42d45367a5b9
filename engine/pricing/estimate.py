"""Estimating a monthly cost and saving, with the source, a commitment, or why there is no price.

* monthly cost = 730 h × the hourly price, or the GiB-month price × the capacity in GiB, or the
  monthly amount a FOCUS source observed;
* the saving of moving a resource to a target size = its monthly cost − the target's, both priced
  by the first source that prices both (:meth:`PriceSources.quote_pair`); the saving of deleting
  it = its whole monthly cost;
* no source prices it → no amount: the evidence and message say so, an amount is never invented;
* a resource covered by a commitment (the inventory's ``properties.commitment``, or a price
  source's answer — the FOCUS sources report usage at ``PricingCategory = Committed``, without an
  end date, since FOCUS carries none) saves nothing until the commitment ends: the saving is 0, and the evidence
  carries the saving after the commitment and its end date. A commitment that ended before the
  as-of date is ignored.

``properties.commitment`` is an object ``{"type": "reservation", "id": "...", "ends": "2026-09-30"}``
(every field optional; without ``ends`` the commitment is taken as running).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from engine.conditions.compiler import EvaluationFailure
from engine.conditions.operators import parse_timestamp
from engine.costs.amounts import show
from engine.findings import Money
from engine.pricing.sources import HOURS_PER_MONTH, Commitment, PriceSources, Quote

# where a volume's or snapshot's capacity (GiB) is found, first hit wins
CAPACITY_PATHS = (
    ("properties", "capacity_gib"),  # costwarden inventories
    ("properties", "size"),  # costwarden inventories holding the EC2 API's volume fields
    ("properties", "Size"),  # aws ec2 describe-volumes
    ("properties", "VolumeSize"),  # aws ec2 describe-snapshots
    ("properties", "allocatedStorage"),  # RDS snapshots and instances (AWS Config, describe-db-snapshots)
    ("properties", "AllocatedStorage"),
    ("properties", "diskSizeGB"),  # Azure disks and snapshots (ARM properties)
    ("properties", "diskSizeGb"),  # GCP snapshots (API fields)
    ("properties", "sizeGb"),  # GCP disks (API fields)
    ("properties", "configuration", "size"),  # AWS Config: AWS::EC2::Volume
    ("properties", "configuration", "allocatedStorage"),  # AWS Config: AWS::RDS::DBSnapshot
    ("properties", "properties", "diskSizeGB"),  # Azure Resource Graph: disks and snapshots
    ("properties", "resource", "data", "sizeGb"),  # GCP Cloud Asset Inventory: disks
    ("properties", "resource", "data", "diskSizeGb"),  # GCP Cloud Asset Inventory: snapshots
)


@dataclass(frozen=True)
class Estimate:
    status: str  # priced | committed | unpriced
    monthly_cost: Money | None  # the resource's current monthly cost, when priced
    monthly_saving: Money | None  # None when unpriced; 0 while a commitment runs
    evidence: dict
    text: str  # the message's saving clause


def money(amount: Decimal, currency: str) -> Money:
    """Money with the amount exact but without trailing zeros (730 × 0.384 = 280.32, not 280.320)."""
    normalized = amount.normalize()
    if normalized == normalized.to_integral():
        normalized = normalized.quantize(Decimal(1))
    return Money(normalized, currency)


def shown(amount: Decimal, currency: str) -> str:
    """As every amount shown to people (messages, the text output's DOLLARS column): to the cent, half-even."""
    return show(amount, currency)


def capacity_gib(resource: dict) -> Decimal | None:
    for path in CAPACITY_PATHS:
        value = resource
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)) and value >= 0:
            return Decimal(str(value))
        if isinstance(value, str) and value.strip().isdigit():  # GCP writes int64 as strings
            return Decimal(value.strip())
    return None


def commitment_of(resource: dict, quote: Quote | None, as_of: datetime, prices: PriceSources | None = None) -> Commitment | None:
    """The commitment covering the resource on the as-of date, if any: the inventory's, else the one the
    quoting source reports, else one another source knows of (a resource priced by the price table
    whose FOCUS usage is committed)."""
    found = None
    properties = resource.get("properties")
    raw = properties.get("commitment") if isinstance(properties, dict) else None
    if raw is not None:
        if not isinstance(raw, dict):
            raise EvaluationFailure("properties.commitment", "/resource/properties/commitment",
                                    TypeError("expected an object {type, id, ends}"))
        ends = raw.get("ends")
        if ends is not None and not isinstance(ends, str):
            raise EvaluationFailure("properties.commitment.ends", "/resource/properties/commitment/ends",
                                    TypeError("expected a date (YYYY-MM-DD) or an ISO-8601 date-time"))
        found = Commitment(_text(raw.get("type")), _text(raw.get("id")), ends, "inventory")
    elif quote is not None and quote.commitment is not None:
        found = quote.commitment
    elif prices is not None:
        found = prices.commitment(resource)
    if found is None or found.ends is None:
        return found
    try:
        ends = parse_timestamp(found.ends)
    except ValueError as error:
        raise EvaluationFailure("properties.commitment.ends", "/resource/properties/commitment/ends", error) from None
    return found if ends > as_of else None


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def monthly(quote: Quote, resource: dict) -> Decimal | None:
    if quote.unit == "hour":
        return quote.amount * HOURS_PER_MONTH
    if quote.unit == "month":
        return quote.amount
    capacity = capacity_gib(resource)
    return None if capacity is None else quote.amount * capacity


def _price_evidence(key: str, quote: Quote, amount: Decimal) -> dict:
    out = {"size": key}
    if quote.unit != "month":
        out["hourly" if quote.unit == "hour" else "per_gib_month"] = format(quote.amount, "f")
    out["monthly"] = format(money(amount, quote.currency).amount, "f")
    if quote.detail:
        out.update(quote.detail)
    return out


def estimate(resource: dict, current: str | None, target: str | None, prices: PriceSources, as_of: datetime) -> Estimate:
    """The saving of moving ``resource`` from ``current`` to ``target`` (``target=None``: of deleting it)."""
    where = f"{resource.get('provider')}, {resource.get('region') or 'no region'}"
    if current is None:
        return _unpriced("the resource has no size to price it by", where)
    if not prices:
        return _unpriced("no price source given (use --costs or --prices)", where)
    if target is None:
        now = prices.quote(resource, current)
        pair = (now, None) if now is not None else None
    else:
        pair = prices.quote_pair(resource, current, target)
    tried = " or ".join(prices.names)
    if pair is None:
        missing = current if target is None or prices.quote(resource, current) is None else target
        return _unpriced(f"no price for {missing} ({where}) in the {tried}", where)
    now, then = pair
    cost_now = monthly(now, resource)
    cost_then = monthly(then, resource) if then is not None else Decimal(0)
    if cost_now is None or cost_then is None:
        return _unpriced(f"{current} is priced per GiB-month but the resource's capacity is unknown", where)
    saving = cost_now - cost_then
    currency = now.currency
    source = now.source if then is None or then.source == now.source else f"{now.source}; {then.source}"
    evidence = {
        "status": "priced",
        "source": source,
        "current": _price_evidence(current, now, cost_now),
        "target": _price_evidence(target, then, cost_then) if then is not None else None,
        "monthly": format(money(saving, currency).amount, "f"),
        "currency": currency,
        "hours_per_month": int(HOURS_PER_MONTH),
    }
    commitment = commitment_of(resource, now, as_of, prices)
    cost = money(cost_now, currency)
    if commitment is not None:
        evidence.update(status="committed", commitment=commitment.to_dict(), monthly=format(money(Decimal(0), currency).amount, "f"),
                        monthly_after_commitment=format(money(saving, currency).amount, "f"))
        if commitment.ends:
            until = f"the commitment ends on {commitment.ends}"
        elif commitment.source.startswith("FOCUS"):
            until = "the commitment covering it ends (its FOCUS usage is PricingCategory Committed; FOCUS gives no end date)"
        else:
            until = "the commitment covering it ends (end unknown)"
        text = f"saves nothing until {until} (then {shown(saving, currency)}/month, {now.by})"
        return Estimate("committed", cost, money(Decimal(0), currency), evidence, text)
    if saving < 0:
        text = f"costs {shown(-saving, currency)}/month more ({now.by})"
        return Estimate("priced", cost, money(Decimal(0), currency), {**evidence, "monthly": "0",
                                                                        "monthly_increase": format(money(-saving, currency).amount, "f")}, text)
    text = f"saves {shown(saving, currency)}/month ({now.by})"
    return Estimate("priced", cost, money(saving, currency), evidence, text)


def _unpriced(reason: str, where: str) -> Estimate:
    return Estimate("unpriced", None, None, {"status": "unpriced", "reason": reason}, f"saving unknown: {reason}")
