"""Price sources: who can say what a resource costs at a given size, and the order they are asked in.

A :class:`PriceSource` answers ``quote(resource, key)``: the price of running ``resource`` as
``key`` — its own size or a candidate target size (``m5.large``), or, for resources without a
size, their class (``network.public-ip``; see :func:`price_key`). It answers with a
:class:`Quote` (an amount per hour, per GiB-month or per month, a currency, where the number comes
from, and the commitment covering the resource if the source knows of one) or ``None``. A source
may also answer ``commitment(resource)``: the commitment covering the resource, whichever source
prices it.

:class:`PriceSources` asks its sources **in order**; the first source that prices *both* the
current and the target key prices a saving, so a saving never subtracts a discounted observed
cost from a list price. A resource the FOCUS data bills in a currency (:meth:`PriceSources.billing_currency`)
is priced only in that currency: a price in another one cannot price it (amounts in two currencies
are never subtracted, and a saving is never shown as zero for want of a price). The chain the engine builds (:func:`engine.pricing.price_sources`; ``evaluate`` puts the FOCUS
sources first when it is given a cost snapshot):

1. ``FOCUS observed cost`` — the resource's own observed cost in the FOCUS snapshot, scaled by the
   size ratio within its family (:meth:`engine.sizing.catalog.Catalog.price_ratio`);
2. ``FOCUS unit prices`` — the observed on-demand cost per hour of the snapshot's resources of the
   target size in the resource's region — FOCUS has no instance-type column, so the inventory's
   size is joined by ``ResourceId``;
3. the user's price table (``--prices``, :mod:`engine.pricing.table`).

Sources 1 and 2 live in :mod:`engine.costs.prices` (their SQL with the rest of the cost engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, Sequence

HOURS_PER_MONTH = Decimal(730)
UNITS = ("hour", "gib-month")  # the price table's units; FOCUS sources also quote "month" (a monthly amount)
SIZED_CLASSES = frozenset({"compute.instance", "database.instance", "block.volume"})


@dataclass(frozen=True)
class Commitment:
    """A reservation, savings plan or committed-use discount covering a resource."""

    kind: str | None = None  # reservation, savings-plan, committed-use, ...
    id: str | None = None
    ends: str | None = None  # ISO-8601 date or date-time, as found
    source: str = "inventory"  # inventory, or the name of the price source that reported it

    def to_dict(self) -> dict:
        return {"type": self.kind, "id": self.id, "ends": self.ends, "source": self.source}


@dataclass(frozen=True)
class Quote:
    amount: Decimal  # per unit
    unit: str  # "hour" or "gib-month"
    currency: str  # ISO 4217
    source: str  # where the number comes from, for the evidence: "price table prices.csv:12"
    by: str  # the source's short name, for messages: "price table"
    commitment: Commitment | None = None
    detail: dict | None = None  # how the source got the number, added to the saving's evidence
    # ``amount`` before it was rounded to cents, when a source rounds it (the FOCUS sources' monthly amounts, as
    # findings show them): what a quantity multiplies (the cost of a change), so no rounding is multiplied
    unrounded: Decimal | None = None


class PriceSource(Protocol):
    name: str  # short name for messages: "price table", "FOCUS observed cost", ...

    def quote(self, resource: dict, key: str) -> Quote | None: ...


def price_key(resource: dict) -> str | None:
    """What a resource is priced as: its size for instances, databases and volumes (or any resource
    of no known class), else its class (``network.public-ip``, ``block.snapshot``)."""
    resource_class = resource.get("class")
    size = resource.get("size")
    if resource_class in SIZED_CLASSES or resource_class is None:
        return size if isinstance(size, str) and size else None
    return resource_class


class PriceSources:
    """Price sources asked in order (see the module docs)."""

    def __init__(self, sources: Sequence[PriceSource] = ()):
        self.sources = tuple(sources)

    @property
    def names(self) -> list[str]:
        return [source.name for source in self.sources]

    def __bool__(self) -> bool:
        return bool(self.sources)

    def quote(self, resource: dict, key: str, currency: str | None = None) -> Quote | None:
        """The first source's quote for ``key``; with ``currency``, the first one in that currency."""
        for source in self.sources:
            found = source.quote(resource, key)
            if found is not None and (currency is None or found.currency == currency):
                return found
        return None

    def billing_currency(self, resource: dict) -> str | None:
        """The currency the resource is billed in, according to the first source that knows (the FOCUS
        observations): a price in another currency cannot price that resource."""
        for source in self.sources:
            ask = getattr(source, "billing_currency", None)
            found = ask(resource) if ask is not None else None
            if found is not None:
                return found
        return None

    def in_other_currencies(self, resource: dict, keys, currency: str) -> list[Quote]:
        """The quotes for ``keys`` that are not in ``currency`` (why a resource billed in it is unpriced)."""
        found = []
        for source in self.sources:
            for key in keys:
                quote = source.quote(resource, key)
                if quote is not None and quote.currency != currency and quote not in found:
                    found.append(quote)
        return found

    def commitment(self, resource: dict) -> Commitment | None:
        """The commitment covering the resource according to the first source that knows of one."""
        for source in self.sources:
            ask = getattr(source, "commitment", None)
            found = ask(resource) if ask is not None else None
            if found is not None:
                return found
        return None

    def quote_pair(self, resource: dict, current: str, target: str, currency: str | None = None) -> tuple[Quote, Quote] | None:
        """Quotes for ``current`` and ``target`` from the first source that prices both in one currency and unit
        (with ``currency``: in that currency)."""
        for source in self.sources:
            now = source.quote(resource, current)
            if now is None or (currency is not None and now.currency != currency):
                continue
            then = source.quote(resource, target)
            if then is not None and then.currency == now.currency and then.unit == now.unit:
                return now, then
        return None
