"""Showback: the spend of each owner in the report's window, per currency, with its services and trend.

**What counts.** ``Σ measure`` over the cost rows with ``start <= ChargePeriodStart < rows_end``
(:class:`~engine.showback.windows.Window`) whose ``ChargeCategory`` is one of
``charge_categories`` (default: all five FOCUS categories). The measure is ``EffectiveCost``
(amortized, the default) or ``BilledCost`` (invoiced). Either way a commitment is counted once:
with ``EffectiveCost`` its purchase row carries 0 (FOCUS puts the amortized cost on the usage
rows it covers) while real purchases (marketplace, support) carry their cost; with ``BilledCost``
the purchase row carries the invoice amount and the usage it covers carries 0. Credits and
adjustments are negative or positive rows like any other.

**Who owns it.** The owner of each row is chosen as :mod:`engine.showback.owners` says: the
ownership chain's steps, the default step's spend being *unassigned* (one row of its own,
owner :data:`~engine.showback.owners.UNASSIGNED_SPEND`) unless the Ownership document says
``owns_spend: true``.

**Currencies** are never added together: every figure is per owner *and* currency, and the
totals are per currency (:mod:`engine.showback.fx` consolidates them at stated rates, as a
separate figure).

**Services and trend.** Each owner's spend is broken down by ``ServiceName`` (the ``top_services``
largest, then one ``(other services)`` slice) and by ``ServiceCategory`` (all of them); the
slices add up to the owner's amount exactly. The previous window (the month before, ...) is
summed in the same query, so each owner has its previous amount and the change; when the data
holds no row of the previous window at all, the trend is not available (``previous`` None) rather
than a change from zero.

One query over the snapshot computes all of it (and the pools of an Allocation, for
:mod:`engine.showback.chargeback`); tag expressions are evaluated once per distinct ``Tags``
value (:class:`engine.costs.sql.TagJoin`), as for the policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from engine.amounts import exact, percent
from engine.costs import sql
from engine.costs.focus import CHARGE_CATEGORIES
from engine.costs.periods import SECONDS_PER_DAY, Period
from engine.ownership import NO_OWNERSHIP
from engine.showback.owners import UNASSIGNED_SPEND, owner_name, owner_sql
from engine.showback.windows import Window

MEASURES = ("EffectiveCost", "BilledCost")
OTHER_SERVICES = "(other services)"
NO_SERVICE = "(no service)"
NO_CATEGORY = "(no category)"
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Slice:
    name: str
    amount: Decimal

    def to_dict(self) -> dict:
        return {"name": self.name, "amount": exact(self.amount)}


@dataclass(frozen=True)
class OwnerSpend:
    owner: str  # a team id, or UNASSIGNED_SPEND
    name: str
    currency: str
    amount: Decimal
    rows: int
    previous: Decimal | None  # None: the data holds nothing of the previous window
    services: tuple[Slice, ...] = ()
    categories: tuple[Slice, ...] = ()

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.amount - self.previous

    @property
    def change_percent(self) -> Decimal | None:
        """``100 × change ÷ previous`` (2 decimals), None without a previous amount other than 0."""
        if not self.previous:
            return None
        return percent(self.amount - self.previous, abs(self.previous))

    def to_dict(self) -> dict:
        change, change_percent = self.change, self.change_percent
        return {
            "owner": self.owner,
            "name": self.name,
            "unassigned": self.owner == UNASSIGNED_SPEND,
            "currency": self.currency,
            "amount": exact(self.amount),
            "rows": self.rows,
            "previous": exact(self.previous) if self.previous is not None else None,
            "change": exact(change) if change is not None else None,
            "change_percent": exact(change_percent) if change_percent is not None else None,
            "services": [s.to_dict() for s in self.services],
            "categories": [s.to_dict() for s in self.categories],
        }


@dataclass(frozen=True)
class SpendLine:
    """One group of the showback query: window (current or previous), owner (None: unassigned),
    currency, Allocation pool (the rule's index, None: no rule), category, service."""

    current: bool
    owner: str | None
    currency: str
    pool: int | None
    category: str | None
    service: str | None
    amount: Decimal
    rows: int


@dataclass(frozen=True)
class Showback:
    measure: str
    charge_categories: tuple[str, ...]
    window: Window
    data_end: datetime | None  # how far the window's data reaches (see engine.costs.sql.data_end_query)
    owners: tuple[OwnerSpend, ...]
    totals: dict  # currency -> Decimal (the window)
    previous_totals: dict  # currency -> Decimal (the previous window; empty when not available)
    previous_available: bool
    notes: tuple[str, ...] = ()
    allocation: object = None  # the engine.showback.allocation.Allocation whose pools the lines carry
    lines: tuple[SpendLine, ...] = field(default=(), repr=False)
    ownership: object = field(default=None, repr=False, compare=False)

    @property
    def partial(self) -> bool:
        """Whether the window's data stops before its end (the as-of instant, or the export, is inside it)."""
        return not self.window.complete or self.data_end is None or self.data_end < self.window.end

    def for_owner(self, owner: str) -> list[OwnerSpend]:
        return [o for o in self.owners if o.owner == owner]

    def by_owner_currency(self) -> dict:
        """``{(owner, currency): amount}`` of the window."""
        return {(o.owner, o.currency): o.amount for o in self.owners}

    def previous_by_owner_currency(self) -> dict:
        """``{(owner, currency): amount}`` of the previous window (empty when it is not available)."""
        return {(o.owner, o.currency): o.previous for o in self.owners if o.previous is not None}

    def unassigned(self) -> dict:
        """``{currency: amount}`` of the unassigned row(s)."""
        return {o.currency: o.amount for o in self.owners if o.owner == UNASSIGNED_SPEND}

    def to_dict(self) -> dict:
        return {
            "measure": self.measure,
            "charge_categories": list(self.charge_categories),
            "window": self.window.to_dict(),
            "data_end": self.data_end.strftime("%Y-%m-%dT%H:%M:%SZ") if self.data_end is not None else None,
            "partial": self.partial,
            "previous_available": self.previous_available,
            "totals": [
                {"currency": currency, "amount": exact(amount),
                 "previous": exact(self.previous_totals.get(currency, _ZERO)) if self.previous_available else None}
                for currency, amount in sorted(self.totals.items())
            ],
            "owners": [o.to_dict() for o in self.owners],
            "notes": list(self.notes),
        }


def columns(measure: str = "EffectiveCost", allocation=None) -> set[str]:
    """The FOCUS columns :func:`showback` reads (give them to ``load_costs(columns=...)``)."""
    needed = {"BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", measure,
              "ServiceName", "ServiceCategory", "Tags", "SubAccountId", "BillingAccountId", "ResourceId"}
    return needed | (allocation.columns() if allocation is not None else set())


def spend_query(table: str, d, *, owner: str, pool: str, measure: str, categories, span: Period, current_start: datetime,
                tags: sql.TagJoin) -> str:
    """Per (window, owner, currency, pool, category, service): Σ measure, rows, and how far the data reaches."""
    short = f"ChargeCategory = 'Usage' AND {d.seconds_between('ChargePeriodStart', 'ChargePeriodEnd')} <= {SECONDS_PER_DAY}"
    return (
        f"{sql.with_clause(tags)}SELECT ChargePeriodStart >= {d.timestamp(current_start)} AS current, {owner} AS owner,"
        f" BillingCurrency AS currency, {pool} AS pool, ServiceCategory AS category, ServiceName AS service,"
        f" sum({d.identifier(measure)}), count(*), max(ChargePeriodEnd) FILTER (WHERE {short}), max(ChargePeriodEnd)"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, span)} AND {sql.in_list(d, 'ChargeCategory', categories)}"
        " GROUP BY ALL"
    )


def showback(costs, ownership, window: Window, *, measure: str = "EffectiveCost", charge_categories=None, allocation=None,
             top_services: int | None = 5) -> Showback:
    """The showback of ``window`` (see the module doc). ``allocation`` (an Allocation) marks the rows
    its rules select, for :func:`engine.showback.chargeback.chargeback`; its team ids are checked
    against the directory (InputError ``E306``). Without an ownership (None) every row is unassigned."""
    ownership = ownership if ownership is not None else NO_OWNERSHIP
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
    categories = tuple(charge_categories) if charge_categories is not None else CHARGE_CATEGORIES
    unknown = [c for c in categories if c not in CHARGE_CATEGORIES]
    if unknown or not categories:
        raise ValueError(f"charge categories {unknown or '[]'}: each is one of {', '.join(CHARGE_CATEGORIES)}")
    missing = costs.missing(columns(measure, allocation))
    if missing:
        raise ValueError(f"the cost snapshot was loaded without the columns {', '.join(missing)}")
    if top_services is not None and top_services < 1:
        raise ValueError("top_services is at least 1 (None: every service)")
    if allocation is not None:
        allocation.check_teams(ownership)
    d = costs.dialect
    previous = window.previous
    span = Period("window", previous.start if previous is not None else window.start, window.end, window.rows_end)
    tags = sql.TagJoin(costs.table, sql.period_filter(d, span))
    owner = owner_sql(ownership, d, tags)
    pool = allocation.pool_sql(d, tags, owner) if allocation is not None else "CAST(NULL AS INTEGER)"
    rows = costs.query(spend_query(costs.table, d, owner=owner, pool=pool, measure=measure, categories=categories, span=span,
                                   current_start=window.start, tags=tags))
    lines = []
    short_end = long_end = None
    for current, owner_id, currency, pool_index, category, service, amount, count, short, longest in rows:
        lines.append(SpendLine(bool(current), owner_id, currency, pool_index, category, service, amount, count))
        if current:
            short_end = short if short_end is None or (short is not None and short > short_end) else short_end
            long_end = longest if long_end is None or (longest is not None and longest > long_end) else long_end
    lines.sort(key=_line_order)
    return _summarize(tuple(lines), ownership, window, measure, categories, allocation, short_end or long_end, top_services)


def _line_order(line: SpendLine) -> tuple:
    return (not line.current, line.owner is None, line.owner or "", line.currency, -1 if line.pool is None else line.pool,
            line.category or "", line.service or "")


def _summarize(lines, ownership, window, measure, categories, allocation, data_end, top) -> Showback:
    current: dict = {}  # (owner, currency) -> [amount, rows, {service: amount}, {category: amount}]
    previous: dict = {}
    totals: dict = {}
    previous_totals: dict = {}
    for line in lines:
        key = (line.owner if line.owner is not None else UNASSIGNED_SPEND, line.currency)
        if line.current:
            entry = current.setdefault(key, [_ZERO, 0, {}, {}])
            entry[0] += line.amount
            entry[1] += line.rows
            service, category = line.service or NO_SERVICE, line.category or NO_CATEGORY
            entry[2][service] = entry[2].get(service, _ZERO) + line.amount
            entry[3][category] = entry[3].get(category, _ZERO) + line.amount
            totals[line.currency] = totals.get(line.currency, _ZERO) + line.amount
        else:
            previous[key] = previous.get(key, _ZERO) + line.amount
            previous_totals[line.currency] = previous_totals.get(line.currency, _ZERO) + line.amount
    available = bool(previous)
    owners = []
    for key in set(current) | set(previous):
        amount, count, services, categories_of = current.get(key, [_ZERO, 0, {}, {}])
        owners.append(OwnerSpend(
            owner=key[0], name=owner_name(ownership, key[0]), currency=key[1], amount=amount, rows=count,
            previous=previous.get(key, _ZERO) if available else None,
            services=_slices(services, top), categories=_slices(categories_of, None),
        ))
    owners.sort(key=lambda o: (o.currency, o.owner == UNASSIGNED_SPEND, -o.amount, o.owner))
    notes = []
    if not current:
        notes.append(f"no cost rows in {window.label}")
    if window.previous is not None and not available:
        notes.append(f"no cost rows in {window.previous.label}: no trend")
    return Showback(measure, tuple(categories), window, data_end, tuple(owners), totals, previous_totals if available else {},
                    available, tuple(notes), allocation, lines, ownership)


def _slices(amounts: dict, top: int | None) -> tuple[Slice, ...]:
    ordered = sorted(amounts.items(), key=lambda item: (-item[1], item[0]))
    if top is None or len(ordered) <= top:
        return tuple(Slice(name, amount) for name, amount in ordered)
    rest = sum((amount for _, amount in ordered[top:]), _ZERO)
    return tuple(Slice(name, amount) for name, amount in ordered[:top]) + (Slice(OTHER_SERVICES, rest),)
