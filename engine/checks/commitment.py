"""``commitment`` — commitment discount utilization and coverage, with the dollars at stake.

What it does
    Utilization: of the commitments (reservations, savings plans, committed use discounts) in
    the period, the share that was used — ``Used ÷ (Used + Unused)`` over usage rows with a
    ``CommitmentDiscountId``, by ``EffectiveCost`` (default) or by
    ``CommitmentDiscountQuantity`` when every row of the scope has the same unit.
    Coverage: of the eligible usage, the share that a commitment covered
    (``PricingCategory = Committed``), measured at the pre-commitment price (``ContractedCost``
    by default, or ``ListCost``) so that the discount does not make coverage read low; unused
    commitment rows and spot usage (``Dynamic``) are left out, and eligibility (services,
    service categories, SKUs, resource types) comes from the policy since FOCUS before 1.4 does
    not carry it. A scope below either minimum is a finding carrying the unused commitment and
    the uncovered on-demand dollars (both as ``EffectiveCost``) and the commitments with the
    most unused value.

Why is this bad?
    An unused commitment is money already spent for nothing; eligible usage left on demand pays
    list price for what a commitment would discount.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-compute-commitments
        title: Compute commitments are used and cover most compute
        type: commitment
        severity: medium
        spec:
          utilization:
            minimum: 95
          coverage:
            minimum: 70
            eligible:
              service_categories: [Compute]

Use instead
    Exchange or resell unused reservations, or move eligible workloads onto them; buy
    commitments for steady usage that stays on demand.

Options
    ``utilization``: ``{minimum, basis: cost | quantity}``.
    ``coverage``: ``{minimum, price: ContractedCost | ListCost | EffectiveCost, eligible:
    {services, service_categories, skus, resource_types}}`` (lists; all given fields must match).
    At least one of the two. ``scope``: ``all`` (default), ``owner``, a FOCUS column or
    ``tag:KEY`` (with ``match``). ``period``, ``fiscal_year_start`` as for budgets. ``top``:
    how many commitments to list (default 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.amounts import arithmetic, at_least, exact, percent, show
from engine.checks.base import CheckContext
from engine.costs import sql
from engine.costs.scope import Scope, parse_scope
from engine.findings import Money
from engine.violations import CostViolation



# -- its SQL (through the dialect and the pieces of engine.costs.sql) ------------------------------

def utilization_query(table: str, d, *, scope_sql: str, period, tags: sql.TagJoin | None = None) -> str:
    """Per (scope, currency): used and unused commitment, by EffectiveCost and by quantity."""
    return (
        f"{sql.with_clause(tags)}SELECT {scope_sql} AS scope, BillingCurrency AS currency,"
        " coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used'), 0),"
        " coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0),"
        " sum(CommitmentDiscountQuantity) FILTER (WHERE CommitmentDiscountStatus = 'Used'),"
        " sum(CommitmentDiscountQuantity) FILTER (WHERE CommitmentDiscountStatus = 'Unused'),"
        " count(DISTINCT CommitmentDiscountUnit), min(CommitmentDiscountUnit)"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, period)} AND ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL"
        " GROUP BY ALL"
    )


ELIGIBLE_COLUMNS = {"services": "ServiceName", "service_categories": "ServiceCategory", "skus": "SkuId", "resource_types": "ResourceType"}


def eligible_filter(d, eligible: dict) -> str:
    parts = [sql.in_list(d, ELIGIBLE_COLUMNS[name], values) for name, values in sorted(eligible.items()) if name in ELIGIBLE_COLUMNS]
    return " AND ".join(parts) if parts else "TRUE"


def coverage_of_commitments_query(table: str, d, *, scope_sql: str, period, eligible: dict, price: str, tags: sql.TagJoin | None = None) -> str:
    """Per (scope, currency): eligible usage at ``price``, covered and in total; uncovered EffectiveCost."""
    return (
        f"{sql.with_clause(tags)}SELECT {scope_sql} AS scope, BillingCurrency AS currency,"
        f" coalesce(sum({d.identifier(price)}) FILTER (WHERE PricingCategory = 'Committed'), 0),"
        f" coalesce(sum({d.identifier(price)}), 0),"
        " coalesce(sum(EffectiveCost) FILTER (WHERE PricingCategory IS NULL OR PricingCategory <> 'Committed'), 0)"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, period)} AND ChargeCategory = 'Usage'"
        " AND (CommitmentDiscountStatus IS NULL OR CommitmentDiscountStatus <> 'Unused')"
        " AND (PricingCategory IS NULL OR PricingCategory <> 'Dynamic')"
        f" AND {eligible_filter(d, eligible)}"
        " GROUP BY ALL"
    )


def top_commitments_query(table: str, d, *, scope_sql: str, period, top: int, tags: sql.TagJoin | None = None) -> str:
    """Per (scope, currency): the ``top`` commitments with the most unused EffectiveCost."""
    rows = (
        f"commitments AS (SELECT {scope_sql} AS scope, BillingCurrency AS currency, CommitmentDiscountId AS id,"
        " CommitmentDiscountName AS name, CommitmentDiscountType AS type, CommitmentDiscountStatus AS status, EffectiveCost"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, period)} AND ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL)"
    )
    per = (
        "per AS (SELECT scope, currency, id, min(name) AS name, min(type) AS type,"
        " coalesce(sum(EffectiveCost) FILTER (WHERE status = 'Used'), 0) AS used,"
        " coalesce(sum(EffectiveCost) FILTER (WHERE status = 'Unused'), 0) AS unused"
        " FROM commitments GROUP BY scope, currency, id)"
    )
    ranked = "ranked AS (SELECT *, row_number() OVER (PARTITION BY scope, currency ORDER BY unused DESC, id) AS rank FROM per WHERE unused > 0)"
    return (
        f"{sql.with_clause(tags, rows, per, ranked)}SELECT scope, currency, id, name, type, used, unused FROM ranked"
        f" WHERE rank <= {int(top)} ORDER BY scope, currency, rank"
    )


@dataclass(frozen=True)
class CommitmentCheck:
    utilization_minimum: object | None
    utilization_basis: str
    coverage_minimum: object | None
    price: str
    eligible: dict
    scope: Scope
    period: str
    fiscal_year_start: int
    top: int

    def columns(self) -> set[str]:
        needed = {"ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency"} | {"EffectiveCost", "PricingCategory"} | self.scope.columns()
        needed |= {"CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountType", "CommitmentDiscountStatus"}
        needed |= {"CommitmentDiscountQuantity", "CommitmentDiscountUnit"}
        if self.coverage_minimum is not None:
            needed |= {self.price} | {ELIGIBLE_COLUMNS[name] for name in self.eligible}
        return needed

    def run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        with arithmetic():  # sums of 38-digit amounts and their differences stay exact
            return self._run(costs, context, policy_severity)

    def _run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        scoped = self.scope.in_period(costs, context, self.period, self.fiscal_year_start)
        d, period, tags, scope_sql = costs.dialect, scoped.period, scoped.tags, scoped.scope_sql
        groups: dict = {}
        for value, currency, used, unused, used_q, unused_q, units, unit in costs.query(
            utilization_query(costs.table, d, scope_sql=scope_sql, period=period, tags=tags)
        ):
            groups.setdefault((value, currency), {})["utilization"] = (used, unused, used_q, unused_q, units, unit)
        if self.coverage_minimum is not None:
            for value, currency, covered, eligible, uncovered in costs.query(
                coverage_of_commitments_query(costs.table, d, scope_sql=scope_sql, period=period, eligible=self.eligible, price=self.price, tags=tags)
            ):
                groups.setdefault((value, currency), {})["coverage"] = (covered, eligible, uncovered)
        if not groups:
            context.notes.append(f"no commitment or eligible usage rows in {period.label} (is --as-of right?)")
            return []
        results = {}
        for key, parts in groups.items():
            judged = self._judge(parts)
            if judged["failed"]:
                results[key] = judged
        if not results:
            return []
        tops: dict = {}
        for value, currency, cid, name, ctype, used, unused in costs.query(
            top_commitments_query(costs.table, d, scope_sql=scope_sql, period=period, top=self.top, tags=tags)
        ):
            tops.setdefault((value, currency), []).append(
                {"commitment_id": cid, "name": name, "type": ctype, "used": exact(used), "unused": exact(unused)}
            )
        violations = []
        for (value, currency), judged in sorted(results.items(), key=lambda kv: (kv[0][0] is None, str(kv[0][0]), kv[0][1])):
            evidence = {"currency": currency, **judged["evidence"], "top_unused_commitments": tops.get((value, currency), [])}
            where = "" if self.scope.dimension == "all" else f"{self.scope.describe(value)}: "
            message = where + "; ".join(judged["messages"]).replace("{currency}", currency)
            money = {}
            unused = judged.get("unused")
            if unused:
                money["unused_commitment_cost"] = Money(unused, currency)
            uncovered = judged.get("uncovered")
            if uncovered:
                money["uncovered_cost"] = Money(uncovered, currency)
            owner, source = self.scope.owner_of(value, context.ownership)
            scope = {"dimension": self.scope.dimension, "value": value, "currency": currency, "period": period.to_dict()}
            violations.append(CostViolation(scope, owner, source, message, evidence, None, money))
        return violations

    def _judge(self, parts: dict) -> dict:
        evidence: dict = {}
        messages: list[str] = []
        failed = False
        out: dict = {}
        if self.utilization_minimum is not None and "utilization" in parts:
            used, unused, used_q, unused_q, units, unit = parts["utilization"]
            evidence["used_cost"], evidence["unused_cost"] = exact(used), exact(unused)
            out["unused"] = unused if unused > 0 else None
            if self.utilization_basis == "quantity":
                if units == 1 and used_q is not None and unused_q is not None and used_q + unused_q > 0:
                    part, whole = used_q, used_q + unused_q
                    evidence["used_quantity"], evidence["unused_quantity"], evidence["unit"] = exact(used_q), exact(unused_q), unit
                else:
                    part = whole = None
                    evidence["utilization_note"] = "no quantity basis: commitment units differ or quantities are missing"
            else:
                part, whole = used, used + unused
            if whole:
                evidence["utilization"] = exact(percent(part, whole))
                evidence["utilization_minimum"] = self.utilization_minimum
                if not at_least(part, whole, self.utilization_minimum):
                    failed = True
                    messages.append(
                        f"commitment utilization {percent(part, whole)}% (minimum {self.utilization_minimum}%); "
                        + show(unused, "{currency}") + " of commitment unused"
                    )
        if self.coverage_minimum is not None and "coverage" in parts:
            covered, eligible, uncovered = parts["coverage"]
            evidence["covered_" + self._price_name()] = exact(covered)
            evidence["eligible_" + self._price_name()] = exact(eligible)
            evidence["uncovered_effective_cost"] = exact(uncovered)
            evidence["price"] = self.price
            if eligible:
                evidence["coverage"] = exact(percent(covered, eligible))
                evidence["coverage_minimum"] = self.coverage_minimum
                if not at_least(covered, eligible, self.coverage_minimum):
                    failed = True
                    out["uncovered"] = uncovered if uncovered > 0 else None
                    messages.append(
                        f"commitment coverage {percent(covered, eligible)}% of eligible usage (minimum {self.coverage_minimum}%); "
                        + show(uncovered, "{currency}") + " on demand"
                    )
        out.update(failed=failed, evidence=evidence, messages=messages)
        return out

    def _price_name(self) -> str:
        return {"ContractedCost": "contracted_cost", "ListCost": "list_cost", "EffectiveCost": "effective_cost"}[self.price]


def compile_spec(spec: dict, report) -> CommitmentCheck | None:
    scope = parse_scope(spec.get("scope", "all"), spec.get("match", "exact"), "/scope", report)
    if scope is None:
        return None
    utilization = spec.get("utilization") or {}
    coverage = spec.get("coverage") or {}
    return CommitmentCheck(
        utilization_minimum=utilization.get("minimum"),
        utilization_basis=utilization.get("basis", "cost"),
        coverage_minimum=coverage.get("minimum"),
        price=coverage.get("price", "ContractedCost"),
        eligible=dict(coverage.get("eligible", {})),
        scope=scope,
        period=spec.get("period", "month"),
        fiscal_year_start=spec.get("fiscal_year_start", 1),
        top=spec.get("top", 5),
    )
