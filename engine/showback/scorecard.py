"""The per-owner scorecard: FinOps KPIs with crawl/walk/run levels (the FinOps Foundation's maturity model).

Owners are every team of the directory, every owner of spend in the window (the showback's,
:mod:`engine.showback.owners`, with its unassigned row) and every owner of a finding. Each KPI is
computed per owner and currency with the engine's own definitions, and rated by the thresholds of
the Scorecard document (:mod:`engine.showback.settings`; a KPI's level over several currencies
is its lowest):

``tag_coverage``
    the tag-coverage policy type's formula (:mod:`engine.checks.tag_coverage`, its very
    queries): ``Σ EffectiveCost`` of the window's rows with ``EffectiveCost > 0`` whose tags carry
    every key ÷ ``Σ EffectiveCost`` of those rows, in percent.
``forecast_variance``
    the budget policy type's actual and run-rate forecast (:mod:`engine.checks.budget`: its query,
    forecast = actual × period length ÷ elapsed time) over the budget period holding the window's
    last day (the Budgets document's period: month, quarter or year), with the showback's measure
    and charge categories; the value is ``|forecast − budget| ÷ budget`` in percent, the FinOps
    Foundation's "forecast to actual variance" applied to the budget. The budget is the amount
    the Budgets document gives the team (its entry, or its default), compared only in its own
    currency.
``commitment_coverage``
    the commitment policy type's coverage (:mod:`engine.checks.commitment`, its query): covered
    ÷ eligible usage at the pre-commitment price (``ContractedCost`` by default), unused
    commitment and spot usage left out, eligibility from the Scorecard document (default: the
    Compute service category).
``savings_share``
    the estimated monthly savings (``monthly_saving``) of the run's *open* findings, as a
    percentage of the owner's monthly spend: the window's spend (the showback's measure) × 730
    hours ÷ the hours the window's data covers (from its start to the as-of instant or the end of
    the data, whichever is first) — the 730-hour month of the findings' monthly amounts.
``open_findings``
    the run's open findings at the severities counted (default critical and high) per finding
    owner; every severity is in the detail. Findings always have an accountable owner, so the
    unassigned row has none.

A KPI that cannot be computed is *not available*, with the reason (no cost data, no spend, no
budget, no eligible usage, no waste or rightsizing policy evaluated, no findings given) — never
a 0. The unassigned row has no budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from engine.amounts import cents, exact, percent, ratio
from engine.checks import CHECKS
from engine.checks.budget import budget_query
from engine.checks.commitment import ELIGIBLE_COLUMNS, coverage_of_commitments_query
from engine.checks.tag_coverage import allocation_flags, coverage_query
from engine.costs import sql
from engine.costs.focus import CHARGE_CATEGORIES
from engine.costs.periods import SECONDS_PER_DAY, Period, period_containing
from engine.ownership import NO_OWNERSHIP
from engine.severity import SEVERITIES, SEVERITY_RANK
from engine.showback.owners import UNASSIGNED_SPEND, default_owns_spend, finding_owner, owner_name, owner_sql
from engine.showback.settings import DEFAULT_SCORECARD, KPIS, LEVELS, ScorecardSettings

HOURS_PER_MONTH = 730  # as the findings' monthly amounts (engine.findings.MONEY monthly_cost)
_ZERO = Decimal(0)


@dataclass(frozen=True)
class KpiValue:
    currency: str | None  # None for a KPI without money (open findings)
    value: Decimal  # exact (percent or count)
    level: str
    detail: dict

    def to_dict(self) -> dict:
        shown = exact(self.value.quantize(Decimal("0.01"))) if self.value != self.value.to_integral_value() else exact(self.value)
        return {"currency": self.currency, "value": shown, "exact": exact(self.value), "level": self.level, "detail": self.detail}


@dataclass(frozen=True)
class KpiResult:
    kpi: str
    available: bool
    reason: str | None = None  # why it is not available
    values: tuple[KpiValue, ...] = ()

    @property
    def level(self) -> str | None:
        """The lowest level of its values (None when not available)."""
        if not self.values:
            return None
        return min((v.level for v in self.values), key=LEVELS.index)

    def to_dict(self) -> dict:
        return {"kpi": self.kpi, "title": KPIS[self.kpi].title, "unit": KPIS[self.kpi].unit, "available": self.available,
                "reason": self.reason, "level": self.level, "values": [v.to_dict() for v in self.values]}


@dataclass(frozen=True)
class OwnerScorecard:
    owner: str
    name: str
    kpis: dict  # kpi -> KpiResult, in the order of KPIS

    def to_dict(self) -> dict:
        return {"owner": self.owner, "name": self.name, "unassigned": self.owner == UNASSIGNED_SPEND,
                "kpis": [result.to_dict() for result in self.kpis.values()]}


@dataclass(frozen=True)
class Scorecard:
    window: object
    settings: ScorecardSettings
    owners: tuple[OwnerScorecard, ...]

    def for_owner(self, owner: str) -> OwnerScorecard | None:
        return next((o for o in self.owners if o.owner == owner), None)

    def to_dict(self) -> dict:
        return {"period": self.window.label, "settings": self.settings.to_dict(), "owners": [o.to_dict() for o in self.owners]}


def columns(settings: ScorecardSettings = DEFAULT_SCORECARD, measure: str = "EffectiveCost") -> set[str]:
    """The FOCUS columns :func:`scorecard` reads."""
    return ({"BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "EffectiveCost", measure, settings.price,
             "PricingCategory", "CommitmentDiscountStatus", "Tags", "SubAccountId", "BillingAccountId", "ResourceId"}
            | {ELIGIBLE_COLUMNS[name] for name in settings.eligible})


def scorecard(costs, ownership, window, *, spend=None, result=None, budgets=None,
              settings: ScorecardSettings = DEFAULT_SCORECARD) -> Scorecard:
    """The scorecard of ``window`` (see the module doc). ``costs`` and ``spend`` (the window's
    :class:`~engine.showback.spend.Showback`) may be None: the cost KPIs are then not available;
    ``result`` is the run's :class:`~engine.findings.Result`; ``budgets`` the Budgets documents (id -> Budgets)."""
    ownership = ownership if ownership is not None else NO_OWNERSHIP
    if costs is not None:
        missing = costs.missing(columns(settings, spend.measure if spend is not None else "EffectiveCost"))
        if missing:
            raise ValueError(f"the cost snapshot was loaded without the columns {', '.join(missing)}")
    values: dict = {}  # (owner, kpi) -> [KpiValue]
    reasons: dict = {}  # (owner, kpi) -> reason; kpi -> reason for every owner
    owners = set(ownership.teams)
    if spend is not None:
        owners |= {o.owner for o in spend.owners if o.amount or o.rows}
    owns_spend = default_owns_spend(ownership)
    if result is not None:
        owners |= {f.owner for f in result.findings}
    if costs is None:
        for kpi in ("tag_coverage", "commitment_coverage", "forecast_variance", "savings_share"):
            reasons[kpi] = "no cost data given"
    else:
        _tag_coverage(costs, ownership, window, settings, values, reasons)
        _commitment_coverage(costs, ownership, window, settings, values, reasons)
        _forecast_variance(costs, ownership, window, settings, spend, budgets, values, reasons)
        owners |= {owner for owner, _ in values}
    _savings_share(window, settings, spend, result, owns_spend, values, reasons)
    _open_findings(settings, result, owners, values, reasons)
    cards = []
    for owner in sorted(owners, key=lambda o: (o == UNASSIGNED_SPEND, o)):
        results = {}
        for kpi in KPIS:
            found = values.get((owner, kpi))
            if found:
                results[kpi] = KpiResult(kpi, True, None, tuple(sorted(found, key=lambda v: v.currency or "")))
            else:
                reason = reasons.get((owner, kpi)) or reasons.get(kpi) or _NO_DATA[kpi].format(period=window.label)
                results[kpi] = KpiResult(kpi, False, reason)
        cards.append(OwnerScorecard(owner, owner_name(ownership, owner), results))
    return Scorecard(window, settings, tuple(cards))


# Why a KPI is not available for an owner when nothing more specific is known
_NO_DATA = {
    "tag_coverage": "no spend with a positive EffectiveCost in {period}",
    "forecast_variance": "no spend in the budget period",
    "commitment_coverage": "no eligible usage in {period}",
    "savings_share": "no spend in {period}",
    "open_findings": "no findings given",
}


def _add(values: dict, owner, kpi: str, value: KpiValue) -> None:
    values.setdefault((owner if owner is not None else UNASSIGNED_SPEND, kpi), []).append(value)


def _tag_coverage(costs, ownership, window, settings, values, reasons) -> None:
    d, period = costs.dialect, window.period()
    tags = sql.TagJoin(costs.table, sql.period_filter(d, period))
    owner = owner_sql(ownership, d, tags)
    rules = list(settings.coverage_keys)
    flags = allocation_flags(d, rules, settings.coverage_match, tags)
    query = coverage_query(costs.table, d, scope_sql=owner, flags=flags, categories=CHARGE_CATEGORIES, period=period, tags=tags)
    for row in costs.query(query):
        scope, currency, total, count, allocated, allocated_rows = row[:6]
        allocated = allocated or _ZERO
        if not total:
            continue
        value = ratio(100 * allocated, total)
        detail = {"total_cost": exact(total), "allocated_cost": exact(allocated), "unallocated_cost": exact(total - allocated),
                  "rows": count, "allocated_rows": allocated_rows, "keys": [r.key for r in rules], "match": settings.coverage_match,
                  "coverage_by_cost": exact(percent(allocated, total))}
        _add(values, scope, "tag_coverage", KpiValue(currency, value, settings.level("tag_coverage", value), detail))


def _commitment_coverage(costs, ownership, window, settings, values, reasons) -> None:
    d, period = costs.dialect, window.period()
    tags = sql.TagJoin(costs.table, sql.period_filter(d, period))
    owner = owner_sql(ownership, d, tags)
    query = coverage_of_commitments_query(costs.table, d, scope_sql=owner, period=period, eligible=settings.eligible,
                                          price=settings.price, tags=tags)
    eligible_text = ", ".join(f"{ELIGIBLE_COLUMNS[k]} {'/'.join(v)}" for k, v in sorted(settings.eligible.items())) or "all usage"
    for scope, currency, covered, eligible, uncovered in costs.query(query):
        key = scope if scope is not None else UNASSIGNED_SPEND
        if not eligible or eligible <= 0:
            reasons[(key, "commitment_coverage")] = f"no eligible usage ({eligible_text}) priced at {settings.price} in {window.label}"
            continue
        value = ratio(100 * covered, eligible)
        detail = {"covered": exact(covered), "eligible": exact(eligible), "price": settings.price,
                  "uncovered_effective_cost": exact(uncovered), "coverage": exact(percent(covered, eligible)), "eligible_usage": eligible_text}
        _add(values, scope, "commitment_coverage", KpiValue(currency, value, settings.level("commitment_coverage", value), detail))
    reasons["commitment_coverage"] = f"no eligible usage ({eligible_text}) in {window.label}"


def _forecast_variance(costs, ownership, window, settings, spend, budgets, values, reasons) -> None:
    budgets = budgets or {}
    if settings.budgets is not None:
        chosen = budgets.get(settings.budgets)
        if chosen is None:
            reasons["forecast_variance"] = f"no Budgets document '{settings.budgets}' given"
            return
    elif len(budgets) == 1:
        chosen = next(iter(budgets.values()))
    elif not budgets:
        reasons["forecast_variance"] = "no Budgets document given"
        return
    else:
        reasons["forecast_variance"] = f"several Budgets documents given ({', '.join(sorted(budgets))}): name one in the Scorecard document"
        return
    kind = chosen.period or "month"
    containing = period_containing(window.rows_end - timedelta(microseconds=1), kind, settings.fiscal_year_start)
    period = Period(kind, containing.start, containing.end, window.rows_end)
    d = costs.dialect
    data_end = costs.query(sql.data_end_query(costs.table, d, period))[0][0]
    if data_end is None:
        reasons["forecast_variance"] = f"no cost rows in the budget period {_label(period)}"
        return
    measure = spend.measure if spend is not None else "EffectiveCost"
    categories = spend.charge_categories if spend is not None else CHARGE_CATEGORIES
    tags = sql.TagJoin(costs.table, sql.period_filter(d, period))
    owner = owner_sql(ownership, d, tags)
    rows = costs.query(budget_query(costs.table, d, scope_sql=owner, measure=measure, categories=categories, period=period, tags=tags))
    elapsed_end = min(window.rows_end, data_end, period.end)
    elapsed = max(0, int((elapsed_end - period.start).total_seconds()))
    total = period.seconds
    for scope, currency, actual, count in rows:
        key = scope if scope is not None else UNASSIGNED_SPEND
        if key == UNASSIGNED_SPEND:
            reasons[(key, "forecast_variance")] = "unassigned spend has no budget"
            continue
        entry = chosen.for_scope(key)
        if entry is None:
            reasons[(key, "forecast_variance")] = f"no budget for {key} in '{chosen.id}' (and no default)"
            continue
        budget = entry.money.amount
        if entry.money.currency != currency:
            reasons.setdefault((key, "forecast_variance"), f"the budget is in {entry.money.currency}, the spend in {currency}")
            continue
        if budget == 0:
            reasons[(key, "forecast_variance")] = "the budget is 0"
            continue
        forecast = ratio(actual * total, elapsed) if elapsed else actual
        value = ratio(100 * abs(forecast - budget), budget)
        detail = {"budgets": chosen.id, "budget": exact(budget), "period": _label(period), "measure": measure,
                  "actual": exact(actual), "forecast": exact(cents(forecast)), "actual_percent": exact(percent(actual, budget)),
                  "forecast_percent": exact(percent(forecast, budget)), "variance_percent": exact(percent(abs(forecast - budget), budget)),
                  "elapsed_days": exact(ratio(elapsed, SECONDS_PER_DAY).quantize(Decimal("0.0001"))),
                  "total_days": exact(ratio(total, SECONDS_PER_DAY)), "rows": count}
        _add(values, key, "forecast_variance", KpiValue(currency, value, settings.level("forecast_variance", value), detail))
    reasons.setdefault("forecast_variance", f"no spend in the budget period {_label(period)}")


def _label(period: Period) -> str:
    if period.kind == "month":
        return f"{period.start:%Y-%m}"
    return f"{period.start:%Y-%m-%d}..{(period.end - timedelta(days=1)):%Y-%m-%d}"


def _savings_policies(result) -> bool:
    return any("monthly_saving" in CHECKS[p.type].money for p in result.policies if p.type in CHECKS)


def _savings_share(window, settings, spend, result, owns_spend, values, reasons) -> None:
    if result is None:
        reasons["savings_share"] = "no findings given"
        return
    if not _savings_policies(result) or not result.resources_evaluated:
        reasons["savings_share"] = "no waste, rightsizing or previous-generation policy was evaluated over an inventory"
        return
    if spend is None:
        reasons.setdefault("savings_share", "no cost data given")
        return
    savings: dict = {}  # (owner, currency) -> Decimal
    for finding in result.findings:
        saving = finding.monthly_saving
        if saving is None or finding.status != "open":
            continue
        key = (finding_owner(finding.owner, finding.owner_source, owns_spend), saving.currency)
        savings[key] = savings.get(key, _ZERO) + saving.amount
    end = min(window.rows_end, spend.data_end) if spend.data_end is not None else window.rows_end
    hours = ratio(int((end - window.start).total_seconds()), 3600)
    if hours <= 0:
        reasons["savings_share"] = f"no spend in {window.label}"
        return
    amounts = spend.by_owner_currency()
    for (owner, currency), amount in amounts.items():
        saved = savings.get((owner, currency), _ZERO)
        if amount <= 0:
            reasons[(owner, "savings_share")] = f"no positive spend in {currency} in {window.label}"
            continue
        monthly = ratio(amount * HOURS_PER_MONTH, hours)
        value = ratio(100 * saved, monthly)
        detail = {"monthly_saving": exact(saved), "monthly_spend": exact(cents(monthly)), "spend": exact(amount),
                  "hours": exact(hours.quantize(Decimal("0.0001"))), "measure": spend.measure}
        _add(values, owner, "savings_share", KpiValue(currency, value, settings.level("savings_share", value), detail))
    for (owner, currency), saved in savings.items():
        if (owner, currency) not in amounts and saved:
            reasons.setdefault((owner, "savings_share"), f"savings in {currency} but no spend in {currency} in {window.label}")


def _open_findings(settings, result, owners, values, reasons) -> None:
    if result is None:
        reasons["open_findings"] = "no findings given"
        return
    counts: dict = {}  # owner -> {severity: count}
    for finding in result.findings:
        if finding.status != "open":
            continue
        by = counts.setdefault(finding.owner, {})
        by[finding.severity] = by.get(finding.severity, 0) + 1
    counted = set(settings.severities)
    for owner in owners:
        if owner == UNASSIGNED_SPEND:
            reasons[(owner, "open_findings")] = "findings have an accountable owner (the ownership chain's default team), not the unassigned row"
            continue
        by = counts.get(owner, {})
        value = Decimal(sum(n for severity, n in by.items() if severity in counted))
        detail = {"severities": [s for s in reversed(SEVERITIES) if s in counted],
                  "by_severity": {s: by.get(s, 0) for s in sorted(SEVERITIES, key=SEVERITY_RANK.get, reverse=True)},
                  "open": sum(by.values())}
        _add(values, owner, "open_findings", KpiValue(None, value, settings.level("open_findings", value), detail))
