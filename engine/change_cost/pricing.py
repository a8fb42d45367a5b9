"""Pricing each entry of a plan: the monthly cost it adds or removes, with the source of every price.

Per action (:mod:`engine.plans.actions`):

* ``create`` — the ``after`` side's components (:mod:`engine.change_cost.components`), each priced
  by the first price source that answers (FOCUS unit prices of that size and region, then the
  price table): the cost added;
* ``update`` and ``replace`` — the components whose key or quantity changes (a resize, a new
  storage size, a new desired capacity), the ``before`` and ``after`` keys priced by **one** source
  (:meth:`engine.pricing.PriceSources.quote_pair`: an observed, discounted price is never subtracted
  from a list price); an update that changes nothing billed is ``unchanged``;
* ``delete`` — the resource's observed monthly cost in the cost snapshot (its ``before`` ``arn`` or
  ``id`` matched to FOCUS ``ResourceId`` as inventory ids are,
  :func:`engine.costs.resource_costs.candidate_keys`), else its ``before`` components priced;
* ``no-op``, ``read``, ``forget`` — nothing (a forgotten object keeps running, outside Terraform).

A monthly amount is quantity × unit price × 730 h for an hourly price, quantity (GiB) × the price of
a GiB-month, or quantity × a monthly amount from the FOCUS sources (730 h × the observed hourly
cost, as the quote carries it before its rounding to cents: ``Quote.unrounded``). A FOCUS source's
monthly amount for a volume is its whole observed cost: per GiB, it is divided by the volume's own
capacity. No source, a value known only after apply, or components in
two currencies: the resource is **unpriced**, with the reason; its cost is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from engine.amounts import exact, ratio
from engine.change_cost.components import Component, components
from engine.findings import Money
from engine.plans.marks import SENSITIVE
from engine.pricing.sources import HOURS_PER_MONTH, PriceSources, Quote

STATUSES = ("priced", "unpriced", "unchanged", "not-billed")
PRICED_ACTIONS = ("create", "update", "replace", "delete")


@dataclass(frozen=True)
class PricedComponent:
    """One component of one side, priced."""

    component: Component
    quote: Quote
    monthly: Decimal  # exact
    unit_price: Decimal  # per ``unit``
    unit: str  # hour | gib-month | month

    def to_dict(self) -> dict:
        c, q = self.component, self.quote
        out = {
            "component": c.name,
            "key": c.key,
            "quantity": exact(c.quantity),
            "per": c.per,
            "unit_price": exact(self.unit_price),
            "unit": self.unit,
            "hours_per_month": int(HOURS_PER_MONTH) if self.unit in ("hour", "month") else None,
            "monthly": exact(self.monthly),
            "currency": q.currency,
            "source": q.source,
        }
        if q.detail:
            out["detail"] = dict(q.detail)
        return out


def _instances(lines) -> list[tuple[str, Decimal]]:
    """``(size, number of instances)`` of the priced instance components of one side."""
    return [(line.component.key, line.component.quantity) for line in lines
            if isinstance(line, PricedComponent) and line.component.name == "instance"]


def _counted(key: str, count: Decimal) -> str:
    return key if count == 1 else f"{key} ×{exact(count)}"


@dataclass(frozen=True)
class ResourceCost:
    """What one planned resource adds to (``delta`` > 0) or removes from the monthly cost."""

    address: str
    type: str
    action: str
    owner: str
    owner_source: str
    status: str  # STATUSES
    reason: str | None = None  # unpriced, unchanged, not-billed: why
    currency: str | None = None
    before: Decimal | None = None  # the monthly cost of what changes, before (None: nothing)
    after: Decimal | None = None
    before_lines: tuple = ()  # PricedComponent, or {"observed": ...} for a delete priced from the bill
    after_lines: tuple = ()
    location: dict | None = None
    observed: Money | None = None  # a delete's observed monthly cost

    @property
    def delta(self) -> Decimal | None:
        if self.status != "priced":
            return None
        return (self.after or Decimal(0)) - (self.before or Decimal(0))

    @property
    def keys(self) -> str:
        """The size (or class) it is priced as, for summaries, with the number of instances when it is not one:
        ``t3.nano``, ``db.t3.micro -> db.t3.small``, ``e2-standard-4 ×3``, ``Standard_D2s_v5 ×2 -> ×5``."""
        before, after = _instances(self.before_lines), _instances(self.after_lines)
        if before and after and before[0] != after[0]:
            (old_key, old_count), (new_key, new_count) = before[0], after[0]
            if old_key == new_key:
                return f"{old_key} ×{exact(old_count)} -> ×{exact(new_count)}"
            return f"{_counted(old_key, old_count)} -> {_counted(new_key, new_count)}"
        first = after or before
        return _counted(*first[0]) if first else self.type

    @property
    def sources(self) -> list[str]:
        found = []
        for line in (*self.before_lines, *self.after_lines):
            name = line.quote.by if isinstance(line, PricedComponent) else "FOCUS observed cost"
            if name not in found:
                found.append(name)
        return found

    def to_dict(self) -> dict:
        def lines(items) -> list:
            return [item.to_dict() if isinstance(item, PricedComponent) else dict(item) for item in items]

        delta = self.delta
        return {
            "address": self.address,
            "type": self.type,
            "action": self.action,
            "owner": self.owner,
            "owner_source": self.owner_source,
            "status": self.status,
            "reason": self.reason,
            "currency": self.currency,
            "monthly_before": exact(self.before) if self.before is not None else None,
            "monthly_after": exact(self.after) if self.after is not None else None,
            "monthly_change": exact(delta) if delta is not None else None,
            "before": lines(self.before_lines),
            "after": lines(self.after_lines),
            "location": self.location,
        }


class Unpriced(Exception):
    """A component that cannot be priced, and why."""


def cloud_id(resource: dict | None) -> str | None:
    """The id the cloud gives the object (its ``arn``, else its ``id``), as FOCUS ``ResourceId`` names it."""
    if resource is None:
        return None
    properties = resource.get("properties") or {}
    for name in ("arn", "id"):
        value = properties.get(name)
        if isinstance(value, str) and value and value != SENSITIVE:
            return value
    return None


def as_billed(resource: dict | None) -> dict | None:
    """The resource as the price sources see an existing object: named by its cloud id (so the FOCUS
    sources find its own observed cost); None when it has none."""
    rid = cloud_id(resource)
    if rid is None:
        return None
    return {**resource, "id": rid}


def _price(component: Component, quote: Quote, own_capacity: Decimal | None) -> PricedComponent:
    quantity = component.quantity
    if quote.unit == "hour":
        if component.name == "storage":
            raise Unpriced(f"{component.key} is priced per hour, not per GiB-month")
        return PricedComponent(component, quote, quantity * quote.amount * HOURS_PER_MONTH, quote.amount, "hour")
    if quote.unit == "gib-month":
        if component.name != "storage":
            raise Unpriced(f"{component.key} is priced per GiB-month, but it is billed per instance")
        return PricedComponent(component, quote, quantity * quote.amount, quote.amount, "gib-month")
    # "month": a FOCUS source's monthly amount for one object, before its rounding to cents (multiplied by a
    # quantity, a rounding would be multiplied too)
    monthly = quote.unrounded if quote.unrounded is not None else quote.amount
    if component.name == "storage":
        if not own_capacity:
            raise Unpriced(f"{component.key}: the observed monthly cost cannot be spread over an unknown capacity")
        per_gib = ratio(monthly, own_capacity)
        return PricedComponent(component, quote, quantity * per_gib, per_gib, "gib-month")
    return PricedComponent(component, quote, quantity * monthly, monthly, "month")


def _capacity(items: list[Component]) -> Decimal | None:
    return next((c.quantity for c in items if c.name == "storage"), None)


def _where(resource: dict) -> str:
    return f"{resource.get('provider')}, {resource.get('region') or 'no region'}"


def price_alone(prices: PriceSources, resource: dict, component: Component, own_capacity) -> PricedComponent:
    if component.unknown is not None:
        raise Unpriced(component.unknown)
    quote = prices.quote(resource, component.key)
    if quote is None:
        raise Unpriced(f"no price for {component.key} ({_where(resource)}) in the {' or '.join(prices.names) or 'price sources (none given)'}")
    return _price(component, quote, own_capacity)


def _pair(prices: PriceSources, resource: dict, before: Component, after: Component, own_capacity) -> tuple:
    for component in (before, after):
        if component.unknown is not None:
            raise Unpriced(component.unknown)
    pair = prices.quote_pair(resource, before.key, after.key)
    if pair is None:
        raise Unpriced(f"no price source prices both {before.key} and {after.key} ({_where(resource)}) in one currency and unit "
                        f"(asked: {' or '.join(prices.names) or 'none given'})")
    return _price(before, pair[0], own_capacity), _price(after, pair[1], own_capacity)


@dataclass
class _Sides:
    before: list = field(default_factory=list)
    after: list = field(default_factory=list)


def price_entry(entry, owner: tuple[str, str], prices: PriceSources, observed: dict, location: dict | None) -> ResourceCost | None:
    """The :class:`ResourceCost` of one plan entry (:class:`engine.plans.PlanEntry`); None for actions that change no cost."""
    action = entry.action
    if action not in PRICED_ACTIONS:
        return None
    side = entry.after if entry.after is not None else entry.before
    if side is None:
        return None
    base = {"address": entry.address, "type": side["type"], "action": action, "owner": owner[0], "owner_source": owner[1],
            "location": location}
    if action == "delete":
        found = observed.get(cloud_id(entry.before) or "")
        if found is not None:
            line = {"component": "observed", "monthly": exact(found.amount), "currency": found.currency,
                    "source": "FOCUS observed cost", "hours_per_month": int(HOURS_PER_MONTH),
                    "detail": {"resource_id": cloud_id(entry.before)}}
            return ResourceCost(**base, status="priced", currency=found.currency, before=found.amount, after=Decimal(0),
                                before_lines=(line,), observed=found)
    before_items = components(entry.before) if entry.before is not None and action != "create" else []
    after_items = components(entry.after) if entry.after is not None and action != "delete" else []
    if not before_items and not after_items:
        return ResourceCost(**base, status="not-billed", reason="no size, storage or hourly class to price it by (usage-priced or free)")
    billed = as_billed(entry.before) if action in ("update", "replace", "delete") else None
    resource = billed or side
    own_capacity = _capacity(before_items)
    sides = _Sides()
    changed = False
    try:
        for name in ("instance", "storage"):
            then = next((c for c in before_items if c.name == name), None)
            now = next((c for c in after_items if c.name == name), None)
            if then is not None and now is not None:
                if then.same_as(now) and then.unknown is None:
                    continue
                changed = True
                priced_then, priced_now = _pair(prices, resource, then, now, own_capacity)
                sides.before.append(priced_then)
                sides.after.append(priced_now)
            elif then is not None:
                changed = True
                sides.before.append(price_alone(prices, resource, then, own_capacity))
            elif now is not None:
                changed = True
                sides.after.append(price_alone(prices, resource, now, own_capacity))
    except Unpriced as reason:
        return ResourceCost(**base, status="unpriced", reason=str(reason))
    if not changed:
        return ResourceCost(**base, status="unchanged", reason="no billed value changes (size, storage, instance count)")
    currencies = {line.quote.currency for line in (*sides.before, *sides.after)}
    if len(currencies) != 1:
        return ResourceCost(**base, status="unpriced", reason=f"its parts are priced in {' and '.join(sorted(currencies))}: "
                                                                "amounts in two currencies are never added")
    before = sum((line.monthly for line in sides.before), Decimal(0)) if sides.before else None
    after = sum((line.monthly for line in sides.after), Decimal(0)) if sides.after else None
    if action == "delete":
        after = Decimal(0)
    return ResourceCost(**base, status="priced", currency=currencies.pop(), before=before, after=after,
                        before_lines=tuple(sides.before), after_lines=tuple(sides.after))
