"""The SQL that cost policies compile to — generated here, and only here (also the per-resource
observed-cost queries behind inventory findings' monthly cost and the FOCUS price sources). The
one exception is the ownership chain: each of its steps writes its own SQL beside its Python
(:meth:`engine.ownership.Ownership.sql`), from the tag expressions of this module.

Every function returns text for the snapshot table (:data:`engine.costs.reader.TABLE`); every
engine-specific piece comes from the dialect (:mod:`engine.costs.dialect`). Python receives only
the aggregated rows these queries return.

Tag expressions (key matching, values, the ownership chain's tag steps) are evaluated once per
distinct ``Tags`` value of the period, not once per row: a cost export has millions of rows but
a few thousand distinct tag sets, and JSON work per row would dominate the run. A query then
joins its rows to those results on ``Tags`` (:class:`TagJoin`).

Tag rules are the ones of :mod:`engine.tag_matching`, written in SQL:

* a key is found by its matching mode; when several keys of one row match, the key spelled
  exactly as the policy writes it wins, otherwise the smallest in code-point order;
* a value is present when it is ``true`` (a key-only tag), a number, or a string that is not
  blank; allowed values compare exactly and a pattern matches anywhere in the value; a key-only
  tag has no value, so it never satisfies ``values`` or ``pattern``.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.tag_matching import normalize_key

TAGS = "Tags"


@dataclass(frozen=True)
class TagRule:
    """A required key with optional allowed values or pattern (tag-coverage keys)."""

    key: str
    values: tuple[str, ...] | None = None
    pattern: str | None = None


# -- tag expressions ------------------------------------------------------------------------

class TagJoin:
    """Tag-derived columns computed per distinct ``Tags`` value, joined back to the rows.

    ``column(expression)`` registers an expression over ``Tags`` and returns the reference to use
    in the row query; ``cte()`` and ``join()`` are the pieces to put around it. Rows whose Tags are
    null join nothing: their tag columns are NULL.
    """

    def __init__(self, table: str, where: str):
        self.table, self.where = table, where
        self.expressions: list[str] = []

    def column(self, expression: str) -> str:
        if expression not in self.expressions:
            self.expressions.append(expression)
        return f"tg.t{self.expressions.index(expression)}"

    def cte(self) -> str:
        columns = ", ".join(f"{e} AS t{i}" for i, e in enumerate(self.expressions))
        return (
            f"tg AS (SELECT Tags AS tags_key, {columns}"
            f" FROM (SELECT DISTINCT Tags FROM {self.table} WHERE Tags IS NOT NULL AND {self.where}) AS distinct_tags)"
        )

    def join(self) -> str:
        return "LEFT JOIN tg ON f.Tags = tg.tags_key" if self.expressions else ""

    def with_clause(self, *more: str) -> str:
        parts = ([self.cte()] if self.expressions else []) + list(more)
        return ("WITH " + ", ".join(parts) + " ") if parts else ""


def normalized_key_sql(d, expr: str, mode: str) -> str:
    if mode == "exact":
        return expr
    if mode == "case-insensitive":
        return f"lower({expr})"
    return f"replace(lower({d.trim_whitespace(expr)}), '_', '-')"


def tag_value_sql(d, key: str, mode: str) -> str:
    """The JSON value of the row's tag ``key`` under ``mode`` (SQL NULL when absent)."""
    exact = d.json_member(TAGS, key)
    if mode == "exact":
        return exact
    wanted = d.string(normalize_key(key, mode))
    matching = d.list_filter(d.json_keys(TAGS), "k", f"{normalized_key_sql(d, 'k', mode)} = {wanted}")
    return f"(CASE WHEN {exact} IS NOT NULL THEN {exact} ELSE {d.json_member_dynamic(TAGS, d.list_min(matching))} END)"


def present_sql(d, value: str) -> str:
    """The tag value counts as present (see the module doc); never NULL."""
    kind = d.json_kind(value)
    return (
        f"coalesce({d.json_is_true(value)} OR ({d.json_is_string(value)} AND {d.trim_whitespace(d.json_text(value))} <> '')"
        f" OR {kind} NOT IN ('NULL', 'BOOLEAN', 'VARCHAR'), false)"
    )


def allowed_sql(d, value: str, rule: TagRule) -> str:
    """The rule holds for the row: present, and allowed when the rule restricts values; never NULL."""
    parts = [present_sql(d, value)]
    text = d.json_text(value)
    if rule.values is not None:
        listed = ", ".join(d.string(v) for v in rule.values)
        parts.append(f"coalesce({d.json_is_string(value)} AND {text} IN ({listed}), false)")
    if rule.pattern is not None:
        parts.append(f"coalesce({d.json_is_string(value)} AND {d.regex_search(text, rule.pattern)}, false)")
    return "(" + " AND ".join(parts) + ")"


def tag_text_sql(d, key: str, mode: str) -> str:
    """The tag's value as text for grouping: NULL when absent, blank or key-only."""
    value = tag_value_sql(d, key, mode)
    text = d.json_text(value)
    return (
        f"(CASE WHEN {d.json_is_string(value)} AND {d.trim_whitespace(text)} <> '' THEN {text}"
        f" WHEN {d.json_is_number(value)} THEN {text} END)"
    )


# -- filters ----------------------------------------------------------------------------------

def period_filter(d, period) -> str:
    """Rows of the period known at the as-of instant (see engine.costs.periods)."""
    return f"ChargePeriodStart >= {d.timestamp(period.start)} AND ChargePeriodStart < {d.timestamp(period.rows_end)}"


def in_list(d, column: str, values) -> str:
    return f"{column} IN ({', '.join(d.string(v) for v in values)})"


# -- queries ----------------------------------------------------------------------------------

def data_end_query(table: str, d, period) -> str:
    """How far the period's data reaches: the end of the last usage charge period of at most a day.

    Monthly charges (subscriptions, taxes, commitment purchases) end at the period end whatever
    the date of the export, so they would claim data up to there; hourly and daily usage rows
    show how far the data really goes. Without such rows: the last ``ChargePeriodEnd``.
    """
    short = f"ChargeCategory = 'Usage' AND {d.seconds_between('ChargePeriodStart', 'ChargePeriodEnd')} <= 86400"
    return (
        f"SELECT coalesce(max(ChargePeriodEnd) FILTER (WHERE {short}), max(ChargePeriodEnd))"
        f" FROM {table} WHERE {period_filter(d, period)}"
    )


def _from(table: str, tags: TagJoin | None) -> str:
    return f"{table} AS f {tags.join()}" if tags is not None else f"{table} AS f"


def _with(tags: TagJoin | None, *more: str) -> str:
    if tags is None:
        return ("WITH " + ", ".join(more) + " ") if more else ""
    return tags.with_clause(*more)


def budget_query(table: str, d, *, scope_sql: str, measure: str, categories, period, tags: TagJoin | None = None) -> str:
    """Per (scope value, currency): Σ measure over the period's rows of the charge categories."""
    return (
        f"{_with(tags)}SELECT {scope_sql} AS scope, BillingCurrency AS currency, sum({d.identifier(measure)}) AS actual, count(*) AS rows"
        f" FROM {_from(table, tags)} WHERE {period_filter(d, period)} AND {in_list(d, 'ChargeCategory', categories)}"
        " GROUP BY ALL"
    )


def allocation_flags(d, rules: list[TagRule], mode: str, tags: TagJoin) -> list[str]:
    """Per rule: an expression true when the row's tags satisfy it (never NULL)."""
    return [f"coalesce({tags.column(allowed_sql(d, tag_value_sql(d, rule.key, mode), rule))}, false)" for rule in rules]


def coverage_query(table: str, d, *, scope_sql: str, flags: list[str], categories, period, tags: TagJoin) -> str:
    """Per (scope, currency): cost and rows in total, allocated for all keys and for each key."""
    columns = ", ".join(f"{flag} AS k{index}" for index, flag in enumerate(flags))
    every = " AND ".join(f"k{index}" for index in range(len(flags)))
    per_key = ", ".join(f"sum(cost) FILTER (WHERE k{index}), count(*) FILTER (WHERE k{index})" for index in range(len(flags)))
    tagged = (
        f"tagged AS (SELECT {scope_sql} AS scope, BillingCurrency AS currency, EffectiveCost AS cost, {columns}"
        f" FROM {_from(table, tags)} WHERE {period_filter(d, period)} AND {in_list(d, 'ChargeCategory', categories)} AND EffectiveCost > 0)"
    )
    return (
        f"{_with(tags, tagged)}SELECT scope, currency, sum(cost), count(*), sum(cost) FILTER (WHERE {every}),"
        f" count(*) FILTER (WHERE {every}), {per_key} FROM tagged GROUP BY scope, currency"
    )


def unallocated_resources_query(table: str, d, *, scope_sql: str, flags: list[str], categories, period, top: int, tags: TagJoin) -> str:
    """Per (scope, currency): the ``top`` resources with the most unallocated cost (rows with a ResourceId)."""
    every = " AND ".join(flags)
    rows = (
        f"unallocated AS (SELECT {scope_sql} AS scope, BillingCurrency AS currency, ResourceId, ResourceName, ServiceName, EffectiveCost AS cost"
        f" FROM {_from(table, tags)} WHERE {period_filter(d, period)} AND {in_list(d, 'ChargeCategory', categories)} AND EffectiveCost > 0"
        f" AND ResourceId IS NOT NULL AND NOT ({every}))"
    )
    ranked = (
        "ranked AS (SELECT scope, currency, ResourceId, min(ResourceName) AS name, min(ServiceName) AS service, sum(cost) AS cost,"
        " row_number() OVER (PARTITION BY scope, currency ORDER BY sum(cost) DESC, ResourceId) AS rank"
        " FROM unallocated GROUP BY scope, currency, ResourceId)"
    )
    return (
        f"{_with(tags, rows, ranked)}SELECT scope, currency, ResourceId, name, service, cost FROM ranked"
        f" WHERE rank <= {int(top)} ORDER BY scope, currency, rank"
    )


def utilization_query(table: str, d, *, scope_sql: str, period, tags: TagJoin | None = None) -> str:
    """Per (scope, currency): used and unused commitment, by EffectiveCost and by quantity."""
    return (
        f"{_with(tags)}SELECT {scope_sql} AS scope, BillingCurrency AS currency,"
        " coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used'), 0),"
        " coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0),"
        " sum(CommitmentDiscountQuantity) FILTER (WHERE CommitmentDiscountStatus = 'Used'),"
        " sum(CommitmentDiscountQuantity) FILTER (WHERE CommitmentDiscountStatus = 'Unused'),"
        " count(DISTINCT CommitmentDiscountUnit), min(CommitmentDiscountUnit)"
        f" FROM {_from(table, tags)} WHERE {period_filter(d, period)} AND ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL"
        " GROUP BY ALL"
    )


ELIGIBLE_COLUMNS = {"services": "ServiceName", "service_categories": "ServiceCategory", "skus": "SkuId", "resource_types": "ResourceType"}


def eligible_filter(d, eligible: dict) -> str:
    parts = [in_list(d, ELIGIBLE_COLUMNS[name], values) for name, values in sorted(eligible.items()) if name in ELIGIBLE_COLUMNS]
    return " AND ".join(parts) if parts else "TRUE"


def coverage_of_commitments_query(table: str, d, *, scope_sql: str, period, eligible: dict, price: str, tags: TagJoin | None = None) -> str:
    """Per (scope, currency): eligible usage at ``price``, covered and in total; uncovered EffectiveCost."""
    return (
        f"{_with(tags)}SELECT {scope_sql} AS scope, BillingCurrency AS currency,"
        f" coalesce(sum({d.identifier(price)}) FILTER (WHERE PricingCategory = 'Committed'), 0),"
        f" coalesce(sum({d.identifier(price)}), 0),"
        " coalesce(sum(EffectiveCost) FILTER (WHERE PricingCategory IS NULL OR PricingCategory <> 'Committed'), 0)"
        f" FROM {_from(table, tags)} WHERE {period_filter(d, period)} AND ChargeCategory = 'Usage'"
        " AND (CommitmentDiscountStatus IS NULL OR CommitmentDiscountStatus <> 'Unused')"
        " AND (PricingCategory IS NULL OR PricingCategory <> 'Dynamic')"
        f" AND {eligible_filter(d, eligible)}"
        " GROUP BY ALL"
    )


def top_commitments_query(table: str, d, *, scope_sql: str, period, top: int, tags: TagJoin | None = None) -> str:
    """Per (scope, currency): the ``top`` commitments with the most unused EffectiveCost."""
    rows = (
        f"commitments AS (SELECT {scope_sql} AS scope, BillingCurrency AS currency, CommitmentDiscountId AS id,"
        " CommitmentDiscountName AS name, CommitmentDiscountType AS type, CommitmentDiscountStatus AS status, EffectiveCost"
        f" FROM {_from(table, tags)} WHERE {period_filter(d, period)} AND ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL)"
    )
    per = (
        "per AS (SELECT scope, currency, id, min(name) AS name, min(type) AS type,"
        " coalesce(sum(EffectiveCost) FILTER (WHERE status = 'Used'), 0) AS used,"
        " coalesce(sum(EffectiveCost) FILTER (WHERE status = 'Unused'), 0) AS unused"
        " FROM commitments GROUP BY scope, currency, id)"
    )
    ranked = "ranked AS (SELECT *, row_number() OVER (PARTITION BY scope, currency ORDER BY unused DESC, id) AS rank FROM per WHERE unused > 0)"
    return (
        f"{_with(tags, rows, per, ranked)}SELECT scope, currency, id, name, type, used, unused FROM ranked"
        f" WHERE rank <= {int(top)} ORDER BY scope, currency, rank"
    )


# -- resources: observed cost by ResourceId (inventory findings, price sources) ------------------

GCP_PREFIX_SQL = r"^//[^/]+[.]googleapis[.]com/"


def normalized_resource_id(d) -> str:
    """``ResourceId`` lower-cased, a GCP ``//SERVICE.googleapis.com/`` prefix removed
    (:func:`engine.costs.resource_costs.normalize_resource_id` in Python)."""
    return f"lower({d.regex_replace('ResourceId', GCP_PREFIX_SQL, '')})"


def _usage_of(table: str, d, keys_table: str, start, end) -> str:
    return (
        f" FROM {table} f JOIN {keys_table} w ON w.key = {normalized_resource_id(d)}"
        " WHERE f.ChargeCategory = 'Usage' AND f.ResourceId IS NOT NULL"
        f" AND f.ChargePeriodStart >= {d.timestamp(start)} AND f.ChargePeriodStart < {d.timestamp(end)}"
    )


def resource_costs_query(table: str, d, *, keys_table: str, start, end) -> str:
    """Per wanted key and currency: Σ EffectiveCost of usage rows in ``[start, end)``, first start, last end."""
    return (
        "SELECT w.key, f.BillingCurrency, sum(f.EffectiveCost), min(f.ChargePeriodStart), max(f.ChargePeriodEnd)"
        + _usage_of(table, d, keys_table, start, end)
        + " GROUP BY ALL"
    )


def resource_observations_query(table: str, d, *, keys_table: str, start, end) -> str:
    """Per wanted key and currency: usage cost and span, how much of it is not on-demand, whether
    the latest charge period is covered by a commitment (which one), and the region(s)."""
    latest = "u.category = 'Committed' AND u.period_start = l.period_start"
    return (
        "WITH usage AS ("
        " SELECT w.key, f.BillingCurrency AS currency, f.EffectiveCost AS cost,"
        " f.ChargePeriodStart AS period_start, f.ChargePeriodEnd AS period_end,"
        " coalesce(f.PricingCategory, 'Standard') AS category, f.CommitmentDiscountId AS commitment_id,"
        " f.CommitmentDiscountType AS commitment_type, lower(f.RegionId) AS region"
        + _usage_of(table, d, keys_table, start, end)
        + "), latest AS (SELECT key, currency, max(period_start) AS period_start FROM usage GROUP BY key, currency)"
        " SELECT u.key, u.currency, sum(u.cost), min(u.period_start), max(u.period_end),"
        " count(*) FILTER (WHERE u.category <> 'Standard'),"
        f" count(*) FILTER (WHERE {latest}),"
        f" min(u.commitment_id) FILTER (WHERE {latest}),"
        f" min(u.commitment_type) FILTER (WHERE {latest}),"
        " min(u.region), count(DISTINCT u.region)"
        " FROM usage u JOIN latest l ON l.key = u.key AND l.currency = u.currency"
        " GROUP BY u.key, u.currency"
    )
