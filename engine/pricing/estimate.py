"""Estimating a monthly cost and saving, with the source, a commitment, or why there is no price.

* monthly cost = 730 h × the hourly price, or the GiB-month price × the capacity in GiB, or the
  monthly amount a FOCUS source observed;
* the saving of moving a resource to a target size = its monthly cost − the target's, both priced
  by the first source that prices both (:meth:`PriceSources.quote_pair`); the saving of deleting
  it = its whole monthly cost;
* no source prices it → no amount: the evidence and message say so, an amount is never invented;
* a resource the FOCUS data bills in one currency is priced only in that currency: a price table
  row in another currency is unusable for it (the evidence names the row and both currencies), and
  the saving is unknown — never a zero, never two currencies subtracted;
* the arithmetic runs in :func:`engine.amounts.arithmetic` (100 significant digits): a 26-digit
  price × 730 hours keeps its cents;
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

from engine.amounts import arithmetic, show
from engine.conditions.compiler import EvaluationFailure
from engine.conditions.operators import parse_timestamp
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
    with arithmetic():
        normalized = amount.normalize()
        if normalized == normalized.to_integral():
            normalized = normalized.quantize(Decimal(1))
    return Money(normalized, currency)


def shown(amount: Decimal, currency: str) -> str:
    """As every amount shown to people (messages, the text output's DOLLARS column): to the cent, half-even."""
    return show(amount, currency)


_CAPACITY_TAILS = tuple(path[1:] for path in CAPACITY_PATHS)  # every path starts at "properties"
assert all(path[0] == "properties" for path in CAPACITY_PATHS)


def capacity_gib(resource: dict) -> Decimal | None:
    properties = resource.get("properties")
    if not isinstance(properties, dict):
        return None
    for path in _CAPACITY_TAILS:
        if len(path) == 1:
            value = properties.get(path[0])
        else:
            value = properties
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
    return _monthly(quote, capacity_gib(resource) if quote.unit not in ("hour", "month") else None)


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
    if current is None:
        return _unpriced("the resource has no size to price it by", _where(resource))
    if not prices:
        return _unpriced("no price source given (use --costs or --prices)", _where(resource))
    billed = prices.billing_currency(resource)
    if target is None:
        now = prices.quote(resource, current, billed)
        pair = (now, None) if now is not None else None
    else:
        pair = prices.quote_pair(resource, current, target, billed)
    if pair is None:
        keys = [current] if target is None else [current, target]
        other = prices.in_other_currencies(resource, keys, billed) if billed is not None else []
        if other:
            return _in_other_currency(resource, billed, other)
        missing = current if target is None or prices.quote(resource, current) is None else target
        return _unpriced(f"no price for {missing} ({_where(resource)}) in the {' or '.join(prices.names)}", _where(resource))
    now, then = pair
    per_gib = now.unit not in ("hour", "month") or (then is not None and then.unit not in ("hour", "month"))
    capacity = capacity_gib(resource) if per_gib else None
    parts = _priced(prices, current, target, now, then, capacity)
    if parts is None:
        return _unpriced(f"{current} is priced per GiB-month but the resource's capacity is unknown", _where(resource))
    evidence = {
        "status": "priced",
        "source": parts.source,
        "current": dict(parts.current),
        "target": dict(parts.target) if parts.target is not None else None,
        "monthly": parts.monthly,
        "currency": parts.currency,
        "hours_per_month": int(HOURS_PER_MONTH),
    }
    commitment = commitment_of(resource, now, as_of, prices)
    if commitment is not None:
        evidence.update(status="committed", commitment=commitment.to_dict(), monthly=parts.zero_text,
                        monthly_after_commitment=parts.monthly)
        if commitment.ends:
            until = f"the commitment ends on {commitment.ends}"
        elif commitment.source.startswith("FOCUS"):
            until = "the commitment covering it ends (its FOCUS usage is PricingCategory Committed; FOCUS gives no end date)"
        else:
            until = "the commitment covering it ends (end unknown)"
        text = f"saves nothing until {until} (then {parts.shown_saving}/month, {now.by})"
        return Estimate("committed", parts.cost, parts.zero, evidence, text)
    if parts.increase is not None:
        evidence["monthly"] = "0"
        evidence["monthly_increase"] = parts.increase
        return Estimate("priced", parts.cost, parts.zero, evidence, parts.text)
    return Estimate("priced", parts.cost, parts.saving, evidence, parts.text)


def _in_other_currency(resource: dict, billed: str, quotes: list[Quote]) -> Estimate:
    """Unpriced: the resource is billed in ``billed`` and the prices found are in other currencies."""
    shown = "; ".join(f"{q.source} in {q.currency}" for q in quotes)
    reason = f"the resource is billed in {billed} and the only prices found are in another currency ({shown}): they cannot price it"
    evidence = {"status": "unpriced", "reason": reason, "billing_currency": billed,
                "unusable_prices": [{"source": q.source, "currency": q.currency} for q in quotes]}
    return Estimate("unpriced", None, None, evidence, f"saving unknown: {reason}")


def _where(resource: dict) -> str:
    return f"{resource.get('provider')}, {resource.get('region') or 'no region'}"


@dataclass(frozen=True, slots=True)
class _Priced:
    """What a priced estimate derives from its quotes (and the capacity, for per-GiB prices) alone."""

    source: str
    current: dict  # evidence; copied into each estimate
    target: dict | None
    monthly: str  # the saving, exact
    currency: str
    cost: Money  # the current monthly cost
    saving: Money
    zero: Money
    zero_text: str
    shown_saving: str  # to the cent, for messages
    increase: str | None  # the exact increase, when the target costs more
    text: str  # the message's saving clause when no commitment runs


_MEMO_LIMIT = 100_000


def _priced(prices: PriceSources, current: str, target: str | None, now: Quote, then: Quote | None,
            capacity: Decimal | None) -> _Priced | None:
    """The priced parts, computed once per (sizes, quotes, capacity) and kept on ``prices``. The key holds
    the amounts as written (``0.10`` and ``0.1`` show differently in the evidence); quotes with a
    ``detail`` (FOCUS sources) are computed each time."""
    if now.detail is not None or (then is not None and then.detail is not None):
        return _compute_priced(current, target, now, then, capacity) or None
    key = (current, target, str(now.amount), now.unit, now.currency, now.source, now.by,
           None if then is None else (str(then.amount), then.unit, then.currency, then.source, then.by),
           None if capacity is None else str(capacity))
    try:
        memo = prices._estimate_memo
    except AttributeError:
        memo = {}
        try:
            prices._estimate_memo = memo
        except AttributeError:  # a price source object that takes no attributes
            return _compute_priced(current, target, now, then, capacity) or None
    found = memo.get(key)
    if found is None:
        found = _compute_priced(current, target, now, then, capacity)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = found
    return found or None


def _compute_priced(current, target, now: Quote, then: Quote | None, capacity: Decimal | None) -> _Priced | bool:
    with arithmetic():
        return _priced_parts(current, target, now, then, capacity)


def _priced_parts(current, target, now: Quote, then: Quote | None, capacity: Decimal | None) -> _Priced | bool:
    cost_now = _monthly(now, capacity)
    cost_then = _monthly(then, capacity) if then is not None else Decimal(0)
    if cost_now is None or cost_then is None:
        return False  # the capacity is unknown; cached as False, returned as None
    saving = cost_now - cost_then
    currency = now.currency
    source = now.source if then is None or then.source == now.source else f"{now.source}; {then.source}"
    zero = money(Decimal(0), currency)
    saving_money = money(saving, currency)
    if saving < 0:
        increase = format(money(-saving, currency).amount, "f")
        text = f"costs {shown(-saving, currency)}/month more ({now.by})"
    else:
        increase = None
        text = f"saves {shown(saving, currency)}/month ({now.by})"
    return _Priced(
        source=source,
        current=_price_evidence(current, now, cost_now),
        target=_price_evidence(target, then, cost_then) if then is not None else None,
        monthly=format(saving_money.amount, "f"),
        currency=currency,
        cost=money(cost_now, currency),
        saving=saving_money,
        zero=zero,
        zero_text=format(zero.amount, "f"),
        shown_saving=shown(saving, currency),
        increase=increase,
        text=text,
    )


def _monthly(quote: Quote, capacity: Decimal | None) -> Decimal | None:
    with arithmetic():
        if quote.unit == "hour":
            return quote.amount * HOURS_PER_MONTH
        if quote.unit == "month":
            return quote.amount
        return None if capacity is None else quote.amount * capacity


def _unpriced(reason: str, where: str) -> Estimate:
    return Estimate("unpriced", None, None, {"status": "unpriced", "reason": reason}, f"saving unknown: {reason}")
