"""``budget`` — spend per scope against a budget, on actuals and on a run-rate forecast.

What it does
    Sums the period's spend per scope value (a team through the ownership chain, a FOCUS column
    such as ``SubAccountId``, or a tag) and currency, and compares it with the amount a Budgets
    document gives that scope value. Each threshold is a percentage of the budget, on the
    ``actual`` spend so far or on the ``forecast`` for the whole period, with its own severity —
    as AWS and Azure budgets alert. One finding per scope value and period, at the severity of
    the most severe threshold crossed.

    Forecast = actual × period length ÷ elapsed time (a run-rate projection), where elapsed time
    runs from the period start to the earliest of the as-of instant, the end of the last charge
    period in the data, and the period end. With no elapsed time the forecast is the actual.

Why is this bad?
    A team that learns about an overrun from the invoice can no longer do anything about it; a
    forecast crossing the budget mid-month still can.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-team-budgets
        title: Teams stay within their monthly budget
        type: budget
        severity: medium
        spec:
          budgets: example-team-monthly
          scope: owner
          period: month
          measure: BilledCost
          thresholds:
            - {on: actual, percent: 80, severity: medium}
            - {on: forecast, percent: 100, severity: high}
        ---
        apiVersion: costwarden/v1
        kind: Budgets
        id: example-team-monthly
        period: month
        currency: USD
        default: 1000
        amounts:
          payments: 1500

Use instead
    Bring the spend down, or agree a new budget with finance and change the Budgets document.

Options
    ``budgets``: the id of a Budgets document, given with ``--budgets`` (policy tests use the
    one in their folder); a policy whose Budgets document is absent is skipped with a note.
    ``scope``: ``owner`` (default), a FOCUS column, or ``tag:KEY`` (with ``match``: ``exact``
    (default), ``case-insensitive`` or ``normalized``).
    ``period``: ``month``, ``quarter`` or ``year``; ``fiscal_year_start``: month 1–12 (default 1).
    ``measure``: ``BilledCost`` (default) or ``EffectiveCost``.
    ``charge_categories``: default all five for ``BilledCost``; ``Usage``, ``Tax``, ``Credit``,
    ``Adjustment`` for ``EffectiveCost`` (commitment purchases are amortized into usage rows).
    ``thresholds``: ``{on: actual|forecast, percent, severity}`` — crossed when the spend reaches
    that percentage of the budget — or ``{on: actual|forecast, amount, severity}`` — crossed when
    the spend minus the budget reaches ``amount``, in the budget's currency (``amount: 0``: at or
    over the budget; ``500``: over it by 500 or more; ``-500``: within 500 of it); severity
    defaults to the policy's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.amounts import arithmetic, at_least, cents, exact, percent, ratio, show
from engine.checks.base import CheckContext
from engine.budgets import unmatched_entries
from engine.costs import sql
from engine.costs.focus import CHARGE_CATEGORIES
from engine.costs.periods import SECONDS_PER_DAY
from engine.costs.scope import Scope, parse_scope
from engine.errors import CheckSetupError, CheckSkipped
from engine.findings import Money
from engine.severity import SEVERITY_RANK
from engine.violations import CostViolation

AMORTIZED_CATEGORIES = ("Usage", "Tax", "Credit", "Adjustment")
_PER = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


# -- its SQL (through the dialect and the pieces of engine.costs.sql) ------------------------------

def budget_query(table: str, d, *, scope_sql: str, measure: str, categories, period, tags: sql.TagJoin | None = None) -> str:
    """Per (scope value, currency): Σ measure over the period's rows of the charge categories."""
    return (
        f"{sql.with_clause(tags)}SELECT {scope_sql} AS scope, BillingCurrency AS currency, sum({d.identifier(measure)}) AS actual, count(*) AS rows"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, period)} AND {sql.in_list(d, 'ChargeCategory', categories)}"
        " GROUP BY ALL"
    )


@dataclass(frozen=True)
class Threshold:
    """A budget threshold (``budget`` and ``change-budget`` policies): ``on`` what value (actual,
    forecast, next-period), a ``percent`` of the budget or an ``amount`` of money above it."""

    on: str
    percent: object  # int | float from the policy; None for an amount threshold
    severity: str | None
    amount: Decimal | None = None  # money above the budget: crossed when value - budget >= amount

    def crossed(self, value: Decimal, budget: Decimal) -> bool:
        if self.amount is not None:  # money above the budget (0: at it; negative: within that much of it)
            return value - budget >= self.amount
        if budget == 0:
            return value > 0
        return at_least(value, budget, self.percent)

    def to_dict(self, policy_severity: str) -> dict:
        level = {"amount": exact(self.amount)} if self.amount is not None else {"percent": self.percent}
        return {"on": self.on, **level, "severity": self.severity or policy_severity}


def thresholds_of(spec: dict) -> tuple[Threshold, ...]:
    return tuple(Threshold(t["on"], t.get("percent"), t.get("severity"), Decimal(str(t["amount"])) if "amount" in t else None)
                 for t in spec["thresholds"])


def elapsed_seconds(as_of, data_end, period) -> int:
    """Seconds from the period start to the earliest of the as-of instant, the data's end (None: no rows) and the period end:
    the time a run-rate forecast extrapolates from."""
    point = min(as_of.replace(tzinfo=None), period.end, *(() if data_end is None else (data_end,)))
    return max(0, int((point - period.start).total_seconds()))


def run_rate(actual: Decimal, length: int, elapsed: int) -> Decimal:
    """What ``actual`` spent over ``elapsed`` seconds comes to over ``length`` seconds (the actual itself when nothing has elapsed)."""
    return ratio(actual * length, elapsed) if elapsed else actual


def check_budget_period(budgets, period: str) -> None:
    """A Budgets document of another period than the policy's cannot be compared with it."""
    if budgets.period is not None and budgets.period != period:
        raise CheckSetupError(
            f"the policy's period is {period} but Budgets '{budgets.id}' ({budgets.where(budgets.period_line)}) holds"
            f" {_PER[budgets.period]} amounts (period: {budgets.period}): give the policy period: {budgets.period},"
            f" or use a Budgets document of {_PER[period]} amounts"
        )


@dataclass(frozen=True)
class BudgetCheck:
    budgets: str
    scope: Scope
    period: str
    fiscal_year_start: int
    measure: str
    categories: tuple[str, ...]
    thresholds: tuple[Threshold, ...]

    def columns(self) -> set[str]:
        return {"ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency"} | {self.measure} | self.scope.columns()

    def run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        with arithmetic():  # sums of 38-digit amounts and their differences stay exact
            return self._run(costs, context, policy_severity)

    def _run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        budgets = context.budgets.get(self.budgets)
        if budgets is None:
            raise CheckSkipped(f"no Budgets document '{self.budgets}' (give it with --budgets)")
        check_budget_period(budgets, self.period)
        scoped = self.scope.in_period(costs, context, self.period, self.fiscal_year_start)
        d, period, tags, scope_sql = costs.dialect, scoped.period, scoped.tags, scoped.scope_sql
        data_end = costs.query(sql.data_end_query(costs.table, d, period))[0][0]
        if data_end is None:
            context.notes.append(f"no cost rows in {period.label}: nothing to compare with the budgets (is --as-of right?)")
            return []
        elapsed, total = elapsed_seconds(context.as_of, data_end, period), period.seconds
        rows = costs.query(
            budget_query(costs.table, d, scope_sql=scope_sql, measure=self.measure, categories=self.categories, period=period, tags=tags)
        )
        self._warn_unmatched(budgets, rows, context, period)
        violations = []
        unbudgeted = 0
        for value, currency, actual, count in sorted(rows, key=lambda r: (r[0] is None, str(r[0]), r[1])):
            entry = budgets.for_scope(value)
            if entry is None:
                unbudgeted += 1
                continue
            budget = entry.money.amount
            if entry.money.currency != currency:
                context.notes.append(
                    f"{self.scope.describe(value)}: {show(actual, currency)} not compared with its budget in {entry.money.currency}"
                )
                continue
            forecast = run_rate(actual, total, elapsed)
            crossed = [t for t in self.thresholds if t.crossed(actual if t.on == "actual" else forecast, budget)]
            if not crossed:
                continue
            severity = max((t.severity or policy_severity for t in crossed), key=SEVERITY_RANK.__getitem__)
            owner, source = self.scope.owner_of(value, context.ownership, entry.owner)
            overspend = max(actual, forecast) - budget
            message = (
                f"{self.scope.describe(value)}: {show(actual, currency)} spent of a {show(budget, currency)} budget "
                f"for {period.label}" + (f" ({percent(actual, budget)}%)" if budget else "")
                + f"; forecast {show(forecast, currency)}" + (f" ({percent(forecast, budget)}%)" if budget else "")
            )
            evidence = {
                "budget": exact(budget),
                "currency": currency,
                "actual": exact(actual),
                "forecast": exact(cents(forecast)),
                "actual_percent": exact(percent(actual, budget)) if budget else None,
                "forecast_percent": exact(percent(forecast, budget)) if budget else None,
                "elapsed_days": exact(ratio(elapsed, SECONDS_PER_DAY).quantize(Decimal("0.0001"))),
                "total_days": exact(ratio(total, SECONDS_PER_DAY)),
                "data_end": data_end.replace(microsecond=0).isoformat() + "Z",
                "measure": self.measure,
                "charge_categories": list(self.categories),
                "rows": count,
                "thresholds_crossed": [t.to_dict(policy_severity) for t in crossed],
            }
            money = {"overspend": Money(cents(overspend), currency)} if overspend > 0 else {}
            scope = {"dimension": self.scope.dimension, "value": value, "currency": currency, "period": period.to_dict()}
            violations.append(CostViolation(scope, owner, source, message, evidence, severity, money))
        if unbudgeted:
            context.notes.append(f"{unbudgeted} {self.scope.dimension} value(s) have spend but no budget in '{budgets.id}' and no default")
        return violations

    def _warn_unmatched(self, budgets, rows, context: CheckContext, period) -> None:
        """A note for each Budgets entry that names no scope value with spend in the period (a typo, an alias)."""
        ownership = context.ownership
        aliases = None
        if self.scope.dimension == "all":
            return
        if self.scope.dimension == "owner":
            describe, known = "team", set(ownership.teams)
            aliases = {name: team for name in budgets.entries if (team := ownership.team_for_value(name))}
        elif self.scope.tag is not None:
            describe, known = f"tag {self.scope.tag} value", ()
        else:
            describe, known = self.scope.column, ()
        context.notes.extend(unmatched_entries(budgets, [row[0] for row in rows], describe, period.label, known, aliases))


def compile_spec(spec: dict, report) -> BudgetCheck | None:
    ok = True
    match = spec.get("match", "exact")
    scope = parse_scope(spec.get("scope", "owner"), match, "/scope", report)
    if scope is None:
        ok = False
    measure = spec.get("measure", "BilledCost")
    default = CHARGE_CATEGORIES if measure == "BilledCost" else AMORTIZED_CATEGORIES
    categories = tuple(spec.get("charge_categories", default))
    thresholds = thresholds_of(spec)
    if not ok:
        return None
    return BudgetCheck(
        budgets=spec["budgets"],
        scope=scope,
        period=spec.get("period", "month"),
        fiscal_year_start=spec.get("fiscal_year_start", 1),
        measure=measure,
        categories=categories,
        thresholds=thresholds,
    )
