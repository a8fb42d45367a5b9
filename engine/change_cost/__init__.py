"""The cost of a change: what a Terraform plan adds to each owner's monthly bill.

::

    plans = engine.load_plans(["plan.json"], sides=True)
    change = price_change(plans.entries, ownership=owners, prices=table, costs=costs, as_of=when)
    change.totals("team-data")      # {"USD": Totals(added, removed)}
    change.to_dict(teams)           # what the outputs show: per owner, per resource, unpriced

Each planned resource is priced by :mod:`engine.change_cost.pricing` through the price sources
rightsizing uses, in their order: with a cost snapshot, **FOCUS observed cost** (an existing
object's own cost, for resizes and replacements) and **FOCUS unit prices** (the observed on-demand
cost of that size in that region, learnt from the objects the plan leaves as they are, the
``before`` side of its entries, and from ``--inventory`` resources), then the price table
(``--prices``). Deletes remove the object's observed monthly cost.

Totals are per owner (the ownership chain on the planned resource: tags, account, resource-id
patterns on its address) and for the whole change, per currency: amounts in two currencies are
never added. Unpriced resources are counted and listed with their reason, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from engine.amounts import exact, show
from engine.change_cost.components import components
from engine.change_cost.pricing import PricedComponent, ResourceCost, price_alone, Unpriced, as_billed, cloud_id, price_entry
from engine.costs.prices import COLUMNS as PRICE_COLUMNS
from engine.costs.prices import focus_price_sources
from engine.costs.resource_costs import COLUMNS as RESOURCE_COST_COLUMNS
from engine.costs.resource_costs import monthly_costs
from engine.plans import location
from engine.pricing.sources import HOURS_PER_MONTH, PriceSources

COLUMNS = frozenset(PRICE_COLUMNS | RESOURCE_COST_COLUMNS)  # the FOCUS columns pricing a change reads
WHOLE_CHANGE = None  # the owner argument that means every owner together


@dataclass(frozen=True)
class Totals:
    added: Decimal
    removed: Decimal

    @property
    def net(self) -> Decimal:
        return self.added - self.removed

    def to_dict(self, currency: str) -> dict:
        return {"currency": currency, "added": exact(self.added), "removed": exact(self.removed), "net": exact(self.net)}


@dataclass
class ChangeCost:
    """Every priced plan entry, and the totals per owner and currency."""

    resources: list[ResourceCost]
    sources: list[str]  # the price sources asked, in order
    period: dict | None = None  # the period the run reports on, when given
    budgets: list[dict] = field(default_factory=list)  # what change-budget policies found per owner (see add_budget)
    _prices: object = field(default=None, repr=False)
    _entries: list = field(default_factory=list, repr=False)
    _ownership: object = field(default=None, repr=False)
    _before_state: dict | None = field(default=None, repr=False)

    def of(self, owner: str | None = WHOLE_CHANGE) -> list[ResourceCost]:
        return [r for r in self.resources if owner is WHOLE_CHANGE or r.owner == owner]

    @property
    def owners(self) -> list[str]:
        return sorted({r.owner for r in self.resources if r.status != "unchanged"})

    def totals(self, owner: str | None = WHOLE_CHANGE) -> dict[str, Totals]:
        """``{currency: Totals}`` of the priced resources of ``owner`` (None: the whole change)."""
        sums: dict[str, list] = {}
        for r in self.of(owner):
            delta = r.delta
            if delta is None:
                continue
            pair = sums.setdefault(r.currency, [Decimal(0), Decimal(0)])
            if delta > 0:
                pair[0] += delta
            else:
                pair[1] -= delta
        return {currency: Totals(*pair) for currency, pair in sorted(sums.items())}

    def count(self, status: str, owner: str | None = WHOLE_CHANGE) -> int:
        return sum(1 for r in self.of(owner) if r.status == status)

    def unpriced(self, owner: str | None = WHOLE_CHANGE) -> list[ResourceCost]:
        return [r for r in self.of(owner) if r.status == "unpriced"]

    def describe(self, owner: str | None = WHOLE_CHANGE, currency: str | None = None) -> str:
        """``3 new t3.nano (FOCUS unit prices); 1 resized db.t3.micro -> db.t3.small (price table); 1 aws_nat_gateway
        unpriced: no price for ...``: what the change is made of, for messages."""
        groups: dict[tuple, int] = {}
        words = {"create": "new", "delete": "deleted", "replace": "replaced", "update": "changed"}
        for r in self.of(owner):
            if r.status == "priced" and (currency is None or r.currency == currency):
                key = (words[r.action], r.keys, ", ".join(r.sources))
                groups[key] = groups.get(key, 0) + 1
        parts = [f"{count} {word} {keys} ({source})" for (word, keys, source), count in groups.items()]
        unpriced: dict[tuple, int] = {}
        for r in self.unpriced(owner):
            unpriced[(r.type, r.reason)] = unpriced.get((r.type, r.reason), 0) + 1
        parts += [f"{count} {tf_type} unpriced: {reason}" for (tf_type, reason), count in unpriced.items()]
        return "; ".join(parts)

    def before_state(self, owner: str | None = WHOLE_CHANGE) -> tuple[dict[str, Decimal], int]:
        """``({currency: monthly}, unpriced)``: what the objects the plan finds in place (its entries' ``before``
        sides: no-op, update, replace, delete) cost per month, priced as the change is; the base of a
        cost-delta percentage when there is no cost data."""
        if self._before_state is None:
            state: dict = {}
            for entry in self._entries:
                if entry.before is None or entry.action in ("create", "read"):
                    continue
                who = self._ownership.resolve(entry.before)[0]
                bucket = state.setdefault(who, [{}, 0])
                resource = as_billed(entry.before) or entry.before
                items = components(entry.before)
                own_capacity = next((c.quantity for c in items if c.name == "storage"), None)
                try:
                    priced = [price_alone(self._prices, resource, c, own_capacity) for c in items]
                except Unpriced:
                    bucket[1] += 1
                    continue
                for line in priced:
                    currency = line.quote.currency
                    bucket[0][currency] = bucket[0].get(currency, Decimal(0)) + line.monthly
            self._before_state = state
        if owner is not WHOLE_CHANGE:
            amounts, unpriced = self._before_state.get(owner, [{}, 0])
            return dict(amounts), unpriced
        total: dict[str, Decimal] = {}
        count = 0
        for amounts, unpriced in self._before_state.values():
            count += unpriced
            for currency, amount in amounts.items():
                total[currency] = total.get(currency, Decimal(0)) + amount
        return total, count

    def add_budget(self, view: dict) -> None:
        """A change-budget policy's view of one owner's budget with and without the change (shown in the outputs)."""
        self.budgets.append(view)

    def headline(self, owner: str | None = WHOLE_CHANGE) -> str:
        """``adds 1,310.40 USD/month`` (per currency), for messages."""
        parts = []
        for currency, totals in self.totals(owner).items():
            net = totals.net
            verb = "adds" if net > 0 else "removes" if net < 0 else "changes by"
            parts.append(f"{verb} {show(abs(net), currency)}/month")
        return ", ".join(parts) or "adds no priced cost"

    def to_dict(self, teams: dict | None = None) -> dict:
        teams = teams or {}
        owners = []
        for owner in self.owners:
            team = teams.get(owner)
            owners.append({
                "owner": owner,
                "name": team.name if team is not None else owner,
                "totals": [t.to_dict(c) for c, t in self.totals(owner).items()],
                "priced": self.count("priced", owner),
                "unpriced": self.count("unpriced", owner),
                "not_billed": self.count("not-billed", owner),
                "budgets": [view for view in self.budgets if view["owner"] == owner],
            })
        return {
            "hours_per_month": int(HOURS_PER_MONTH),
            "price_sources": list(self.sources),
            "totals": [t.to_dict(c) for c, t in self.totals().items()],
            "priced": self.count("priced"),
            "unpriced": self.count("unpriced"),
            "not_billed": self.count("not-billed"),
            "unchanged": self.count("unchanged"),
            "owners": owners,
            "resources": [r.to_dict() for r in self.resources],
        }


def price_change(entries, *, ownership, prices: PriceSources | None = None, costs=None, as_of=None, catalog=None,
                 inventory=(), notes: list | None = None) -> ChangeCost:
    """Price every plan entry (:class:`engine.plans.PlanEntry`, from ``load_plans(..., sides=True)``).

    ``prices``: the price table (and any other sources) asked after the FOCUS sources; ``costs``: the
    cost snapshot (FOCUS sources, observed costs of deletes); ``inventory``: resources whose sizes
    teach the FOCUS unit prices, besides the plan's own objects; ``notes`` gets what could not be used.
    """
    given = list(prices.sources) if prices is not None else []
    observed: dict = {}
    sources = given
    if costs is not None:
        missing = costs.missing(COLUMNS)
        if missing:
            if notes is not None:
                notes.append(f"the change is not priced from the cost data: it was loaded without the columns {', '.join(missing)}")
        else:
            pool = [billed for e in entries if e.action not in ("create", "read") for billed in [as_billed(e.before)] if billed]
            pool += [r for r in inventory if "change" not in r]
            sources = [*focus_price_sources(costs, pool, as_of, catalog), *given]
            deleted = [cloud_id(e.before) for e in entries if e.action == "delete" and cloud_id(e.before)]
            if deleted:
                observed = monthly_costs(costs, deleted, as_of)
    chain = PriceSources(sources)
    resources = []
    for entry in entries:
        side = entry.after if entry.after is not None else entry.before
        if side is None:  # neither side has values (a plan that errored part way)
            continue
        owner = ownership.resolve(side)
        priced = price_entry(entry, owner, chain, observed, location(side))
        if priced is not None:
            resources.append(priced)
    return ChangeCost(resources, chain.names, _prices=chain, _entries=list(entries), _ownership=ownership)


__all__ = ["COLUMNS", "ChangeCost", "PricedComponent", "ResourceCost", "Totals", "price_change"]
