"""``cost-delta`` — a planned change that raises an owner's monthly cost by too much.

What it does
    Prices the Terraform plan (``--plan``) as :mod:`engine.change_cost` does: each created,
    replaced, resized or deleted resource, through the FOCUS price sources (``--costs``) and the
    price table (``--prices``). Per owner (``scope: owner``, the ownership chain on the planned
    resources) or for the whole change (``scope: all``), and per currency, the **net monthly
    increase** (what the change adds minus what it removes) is compared with each threshold:

    * ``{amount: 500, currency: USD}`` — crossed when the increase reaches 500 USD a month;
    * ``{percent: 10}`` — crossed when the increase reaches 10 % of the **base**: the owner's
      current monthly run rate from the cost snapshot (Σ ``EffectiveCost`` of the owner's rows in
      the 30 days of data ending at the earlier of the as-of instant and the data's end, × 730 h ÷
      720 h), or, without cost data for the owner, what the objects the plan finds in place cost per
      month, priced as the change is (:meth:`engine.change_cost.ChangeCost.before_state`). With no
      base (nothing observed, nothing priced), percent thresholds are not judged and the evidence
      says so.

    One finding per owner (or for the change) and currency, at the severity of the most severe
    threshold crossed; below every threshold, nothing. A change that removes cost never crosses.
    Unpriced resources are listed in the evidence and the message, never guessed.

Why is this bad?
    A pull request that adds a fleet of large instances is cheap to change before it is merged
    and expensive after: the cost shows up a month later on the bill, with nobody deciding on it.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-change-increase
        title: A change adds at most 1,000 USD a month per team
        type: cost-delta
        severity: high
        spec:
          scope: owner
          thresholds:
            - {amount: 1000, currency: USD, severity: high}
            - {amount: 200, currency: USD, severity: low}
            - {percent: 20, severity: medium}

Use instead
    Size the new resources to the load, reuse capacity, or get the increase approved (an
    exemption with a reason and an expiry).

Options
    ``scope``: ``owner`` (default) or ``all`` (the whole change).
    ``thresholds``: ``{amount, currency, severity}`` or ``{percent, severity}``; severity defaults
    to the policy's.
    ``base``: ``auto`` (default: the run rate from ``--costs``, else the priced state before the
    change), ``run-rate`` or ``before-state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from engine.amounts import arithmetic, at_least, cents, currency_problem, exact, percent, ratio, show
from engine.change_cost import COLUMNS as CHANGE_COLUMNS
from engine.checks.base import CheckContext
from engine.costs import sql
from engine.costs.periods import Period
from engine.costs.resource_costs import HOURS_PER_MONTH, WINDOW, usage_window
from engine.errors import CheckSkipped
from engine.findings import UNASSIGNED, Money
from engine.severity import SEVERITY_RANK
from engine.violations import CostViolation

RUN_RATE_CATEGORIES = ("Usage", "Tax", "Credit", "Adjustment")  # amortized: commitment purchases are in the usage rows
WINDOW_HOURS = Decimal(int(WINDOW / timedelta(hours=1)))


@dataclass(frozen=True)
class Threshold:
    amount: Decimal | None
    currency: str | None
    percent: object  # int | float | None
    severity: str | None

    def crossed(self, increase: Decimal, currency: str, base: Decimal | None) -> bool:
        if increase <= 0:
            return False
        if self.amount is not None:
            return currency == self.currency and increase >= self.amount
        if base is None or base <= 0:
            return False
        return at_least(increase, base, self.percent)

    def to_dict(self, policy_severity: str) -> dict:
        out = {"amount": exact(self.amount), "currency": self.currency} if self.amount is not None else {"percent": self.percent}
        return {**out, "severity": self.severity or policy_severity}


def run_rates(costs, ownership, as_of, by_owner: bool) -> dict[tuple, Decimal]:
    """``{(owner or None, currency): monthly run rate}`` from the cost snapshot: Σ EffectiveCost of the amortized
    categories over the 30-day window ending at the earlier of ``as_of`` and the data's end, × 730 ÷ 720."""
    window = usage_window(costs, as_of)
    if window is None:
        return {}
    d = costs.dialect
    period = Period("window", window[0], window[1])
    tags = sql.TagJoin(costs.table, sql.period_filter(d, period)) if by_owner else None
    owner = ownership.sql(d, tags) if by_owner else "CAST(NULL AS VARCHAR)"
    rows = costs.query(
        f"{sql.with_clause(tags)}SELECT {owner} AS owner, BillingCurrency AS currency, sum(EffectiveCost)"
        f" FROM {sql.from_rows(costs.table, tags)} WHERE {sql.period_filter(d, period)}"
        f" AND {sql.in_list(d, 'ChargeCategory', RUN_RATE_CATEGORIES)} GROUP BY ALL"
    )
    return {(o, c): ratio(Decimal(total) * HOURS_PER_MONTH, WINDOW_HOURS) for o, c, total in rows if total is not None}


@dataclass(frozen=True)
class CostDeltaCheck:
    scope: str  # owner | all
    thresholds: tuple[Threshold, ...]
    base: str  # auto | run-rate | before-state

    def columns(self) -> set[str]:
        return set(CHANGE_COLUMNS) | {"Tags", "SubAccountId", "BillingAccountId", "ResourceId"}

    def run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        with arithmetic():  # sums of 38-digit amounts and their differences stay exact
            return self._run(costs, context, policy_severity)

    def _run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        change = context.change
        if change is None:
            raise CheckSkipped("needs a plan (--plan)")
        if not change.sources:
            raise CheckSkipped("needs prices: a cost snapshot (--costs) and/or a price table (--prices)")
        by_owner = self.scope == "owner"
        rates = {}
        if costs is not None and self.base in ("auto", "run-rate"):
            rates = run_rates(costs, context.ownership, context.as_of, by_owner)
        violations = []
        for owner in (change.owners if by_owner else [None]):
            totals = change.totals(owner)
            unpriced = change.unpriced(owner)
            for currency, total in totals.items():
                increase = total.net
                base, basis = self._base(change, rates, owner, currency)
                crossed = [t for t in self.thresholds if t.crossed(increase, currency, base)]
                if not crossed:
                    continue
                severity = max((t.severity or policy_severity for t in crossed), key=SEVERITY_RANK.__getitem__)
                who = f"team {owner}" if by_owner else "the change"
                share = f" ({percent(increase, base)}% of its {show(base, currency)} monthly {basis})" if base else ""
                message = (f"{who}: this change adds {show(increase, currency)}/month{share} "
                           f"({change.describe(owner, currency)})")
                evidence = {
                    "currency": currency,
                    "added": exact(total.added),
                    "removed": exact(total.removed),
                    "net": exact(increase),
                    "base": exact(cents(base)) if base is not None else None,
                    "base_kind": basis if base is not None else None,
                    "increase_percent": exact(percent(increase, base)) if base else None,
                    "hours_per_month": int(HOURS_PER_MONTH),
                    "priced": [r.address for r in change.of(owner) if r.status == "priced" and r.currency == currency],
                    "unpriced": [{"address": r.address, "reason": r.reason} for r in unpriced],
                    "thresholds_crossed": [t.to_dict(policy_severity) for t in crossed],
                }
                if by_owner:
                    owned, source = (owner, "scope") if owner != UNASSIGNED else (UNASSIGNED, "none")
                    scope = {"dimension": "owner", "value": owner, "currency": currency}
                else:
                    owned, source = context.ownership.default_team or UNASSIGNED, "default" if context.ownership.default_team else "none"
                    scope = {"dimension": "all", "value": None, "currency": currency}
                money = {"cost_change": Money(cents(increase), currency)}
                violations.append(CostViolation(scope, owned, source, message, evidence, severity, money))
        return violations

    def _base(self, change, rates: dict, owner, currency: str) -> tuple[Decimal | None, str]:
        rate = rates.get((owner, currency))
        if rate is not None and rate > 0 and self.base in ("auto", "run-rate"):
            return rate, "run rate"
        if self.base in ("auto", "before-state"):
            state, _ = change.before_state(owner)
            if state.get(currency):
                return state[currency], "cost before the change"
        return None, ""


def compile_spec(spec: dict, report) -> CostDeltaCheck | None:
    thresholds, ok = [], True
    for index, item in enumerate(spec["thresholds"]):
        amount = Decimal(str(item["amount"])) if "amount" in item else None
        wrong = currency_problem(item["currency"]) if "currency" in item else None
        if wrong is not None:  # the one currency rule of Budgets documents, cost files and price tables
            report("E323", wrong, f"/thresholds/{index}/currency", None)
            ok = False
        thresholds.append(Threshold(amount, item.get("currency"), item.get("percent"), item.get("severity")))
    if not ok:
        return None
    return CostDeltaCheck(scope=spec.get("scope", "owner"), thresholds=tuple(thresholds), base=spec.get("base", "auto"))
