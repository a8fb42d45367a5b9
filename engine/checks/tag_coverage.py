"""``tag-coverage`` — the share of spend that carries the allocation tags, measured by cost.

What it does
    Over the period's cost rows with a positive ``EffectiveCost`` (the FinOps Foundation's tag
    coverage formula), computes the share of cost — and of rows — whose ``Tags`` carry every
    required key with an allowed value, and the same per key, overall or per scope value and
    currency. A scope below the minimum is a finding with the unallocated dollars and the
    resources with the most unallocated cost. Keys are matched and values judged exactly as the
    ``tagging`` policy type judges an inventory (:mod:`engine.tag_matching`).

Why is this bad?
    Spend without allocation tags cannot be shown back or charged back to a team: a tagging
    report by resource count hides that the few untagged resources may be the expensive ones.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-allocation-coverage
        title: 95 % of spend carries team and cost-center
        type: tag-coverage
        severity: high
        spec:
          match: normalized
          keys:
            - key: team
            - key: cost-center
              pattern: '^CC-[0-9]{4}$'
          minimum: 95

Use instead
    Tag the resources listed in the finding (they carry most of the unallocated cost), or
    allocate shared costs by rule.

Options
    ``keys``: rules ``{key, values | pattern}``; every key is required.
    ``match``: ``exact`` (default), ``case-insensitive`` or ``normalized``.
    ``minimum``: the lowest acceptable coverage, in percent.
    ``basis``: ``cost`` (default) or ``rows`` — which coverage the minimum applies to.
    ``scope``: ``all`` (default), ``owner``, a FOCUS column or ``tag:KEY``.
    ``period``: ``month`` (default), ``quarter`` or ``year``; ``fiscal_year_start``.
    ``charge_categories``: default all five (rows with ``EffectiveCost > 0`` only).
    ``top``: how many unallocated resources to list (default 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.amounts import arithmetic, at_least, exact, percent, show
from engine.checks.base import CheckContext
from engine.conditions.patterns import PatternError, compile_pattern
from engine.costs import sql
from engine.costs.focus import CHARGE_CATEGORIES
from engine.costs.scope import Scope, parse_scope
from engine.findings import Money
from engine.violations import CostViolation


# -- its SQL (through the dialect and the pieces of engine.costs.sql) ------------------------------

def allocation_flags(d, rules: list[sql.TagRule], mode: str, tags: sql.TagJoin) -> list[str]:
    """Per rule: an expression true when the row's tags satisfy it (never NULL)."""
    return [f"coalesce({tags.column(sql.allowed_sql(d, sql.tag_value_sql(d, rule.key, mode), rule))}, false)" for rule in rules]


def coverage_query(table: str, d, *, scope_sql: str, flags: list[str], categories, period, tags: sql.TagJoin) -> str:
    """Per (scope, currency): cost and rows in total, allocated for all keys and for each key."""
    columns = ", ".join(f"{flag} AS k{index}" for index, flag in enumerate(flags))
    every = " AND ".join(f"k{index}" for index in range(len(flags)))
    per_key = ", ".join(f"sum(cost) FILTER (WHERE k{index}), count(*) FILTER (WHERE k{index})" for index in range(len(flags)))
    tagged = (
        f"tagged AS (SELECT {scope_sql} AS scope, BillingCurrency AS currency, EffectiveCost AS cost, {columns}"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, period)} AND {sql.in_list(d, 'ChargeCategory', categories)} AND EffectiveCost > 0)"
    )
    return (
        f"{sql.with_clause(tags, tagged)}SELECT scope, currency, sum(cost), count(*), sum(cost) FILTER (WHERE {every}),"
        f" count(*) FILTER (WHERE {every}), {per_key} FROM tagged GROUP BY scope, currency"
    )


def unallocated_resources_query(table: str, d, *, scope_sql: str, flags: list[str], categories, period, top: int, tags: sql.TagJoin) -> str:
    """Per (scope, currency): the ``top`` resources with the most unallocated cost (rows with a ResourceId)."""
    every = " AND ".join(flags)
    rows = (
        f"unallocated AS (SELECT {scope_sql} AS scope, BillingCurrency AS currency, ResourceId, ResourceName, ServiceName, EffectiveCost AS cost"
        f" FROM {sql.from_rows(table, tags)} WHERE {sql.period_filter(d, period)} AND {sql.in_list(d, 'ChargeCategory', categories)} AND EffectiveCost > 0"
        f" AND ResourceId IS NOT NULL AND NOT ({every}))"
    )
    ranked = (
        "ranked AS (SELECT scope, currency, ResourceId, min(ResourceName) AS name, min(ServiceName) AS service, sum(cost) AS cost,"
        " row_number() OVER (PARTITION BY scope, currency ORDER BY sum(cost) DESC, ResourceId) AS rank"
        " FROM unallocated GROUP BY scope, currency, ResourceId)"
    )
    return (
        f"{sql.with_clause(tags, rows, ranked)}SELECT scope, currency, ResourceId, name, service, cost FROM ranked"
        f" WHERE rank <= {int(top)} ORDER BY scope, currency, rank"
    )


@dataclass(frozen=True)
class TagCoverageCheck:
    rules: tuple[sql.TagRule, ...]
    match: str
    minimum: object
    basis: str
    scope: Scope
    period: str
    fiscal_year_start: int
    categories: tuple[str, ...]
    top: int

    def columns(self) -> set[str]:
        return {"ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency"} | {"EffectiveCost", "Tags", "ResourceId", "ResourceName", "ServiceName"} | self.scope.columns()

    def run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        with arithmetic():  # sums of 38-digit amounts and their differences stay exact
            return self._run(costs, context, policy_severity)

    def _run(self, costs, context: CheckContext, policy_severity: str) -> list[CostViolation]:
        scoped = self.scope.in_period(costs, context, self.period, self.fiscal_year_start)
        d, period, tags, scope_sql = costs.dialect, scoped.period, scoped.tags, scoped.scope_sql
        flags = allocation_flags(d, list(self.rules), self.match, tags)
        common = dict(scope_sql=scope_sql, flags=flags, categories=self.categories, period=period, tags=tags)
        rows = costs.query(coverage_query(costs.table, d, **common))
        if not rows:
            context.notes.append(f"no cost rows with a positive EffectiveCost in {period.label} (is --as-of right?)")
            return []
        failing = []
        for row in rows:
            value, currency, total_cost, total_rows, alloc_cost, alloc_rows = row[:6]
            alloc_cost = alloc_cost or 0
            passed = at_least(alloc_cost, total_cost, self.minimum) if self.basis == "cost" else at_least(alloc_rows, total_rows, self.minimum)
            if not passed:
                failing.append(row)
        if not failing:
            return []
        top: dict = {}
        for value, currency, resource_id, name, service, cost in costs.query(unallocated_resources_query(costs.table, d, top=self.top, **common)):
            top.setdefault((value, currency), []).append(
                {"resource_id": resource_id, "name": name, "service": service, "cost": exact(cost)}
            )
        keys = [rule.key for rule in self.rules]
        violations = []
        for row in sorted(failing, key=lambda r: (r[0] is None, str(r[0]), r[1])):
            value, currency, total_cost, total_rows, alloc_cost, alloc_rows = row[:6]
            alloc_cost = alloc_cost or 0
            unallocated = total_cost - alloc_cost
            per_key = []
            for index, rule in enumerate(self.rules):
                key_cost, key_rows = row[6 + 2 * index] or 0, row[7 + 2 * index]
                per_key.append(
                    {
                        "key": rule.key,
                        "coverage_by_cost": exact(percent(key_cost, total_cost)),
                        "coverage_by_rows": exact(percent(key_rows, total_rows)),
                        "allocated_cost": exact(key_cost),
                        "allocated_rows": key_rows,
                    }
                )
            by_cost, by_rows = percent(alloc_cost, total_cost), percent(alloc_rows, total_rows)
            shown = by_cost if self.basis == "cost" else by_rows
            where = "" if self.scope.dimension == "all" else f"{self.scope.describe(value)}: "
            message = (
                f"{where}{shown}% of {'cost' if self.basis == 'cost' else 'cost rows'} in {period.label} carries {', '.join(keys)}"
                f" (minimum {self.minimum}%); {show(unallocated, currency)} unallocated"
            )
            evidence = {
                "coverage_by_cost": exact(by_cost),
                "coverage_by_rows": exact(by_rows),
                "minimum": self.minimum,
                "basis": self.basis,
                "match": self.match,
                "currency": currency,
                "total_cost": exact(total_cost),
                "allocated_cost": exact(alloc_cost),
                "unallocated_cost": exact(unallocated),
                "rows": total_rows,
                "allocated_rows": alloc_rows,
                "keys": per_key,
                "top_unallocated": top.get((value, currency), []),
            }
            owner, source = self.scope.owner_of(value, context.ownership)
            scope = {"dimension": self.scope.dimension, "value": value, "currency": currency, "period": period.to_dict()}
            money = {"unallocated_cost": Money(unallocated, currency)} if unallocated > 0 else {}
            violations.append(CostViolation(scope, owner, source, message, evidence, None, money))
        return violations


def compile_spec(spec: dict, report) -> TagCoverageCheck | None:
    ok = True
    match = spec.get("match", "exact")
    rules = []
    for index, item in enumerate(spec["keys"]):
        pattern = item.get("pattern")
        if pattern is not None:
            try:  # RE2, as the SQL engine and the inventory checks run patterns (engine.conditions.patterns)
                compile_pattern(pattern)
            except PatternError as exc:
                report("E302", f"invalid regular expression {pattern!r}: {exc}", f"/keys/{index}/pattern", exc.hint)
                ok = False
        if "values" in item and "pattern" in item:
            report("E314", "use only one of values and pattern", f"/keys/{index}", None)
            ok = False
        values = tuple(item["values"]) if "values" in item else None
        rules.append(sql.TagRule(item["key"], values, pattern))
    scope = parse_scope(spec.get("scope", "all"), match, "/scope", report)
    if scope is None or not ok:
        return None
    return TagCoverageCheck(
        rules=tuple(rules),
        match=match,
        minimum=spec["minimum"],
        basis=spec.get("basis", "cost"),
        scope=scope,
        period=spec.get("period", "month"),
        fiscal_year_start=spec.get("fiscal_year_start", 1),
        categories=tuple(spec.get("charge_categories", CHARGE_CATEGORIES)),
        top=spec.get("top", 5),
    )
