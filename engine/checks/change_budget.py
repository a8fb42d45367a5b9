"""``change-budget`` — a planned change that would take an owner over its budget.

What it does
    Prices the Terraform plan (``--plan``) as :mod:`engine.change_cost` does and, for each owner
    whose resources it changes, takes the owner's budget for the period (a Budgets document,
    ``--budgets``, by team id) and the owner's spend so far from the cost snapshot (``--costs``,
    teams assigned by the ownership chain, as the ``budget`` type does). Then, in the budget's
    currency:

    * **forecast** — the run-rate forecast for the period (actual × period length ÷ elapsed time,
      elapsed up to the earliest of the as-of instant, the end of the data and the period end),
      plus the change's net monthly cost for the time left in the period from the as-of instant
      (when the change would start): ``net × hours left ÷ 730``;
    * **next-period** — the run rate of the next whole period: actual ÷ elapsed time × its
      length, plus ``net × its hours ÷ 730``.

    Each threshold is a percentage of the budget (``percent``: crossed when the value reaches it)
    or an amount of money above the budget (``amount``: crossed when the value minus the budget
    reaches it; 0 is "at the budget", a negative amount "within that much of it"). One finding per
    owner whose change adds cost and crosses a threshold with the change, at the severity of the
    most severe threshold crossed; the evidence holds both values without and with the change.
    Every owner's view (budget, before → after) is also shown in the change's cost table of the
    outputs, crossed or not.

Why is this bad?
    A budget alert a week after the merge tells the team what they can no longer undo; the pull
    request that would take them over is the moment to decide.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-change-within-budget
        title: A change keeps its team within the monthly budget
        type: change-budget
        severity: high
        spec:
          budgets: example-team-monthly
          period: month
          thresholds:
            - {on: forecast, percent: 100, severity: high}
            - {on: next-period, percent: 100, severity: medium}
            - {on: forecast, amount: -500, severity: low}
        ---
        apiVersion: costwarden/v1
        kind: Budgets
        id: example-team-monthly
        period: month
        currency: USD
        default: 1000

Use instead
    Make room in the budget first (what else can go?), phase the change in, or agree a new
    amount with finance and change the Budgets document.

Options
    ``budgets``: the id of a Budgets document (``--budgets``); absent: the policy is skipped.
    ``period``: ``month`` (default), ``quarter`` or ``year``; ``fiscal_year_start``.
    ``measure``: ``BilledCost`` (default) or ``EffectiveCost``; ``charge_categories`` as for ``budget``.
    ``thresholds``: ``{on: forecast|next-period, percent | amount, severity}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.amounts import arithmetic, cents, exact, percent, ratio, show
from engine.change_cost import COLUMNS as CHANGE_COLUMNS
from engine.checks.base import CheckContext
from engine.checks.budget import AMORTIZED_CATEGORIES, budget_query, check_budget_period, elapsed_seconds, run_rate, thresholds_of
from engine.costs import sql
from engine.costs.focus import CHARGE_CATEGORIES
from engine.costs.periods import SECONDS_PER_DAY, period_containing, policy_period
from engine.errors import CheckSkipped
from engine.findings import UNASSIGNED, Money
from engine.pricing.sources import HOURS_PER_MONTH
from engine.severity import SEVERITY_RANK
from engine.violations import CostViolation

SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class Spend:
    """One owner's spend in the period so far, and what it says about the rest."""

    actual: Decimal
    elapsed: int  # seconds from the period start to the point the forecast extrapolates from
    total: int  # seconds in the period
    left: int  # seconds from the as-of instant (the change's start) to the period end
    next_total: int  # seconds in the next period

    @property
    def forecast(self) -> Decimal:
        return run_rate(self.actual, self.total, self.elapsed)

    @property
    def next_run_rate(self) -> Decimal | None:
        return run_rate(self.actual, self.next_total, self.elapsed) if self.elapsed else None


def _hours(seconds: int) -> Decimal:
    return ratio(Decimal(seconds), Decimal(SECONDS_PER_HOUR))


@dataclass(frozen=True)
class ChangeBudgetCheck:
    budgets: str
    period: str
    fiscal_year_start: int
    measure: str
    categories: tuple[str, ...]
    thresholds: tuple[Threshold, ...]

    def columns(self) -> set[str]:
        return (set(CHANGE_COLUMNS) | {"ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency", self.measure}
                | {"Tags", "SubAccountId", "BillingAccountId", "ResourceId"})

    def spend(self, costs, context: CheckContext):
        """``(period, next period, {(owner, currency): Spend}, data end)`` from the cost snapshot."""
        period = policy_period(self.period, self.fiscal_year_start, context.as_of, context.period)
        following = period_containing(period.end, self.period, self.fiscal_year_start)
        d = costs.dialect
        data_end = costs.query(sql.data_end_query(costs.table, d, period))[0][0]
        elapsed = elapsed_seconds(context.as_of, data_end, period)
        as_of = context.as_of.replace(tzinfo=None)
        left = max(0, int((period.end - max(as_of, period.start)).total_seconds()))  # the change runs from the as-of instant
        tags = sql.TagJoin(costs.table, sql.period_filter(d, period))
        rows = costs.query(budget_query(costs.table, d, scope_sql=context.ownership.sql(d, tags), measure=self.measure,
                                        categories=self.categories, period=period, tags=tags)) if data_end is not None else []
        spends = {(owner, currency): Spend(Decimal(actual), elapsed, period.seconds, left, following.seconds)
                  for owner, currency, actual, _ in rows}
        return period, following, spends, data_end, Spend(Decimal(0), elapsed, period.seconds, left, following.seconds)

    def run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        with arithmetic():  # sums of 38-digit amounts and their differences stay exact
            return self._run(costs, context, policy_severity)

    def _run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        change = context.change
        if change is None:
            raise CheckSkipped("needs a plan (--plan)")
        if costs is None:
            raise CheckSkipped("needs a cost snapshot (--costs) for the forecast")
        budgets = context.budgets.get(self.budgets)
        if budgets is None:
            raise CheckSkipped(f"no Budgets document '{self.budgets}' (give it with --budgets)")
        check_budget_period(budgets, self.period)
        period, following, spends, data_end, nothing = self.spend(costs, context)
        violations = []
        for owner in change.owners:
            entry = budgets.for_scope(owner)
            totals = change.totals(owner)
            if entry is None:
                if totals:
                    context.notes.append(f"team {owner}: the change is not compared with a budget: none in '{budgets.id}' and no default")
                continue
            budget, currency = entry.money.amount, entry.money.currency
            others = [c for c in totals if c != currency]
            if others:
                context.notes.append(f"team {owner}: what the change costs in {', '.join(others)} is not compared with its budget in {currency}")
            net = totals[currency].net if currency in totals else Decimal(0)
            spend = spends.get((owner, currency), nothing)
            before = spend.forecast
            after = before + ratio(net * _hours(spend.left), HOURS_PER_MONTH)
            next_before = spend.next_run_rate
            next_after = next_before + ratio(net * _hours(spend.next_total), HOURS_PER_MONTH) if next_before is not None else None
            view = {
                "policy": None,  # set by the evaluator's caller below
                "owner": owner,
                "budget": exact(budget),
                "currency": currency,
                "period": period.label,
                "next_period": following.label,
                "actual": exact(cents(spend.actual)),
                "forecast_before": exact(cents(before)),
                "forecast_after": exact(cents(after)),
                "forecast_percent_before": exact(percent(before, budget)) if budget else None,
                "forecast_percent_after": exact(percent(after, budget)) if budget else None,
                "next_period_before": exact(cents(next_before)) if next_before is not None else None,
                "next_period_after": exact(cents(next_after)) if next_after is not None else None,
                "next_period_percent_before": exact(percent(next_before, budget)) if budget and next_before is not None else None,
                "next_period_percent_after": exact(percent(next_after, budget)) if budget and next_after is not None else None,
                "net_monthly_change": exact(net),
                "days_left": exact(ratio(Decimal(spend.left), Decimal(SECONDS_PER_DAY)).quantize(Decimal("0.0001"))),
                "elapsed_days": exact(ratio(Decimal(spend.elapsed), Decimal(SECONDS_PER_DAY)).quantize(Decimal("0.0001"))),
                "data_end": data_end.strftime("%Y-%m-%dT%H:%M:%SZ") if data_end is not None else None,
                "crossed": [],
            }
            values = {"forecast": after, "next-period": next_after}
            crossed = [t for t in self.thresholds if net > 0 and values[t.on] is not None and t.crossed(values[t.on], budget)]
            view["crossed"] = [t.to_dict(policy_severity) for t in crossed]
            change.add_budget(view)
            if not crossed:
                continue
            without = [t for t in crossed if t.crossed(before if t.on == "forecast" else next_before, budget)]
            severity = max((t.severity or policy_severity for t in crossed), key=SEVERITY_RANK.__getitem__)
            pct = lambda value: f" ({percent(value, budget)}%)" if budget else ""  # noqa: E731
            message = (
                f"team {owner}: this change adds {show(net, currency)}/month ({change.describe(owner, currency)}); with it, "
                f"the {period.label} forecast goes from {show(before, currency)}{pct(before)} to {show(after, currency)}{pct(after)} "
                f"of a {show(budget, currency)} budget"
                + (f" and the {following.label} run rate to {show(next_after, currency)}{pct(next_after)}" if next_after is not None else "")
                + ("" if len(without) < len(crossed) else "; already over the threshold without it")
            )
            evidence = {**{k: v for k, v in view.items() if k not in ("policy", "crossed")},
                        "thresholds_crossed": view["crossed"],
                        "crossed_without_change": [t.to_dict(policy_severity) for t in without],
                        "unpriced": [{"address": r.address, "reason": r.reason} for r in change.unpriced(owner)],
                        "measure": self.measure}
            money = {"cost_change": Money(cents(net), currency)}
            if after > budget:
                money["overspend"] = Money(cents(after - budget), currency)
            owned = (owner, "scope") if owner != UNASSIGNED else (UNASSIGNED, "none")
            scope = {"dimension": "owner", "value": owner, "currency": currency, "period": period.to_dict()}
            violations.append(CostViolation(scope, owned[0], owned[1], message, evidence, severity, money))
        return violations


def compile_spec(spec: dict, report) -> ChangeBudgetCheck | None:
    measure = spec.get("measure", "BilledCost")
    default = CHARGE_CATEGORIES if measure == "BilledCost" else AMORTIZED_CATEGORIES
    thresholds = thresholds_of(spec)
    return ChangeBudgetCheck(
        budgets=spec["budgets"],
        period=spec.get("period", "month"),
        fiscal_year_start=spec.get("fiscal_year_start", 1),
        measure=measure,
        categories=tuple(spec.get("charge_categories", default)),
        thresholds=thresholds,
    )
