"""The pieces of SQL that cost policies are written with: tag expressions, filters, ``FROM`` and
``WITH``, and the queries every cost check shares (how far the data reaches); also the per-resource
observed-cost queries behind inventory findings' monthly cost and the FOCUS price sources.

A cost policy type writes its own queries in its module (``engine/checks/<type>.py``), from these
pieces, so that adding a type does not touch this module; the ownership chain's steps write their
SQL beside their Python (:meth:`engine.ownership.Ownership.sql`). Every literal and identifier goes
through the dialect (:mod:`engine.costs.dialect`), which holds every engine-specific piece; every
query is text for the snapshot table (:data:`engine.costs.reader.TABLE`), and Python receives only
the aggregated rows it returns.

Tag expressions (key matching, values, the ownership chain's tag steps) are evaluated once per
distinct ``Tags`` value of the period, not once per row: a cost export has millions of rows but
a few thousand distinct tag sets, and JSON work per row would dominate the run. A query then
joins its rows to those results on ``Tags`` (:class:`TagJoin`).

Tag rules are the ones of :mod:`engine.tag_matching`, written in SQL:

* a value is read by the rule of :func:`engine.tag_matching.tag_value`, written here kind by kind
  from :data:`~engine.tag_matching.VALUE_KINDS` (:data:`TEXT_OF_KIND`): a string is itself,
  ``false`` and numbers are their text, ``true`` is a key-only tag, and a key whose value is
  invalid (null, a list, an object) is not carried by the row at all;
* a key is found by its matching mode among the keys with a valid value; when several keys of one
  row match, the key spelled exactly as the policy writes it wins, otherwise the smallest in
  code-point order;
* a value is present when it is key-only or its text is not blank; allowed values compare
  exactly with the text and a pattern matches anywhere in it; a key-only tag has no text, so it
  never satisfies ``values`` or ``pattern``.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.costs.periods import SECONDS_PER_DAY
from engine.tag_matching import VALUE_KINDS, normalize_key

TAGS = "Tags"


@dataclass(frozen=True)
class TagRule:
    """A required key with optional allowed values or pattern (a tag-coverage policy's keys)."""

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


# How each kind of tag value (engine.tag_matching.VALUE_KINDS) reads as text, in SQL; None: it has no
# text (a key-only tag). The same table as tag_value() in Python, kind by kind.
TEXT_OF_KIND = {
    "string": lambda d, value: d.json_text(value),
    "true": None,
    "false": lambda d, value: "'false'",
    "integer": lambda d, value: d.json_text(value),
    "float": lambda d, value: d.json_double_text(value),
}
assert TEXT_OF_KIND.keys() == VALUE_KINDS.keys()


def tag_kind_sql(d, value: str) -> str:
    """The kind of the JSON tag value ``value`` (a key of VALUE_KINDS); NULL when absent or invalid."""
    return d.json_tag_kind(value)


def _text(d, var: str) -> str:
    """The text of the tag value in the variable ``var`` (TEXT_OF_KIND); NULL when absent, invalid or key-only."""
    whens = " ".join(f"WHEN {d.string(kind)} THEN {text(d, var)}" for kind, text in TEXT_OF_KIND.items() if text is not None)
    return f"(CASE {tag_kind_sql(d, var)} {whens} END)"


def _present(d, var: str) -> str:
    return f"coalesce({tag_kind_sql(d, var)} = 'true' OR {d.trim_whitespace(_text(d, var))} <> '', false)"


def tag_value_sql(d, key: str, mode: str) -> str:
    """The JSON value of the row's tag ``key`` under ``mode`` (SQL NULL when absent or invalid)."""
    exact = d.let(d.json_member(TAGS, key), "e", f"(CASE WHEN {tag_kind_sql(d, 'e')} IS NOT NULL THEN e END)")
    if mode == "exact":
        return exact
    wanted = d.string(normalize_key(key, mode))
    valid = d.let(d.json_member_dynamic(TAGS, "k"), "m", f"{tag_kind_sql(d, 'm')} IS NOT NULL")
    matching = d.list_filter(d.json_keys(TAGS), "k", f"{normalized_key_sql(d, 'k', mode)} = {wanted} AND {valid}")
    return f"coalesce({exact}, {d.json_member_dynamic(TAGS, d.list_min(matching))})"


def tag_text_of_sql(d, value: str) -> str:
    """The text of the JSON tag value ``value`` by the rule (TEXT_OF_KIND); NULL when absent, invalid or key-only."""
    return d.let(value, "tv", _text(d, "tv"))


def present_sql(d, value: str) -> str:
    """The tag value counts as present (see the module doc); never NULL."""
    return d.let(value, "pv", _present(d, "pv"))


def allowed_sql(d, value: str, rule: TagRule) -> str:
    """The rule holds for the row: present, and allowed when the rule restricts values; never NULL."""
    parts = [_present(d, "av")]
    text = _text(d, "av")
    if rule.values is not None:
        listed = ", ".join(d.string(v) for v in rule.values)
        parts.append(f"coalesce({text} IN ({listed}), false)")
    if rule.pattern is not None:
        parts.append(f"coalesce({d.regex_search(text, rule.pattern)}, false)")
    return d.let(value, "av", "(" + " AND ".join(parts) + ")")


def tag_text_sql(d, key: str, mode: str) -> str:
    """The tag's value as text for grouping: NULL when absent, blank, key-only or invalid."""
    return d.let(tag_value_sql(d, key, mode), "sv", f"(CASE WHEN {d.trim_whitespace(_text(d, 'sv'))} <> '' THEN {_text(d, 'sv')} END)")


# -- filters ----------------------------------------------------------------------------------

def period_filter(d, period) -> str:
    """Rows of the period known at the as-of instant (see :mod:`engine.costs.periods`)."""
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
    short = f"ChargeCategory = 'Usage' AND {d.seconds_between('ChargePeriodStart', 'ChargePeriodEnd')} <= {SECONDS_PER_DAY}"
    return (
        f"SELECT coalesce(max(ChargePeriodEnd) FILTER (WHERE {short}), max(ChargePeriodEnd))"
        f" FROM {table} WHERE {period_filter(d, period)}"
    )


def from_rows(table: str, tags: TagJoin | None) -> str:
    """``FROM`` what a row query reads: the snapshot table as ``f``, joined to the tag columns when there are any."""
    return f"{table} AS f {tags.join()}" if tags is not None else f"{table} AS f"


def with_clause(tags: TagJoin | None, *more: str) -> str:
    """``WITH`` the tag columns (when there are any) and the common table expressions ``more``; empty without either."""
    if tags is None:
        return ("WITH " + ", ".join(more) + " ") if more else ""
    return tags.with_clause(*more)


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
