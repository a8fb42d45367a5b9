"""Unassigned spend, item by item: what the showback's unassigned row is made of.

**Unassigned spend** is the spend the ownership chain assigns to no team: the window's cost rows that
no step names a team for, or that only the chain's ``default`` step would (without ``owns_spend``)
— the showback's row :data:`~engine.showback.owners.UNASSIGNED_SPEND` (:mod:`engine.showback.owners`).
It is not *unallocated* spend, the tag-coverage policy type's word for spend whose rows lack the
allocation tags: a row tagged ``team: search`` without a ``cost-center`` is unallocated and is
search's spend; a row of an account no step maps, without a team tag, is unassigned.

:func:`unassigned_spend` breaks the unassigned spend down per currency, resource (``ResourceId``;
rows without one — taxes, credits, support — per account and service), charge category and
service, with the showback's owner expression, measure and charge categories, so its items add up
to the unassigned row exactly. The report lists the largest items (a credit that no step assigns
makes the figure negative, and the list says so) and finds the resources an owner could claim: an
item's resource that the inventory says is a team's (:func:`claims`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.costs import sql
from engine.costs.focus import CHARGE_CATEGORIES
from engine.costs.resource_costs import candidate_keys, normalize_resource_id
from engine.ownership import NO_OWNERSHIP
from engine.showback.owners import owner_sql
from engine.showback.spend import MEASURES
from engine.showback.windows import Window

_ZERO = Decimal(0)


@dataclass(frozen=True)
class UnassignedItem:
    """The unassigned spend of one resource (or, without a ``ResourceId``, one account and service) in one
    currency and charge category."""

    currency: str
    resource_id: str | None
    resource_name: str | None
    account: str | None  # SubAccountId
    service: str | None
    charge_category: str
    amount: Decimal
    rows: int


@dataclass(frozen=True)
class UnassignedSpend:
    measure: str
    window: Window
    items: tuple[UnassignedItem, ...]  # per currency, the largest amounts (in absolute value) first

    def totals(self) -> dict:
        """``{currency: Σ amount}``: the showback's unassigned row."""
        out: dict = {}
        for item in self.items:
            out[item.currency] = out.get(item.currency, _ZERO) + item.amount
        return out

    def by_category(self, currency: str) -> list[tuple[str, Decimal]]:
        """``[(charge category, amount)]`` of one currency, in the FOCUS order of the categories."""
        out: dict = {}
        for item in self.items:
            if item.currency == currency:
                out[item.charge_category] = out.get(item.charge_category, _ZERO) + item.amount
        order = {category: index for index, category in enumerate(CHARGE_CATEGORIES)}
        return sorted(out.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0]))

    def by_resource(self) -> dict:
        """``{(ResourceId, currency): (amount, name, service)}`` of the items that name a resource."""
        out: dict = {}
        for item in self.items:
            if item.resource_id is None:
                continue
            amount, name, service = out.get((item.resource_id, item.currency), (_ZERO, None, None))
            out[(item.resource_id, item.currency)] = (amount + item.amount, name or item.resource_name, service or item.service)
        return out


def columns(measure: str = "EffectiveCost") -> set[str]:
    """The FOCUS columns :func:`unassigned_spend` reads besides the showback's."""
    return {"BillingCurrency", "ChargeCategory", "ChargePeriodStart", measure, "ServiceName", "Tags", "SubAccountId",
            "BillingAccountId", "ResourceId", "ResourceName"}


def unassigned_query(table: str, d, *, owner: str, measure: str, categories, window: Window, tags: sql.TagJoin) -> str:
    """Per (currency, resource, account, service, charge category) of the rows no team owns: Σ measure, rows."""
    return (
        f"{sql.with_clause(tags)}SELECT BillingCurrency, ResourceId, SubAccountId, ServiceName, ChargeCategory, max(ResourceName),"
        f" sum({d.identifier(measure)}), count(*)"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, window.period())}"
        f" AND {sql.in_list(d, 'ChargeCategory', categories)} AND ({owner}) IS NULL GROUP BY ALL"
    )


def unassigned_spend(costs, ownership, window: Window, *, measure: str = "EffectiveCost", charge_categories=None) -> UnassignedSpend:
    """The unassigned spend of ``window``, item by item (see the module doc). Without an ownership (None)
    every row is unassigned."""
    ownership = ownership if ownership is not None else NO_OWNERSHIP
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
    categories = tuple(charge_categories) if charge_categories is not None else CHARGE_CATEGORIES
    missing = costs.missing(columns(measure))
    if missing:
        raise ValueError(f"the cost snapshot was loaded without the columns {', '.join(missing)}")
    d = costs.dialect
    tags = sql.TagJoin(costs.table, sql.period_filter(d, window.period()))
    rows = costs.query(unassigned_query(costs.table, d, owner=owner_sql(ownership, d, tags), measure=measure,
                                        categories=categories, window=window, tags=tags))
    items = [UnassignedItem(currency, resource_id, name, account, service, category, amount, count)
             for currency, resource_id, account, service, category, name, amount, count in rows]
    items.sort(key=lambda i: (i.currency, -abs(i.amount), i.resource_id or "", i.account or "", i.service or "", i.charge_category))
    return UnassignedSpend(measure, window, tuple(items))


@dataclass(frozen=True)
class Claim:
    """A resource whose spend is unassigned and that the inventory says is a team's: tagging it (so that
    its cost rows carry a tag the ownership chain reads) moves its cost from the unassigned spend to
    that team's."""

    resource_id: str  # as the cost data names it
    inventory_id: str  # the inventory resource it matched
    name: str | None
    service: str | None
    cost: Decimal
    currency: str


def claims(spend: UnassignedSpend, resources, ownership) -> dict[str, list[Claim]]:
    """team -> the resources of the unassigned spend that the inventory (``resources``, resolved with
    ``ownership``) assigns to that team by a step other than the default. A cost row's ``ResourceId``
    matches an inventory id as the inventory findings' monthly costs match them
    (:func:`engine.costs.resource_costs.candidate_keys`: lower-cased, a GCP ``//…googleapis.com/``
    prefix removed, an ARN also by the part after its last ``/``); a full-id match wins."""
    if spend is None or not resources or ownership is None:
        return {}
    wanted: dict[str, list] = {}  # normalized ResourceId -> [(resource id, currency, (amount, name, service))]
    for (resource_id, currency), entry in spend.by_resource().items():
        wanted.setdefault(normalize_resource_id(resource_id), []).append((resource_id, currency, entry))
    matched: dict[str, tuple[int, dict]] = {}  # normalized ResourceId -> (rank of the key that matched, resource)
    for resource in resources:
        rid = resource.get("id")
        if not isinstance(rid, str):
            continue
        for rank, key in enumerate(candidate_keys(rid)):
            if key in wanted and (key not in matched or rank < matched[key][0]):
                matched[key] = (rank, resource)
    found: dict[str, list[Claim]] = {}
    for key, (_, resource) in matched.items():
        team, source = ownership.resolve(resource)
        if source in ("none", "default"):
            continue  # nothing names this resource's team: the claim would be a guess
        for resource_id, currency, (amount, name, service) in wanted[key]:
            if amount:
                found.setdefault(team, []).append(Claim(resource_id, resource["id"], name, service, amount, currency))
    for listed in found.values():
        listed.sort(key=lambda claim: (claim.currency, -claim.cost, claim.resource_id))
    return found
