"""The FOCUS price sources of savings: a resource's own observed cost, and observed unit prices.

With a cost snapshot, ``evaluate`` asks these two sources before the price table
(:mod:`engine.pricing.sources` has the interface and the order). Both read the rows the monthly
cost of inventory findings reads (:mod:`engine.costs.resource_costs`): usage rows
(``ChargeCategory = Usage``) starting in the 30 days of data that end at the earlier of the as-of
instant and the end of the snapshot. A resource's observed hourly cost is Σ ``EffectiveCost`` ÷ the
hours from its first ``ChargePeriodStart`` to its last ``ChargePeriodEnd`` in that window; a
monthly amount is 730 × an hourly cost, rounded half-even to cents — so a resource priced from its
own cost shows the same monthly cost as every other finding on it. The quote also carries it
unrounded (to 12 decimal places, ``Quote.unrounded``): the cost of a change multiplies that one.

FOCUS has no instance-type column: the **sizes come from the inventory**, joined to the cost rows
by ``ResourceId`` exactly as the monthly cost is (:func:`engine.costs.resource_costs.candidate_keys`:
lower-cased, the GCP ``//SERVICE.googleapis.com/`` prefix removed, an AWS ARN also by the part after
its last ``/``, an S3 bucket by its name). A resource billed in two currencies in the window is not
observed (amounts in two currencies are never added).

``FOCUS observed cost``
    The resource's own observed monthly cost, for its own size (or class, for resources priced by
    class: public IPs, snapshots); for another size of its family, that cost × the size ratio of the
    size catalog (:meth:`engine.sizing.catalog.Catalog.price_ratio`: the ladder's
    ``relative_price`` when both sizes have one, else the vCPU ratio when both sizes have the same
    memory per vCPU; otherwise — and across families — it does not answer).

``FOCUS unit prices``
    For instances and databases: the observed on-demand cost of the snapshot's resources of the
    asked size in the resource's region — Σ ``EffectiveCost`` ÷ Σ hours over the inventory resources
    of that size whose usage rows in the window are all ``PricingCategory = Standard`` (committed and
    spot usage would understate the price), × 730. The region is the rows' ``RegionId`` (the
    inventory's region when the rows name none or several). The currency is the priced resource's own
    billing currency when it is observed, else the only currency that size is billed in there.

**Commitments.** A resource whose usage rows of its latest charge period in the window include
``PricingCategory = Committed`` is covered by a commitment (``CommitmentDiscountId`` /
``CommitmentDiscountType`` of those rows); its saving is 0 until the commitment ends, whichever
source priced it. FOCUS carries no end date for a commitment, so the finding says the end is not
known.

All the SQL of both sources is one query per run, made on the first price asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.amounts import MONEY_SCALE, arithmetic, cents, exact, ratio
from engine.costs import sql
from engine.costs.resource_costs import COLUMNS as RESOURCE_COST_COLUMNS
from engine.costs.resource_costs import HOURS_PER_MONTH, candidate_keys, usage_window
from engine.pricing.sources import Commitment, Quote, price_key

# The FOCUS columns the price sources read (PolicyLibrary.cost_columns loads them for priced policies).
COLUMNS = frozenset(RESOURCE_COST_COLUMNS | {"RegionId", "PricingCategory", "CommitmentDiscountId", "CommitmentDiscountType"})
UNIT_PRICED_CLASSES = frozenset({"compute.instance", "database.instance"})
OBSERVED = "FOCUS observed cost"
UNIT_PRICES = "FOCUS unit prices"
_KEYS = "cw_price_keys"


@dataclass(frozen=True)
class Observation:
    """One inventory resource's usage in the window."""

    currency: str
    cost: Decimal  # Σ EffectiveCost
    seconds: int  # from its first ChargePeriodStart to its last ChargePeriodEnd (clipped to the window)
    region: str | None  # its rows' RegionId (lower-case) when they name exactly one
    on_demand: bool  # every usage row at PricingCategory Standard (or null)
    commitment: Commitment | None  # covering its latest charge period

    def monthly(self, numerator: Decimal = Decimal(1), denominator: Decimal = Decimal(1)) -> Decimal:
        """730 h × the observed hourly cost × ``numerator / denominator``, to the cent."""
        with arithmetic():
            return cents(ratio(self.cost * HOURS_PER_MONTH * 3600 * numerator, Decimal(self.seconds) * denominator))

    def unrounded(self, numerator: Decimal = Decimal(1), denominator: Decimal = Decimal(1)) -> Decimal:
        """The same to :data:`engine.amounts.MONEY_SCALE` decimal places (what a quantity multiplies)."""
        with arithmetic():
            return _to_scale(ratio(self.cost * HOURS_PER_MONTH * 3600 * numerator, Decimal(self.seconds) * denominator))


def _to_scale(amount: Decimal) -> Decimal:
    """``amount`` rounded half-even to :data:`engine.amounts.MONEY_SCALE` decimal places."""
    with arithmetic():
        return amount.quantize(Decimal(1).scaleb(-MONEY_SCALE))


def _hours(seconds) -> str:
    return exact(cents(ratio(Decimal(seconds), Decimal(3600))))


class FocusObservations:
    """What the cost snapshot says about the inventory's resources; read once, on the first question."""

    def __init__(self, costs, resources, as_of):
        self.costs = costs
        self.resources = resources
        self.as_of = as_of
        self._observed: dict[str, Observation] | None = None
        self._units: dict[tuple, list] | None = None

    def of(self, resource: dict) -> Observation | None:
        if self._observed is None:
            self._observed = self._observe()
        rid = resource.get("id")
        return self._observed.get(rid) if isinstance(rid, str) else None

    def region_of(self, resource: dict) -> str | None:
        found = self.of(resource)
        if found is not None and found.region:
            return found.region
        region = resource.get("region")
        return region.lower() if isinstance(region, str) and region else None

    def unit_prices(self, provider, region: str | None, size: str) -> dict[str, tuple[Decimal, int, int]]:
        """``{currency: (Σ cost, Σ seconds, resources)}`` of the on-demand resources of ``size`` in ``region``."""
        if self._units is None:
            self._units = self._unit_table()
        return self._units.get((provider, region, size.lower()), {})

    def _unit_table(self) -> dict:
        units: dict[tuple, dict[str, list]] = {}
        for resource in self.resources:
            size = resource.get("size")
            if resource.get("class") not in UNIT_PRICED_CLASSES or not isinstance(size, str) or not size:
                continue
            found = self.of(resource)
            if found is None or not found.on_demand:
                continue
            group = units.setdefault((resource.get("provider"), self.region_of(resource), size.lower()), {})
            entry = group.setdefault(found.currency, [Decimal(0), 0, 0])
            with arithmetic():
                entry[0] += found.cost
            entry[1] += found.seconds
            entry[2] += 1
        return {key: {currency: tuple(entry) for currency, entry in group.items()} for key, group in units.items()}

    def _observe(self) -> dict[str, Observation]:
        costs = self.costs
        window = usage_window(costs, self.as_of)
        if window is None:
            return {}
        start, end = window
        wanted = {r["id"]: candidate_keys(r["id"]) for r in self.resources if isinstance(r.get("id"), str) and r["id"]}
        if not wanted:
            return {}
        d = costs.dialect
        d.create_key_table(costs.connection, _KEYS, sorted({key for keys in wanted.values() for key in keys}))
        try:
            rows = costs.query(sql.resource_observations_query(costs.table, d, keys_table=_KEYS, start=start, end=end))
        finally:
            d.drop_table(costs.connection, _KEYS)
        by_key: dict[str, list] = {}
        for row in rows:
            by_key.setdefault(row[0], []).append(row[1:])
        out: dict[str, Observation] = {}
        for rid, keys in wanted.items():
            for key in keys:  # the full id first, then the short one
                found = by_key.get(key)
                if not found:
                    continue
                if len(found) == 1:
                    currency, cost, first, last, not_standard, committed, commitment_id, commitment_type, region, regions = found[0]
                    seconds = int((min(last, end) - first).total_seconds())
                    if seconds > 0:
                        commitment = Commitment(commitment_type, commitment_id, None, OBSERVED) if committed else None
                        out[rid] = Observation(currency, Decimal(cost), seconds, region if regions == 1 else None,
                                               not_standard == 0, commitment)
                break
        return out


class FocusObservedCost:
    """The resource's own observed cost, scaled by the size ratio within its family (see the module doc)."""

    name = OBSERVED

    def __init__(self, observations: FocusObservations, catalog=None):
        self.observations = observations
        self.catalog = catalog

    def quote(self, resource: dict, key: str) -> Quote | None:
        found = self.observations.of(resource)
        own = price_key(resource)
        if found is None or own is None:
            return None
        detail = {"observed_cost": exact(found.cost), "observed_hours": _hours(found.seconds)}
        if key.lower() == own.lower():
            return Quote(found.monthly(), "month", found.currency, OBSERVED, OBSERVED, found.commitment, detail,
                         found.unrounded())
        size_ratio = self.catalog.price_ratio(resource.get("provider"), own, key) if self.catalog is not None else None
        if size_ratio is None:
            return None
        detail = {"size_ratio": str(size_ratio), "ratio_basis": size_ratio.basis}
        amount = found.monthly(size_ratio.numerator, size_ratio.denominator)
        return Quote(amount, "month", found.currency, OBSERVED, OBSERVED, found.commitment, detail,
                     found.unrounded(size_ratio.numerator, size_ratio.denominator))

    def commitment(self, resource: dict) -> Commitment | None:
        found = self.observations.of(resource)
        return found.commitment if found is not None else None

    def billing_currency(self, resource: dict) -> str | None:
        """The currency the resource's usage is billed in, when observed."""
        found = self.observations.of(resource)
        return found.currency if found is not None else None


class FocusUnitPrices:
    """Observed on-demand prices of a size in a region, from the snapshot's resources of that size."""

    name = UNIT_PRICES

    def __init__(self, observations: FocusObservations):
        self.observations = observations

    def quote(self, resource: dict, key: str) -> Quote | None:
        if resource.get("class") not in UNIT_PRICED_CLASSES:
            return None
        region = self.observations.region_of(resource)
        prices = self.observations.unit_prices(resource.get("provider"), region, key)
        own = self.observations.of(resource)
        if own is not None:
            currency = own.currency
        elif len(prices) == 1:
            (currency,) = prices
        else:
            return None
        if currency not in prices:
            return None
        cost, seconds, count = prices[currency]
        if seconds <= 0:
            return None
        with arithmetic():
            monthly = ratio(cost * HOURS_PER_MONTH * 3600, Decimal(seconds))
        detail = {"region": region, "observed_resources": count, "observed_cost": exact(cost), "observed_hours": _hours(seconds)}
        return Quote(cents(monthly), "month", currency, f"{UNIT_PRICES} ({region or 'no region'})", UNIT_PRICES,
                     own.commitment if own is not None else None, detail, _to_scale(monthly))


def focus_price_sources(costs, resources, as_of, catalog=None) -> list:
    """The FOCUS price sources, in their order, over one cost snapshot and the inventory."""
    observations = FocusObservations(costs, resources, as_of)
    return [FocusObservedCost(observations, catalog), FocusUnitPrices(observations)]
