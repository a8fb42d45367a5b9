"""Independent, hand-written DuckDB SQL for costwarden's cost semantics (/work/cost-semantics.md).

This module is the second implementation the cost engine is checked against: it deliberately shares no
code with ``engine/`` (it does not import it) and writes every formula out as plain SQL, in the shape of
the FinOps Foundation FOCUS use-case queries. Every public function opens its own ``duckdb.connect()``,
reads the file itself and returns plain Python values (``Decimal`` sums, ``int`` counts, ``datetime``).

Reading (CSV, CSV.gz or Parquet): nulls are empty fields or the literal ``NULL``; money and quantities
DECIMAL(38,12) (exact; DuckDB rounds extra digits half away from zero at the 12th decimal); period columns
read as instants (TIMESTAMPTZ: an offset such as ``-05:00`` or ``Z`` is applied, no zone means UTC with
``SET TimeZone='UTC'``) and compared as UTC wall time (``AT TIME ZONE 'UTC'``); ``Tags`` JSON; every
other column VARCHAR (account ids stay text).
Columns the formulas use but the file lacks (FOCUS 1.0 has no CommitmentDiscountQuantity/Unit; a
hand-written test file may have only a few columns) read as NULL.

Scopes (the ``scope`` argument of budget_actuals, tag_coverage and commitment):

* ``None`` - one group, scope value None;
* ``"SubAccountId"`` (any column name) - the column's value, null stays null;
* ``("tag", key, mode)`` - the value of the tag (mode ``exact``, ``case-insensitive`` or ``normalized``);
  the value's text (a string; ``false``; a number's digits, or a double's shortest text) when it is
  not blank; missing, blank, key-only ``true`` or an invalid value (null, list, object) gives None;
* ``("owner", steps, names)`` - the ownership chain, see :func:`owner_actuals`.

Results are dicts keyed by ``(scope value, BillingCurrency)``: currencies are never summed together.

Tag rules (cost-semantics "Tag matching", and the one value rule of engine.tag_matching): a member whose
value is null, a list, an object or an infinite number is not a tag of the row at all; the candidate keys
of a row are the others whose key equals the policy key under the mode; the key spelled exactly as the
policy writes it wins, otherwise the smallest key in code-point order. A value's text: a string itself,
``false`` the text false, an integer its digits, a double its shortest round-trip text; ``true`` is
key-only and has no text. A value is present when it is key-only or its text is not empty/whitespace
(space, tab, CR, LF). Allowed values compare exactly with the text; a pattern is a partial regex match
(``regexp_matches``, RE2 syntax) on the text; a key-only ``true`` never satisfies values or a pattern.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb

ALL_CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
AMORTIZED_CHARGE_CATEGORIES = ("Usage", "Tax", "Credit", "Adjustment")  # default for EffectiveCost
MODES = ("exact", "case-insensitive", "normalized")

MONEY_AND_QUANTITY_COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "PricingQuantity",
    "ConsumedQuantity",
    "CommitmentDiscountQuantity",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
)
TIMESTAMP_COLUMNS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")

# Columns the formulas below refer to, with their types; a file without one of them gets it as NULL.
USED_COLUMNS = {
    "BillingAccountId": "VARCHAR",
    "SubAccountId": "VARCHAR",
    "BillingCurrency": "VARCHAR",
    "ChargeCategory": "VARCHAR",
    "ChargePeriodStart": "TIMESTAMP",
    "ChargePeriodEnd": "TIMESTAMP",
    "BilledCost": "DECIMAL(38,12)",
    "EffectiveCost": "DECIMAL(38,12)",
    "ListCost": "DECIMAL(38,12)",
    "ContractedCost": "DECIMAL(38,12)",
    "PricingCategory": "VARCHAR",
    "ResourceId": "VARCHAR",
    "ResourceType": "VARCHAR",
    "ServiceName": "VARCHAR",
    "ServiceCategory": "VARCHAR",
    "SkuId": "VARCHAR",
    "CommitmentDiscountId": "VARCHAR",
    "CommitmentDiscountStatus": "VARCHAR",
    "CommitmentDiscountQuantity": "DECIMAL(38,12)",
    "CommitmentDiscountUnit": "VARCHAR",
    "Tags": "JSON",
}

WHITESPACE_SQL = "E' \\t\\r\\n'"  # the SQL literal of space, tab, CR, LF

# Helpers every query uses, as DuckDB macros so the SQL below reads like the semantics text.
MACROS = f"""
-- key matching: 'normalized' form of a key
CREATE TEMP MACRO normalized_key(k) AS replace(lower(trim(k, {WHITESPACE_SQL})), '_', '-');
-- the text of a tag value (JSON value), NULL for key-only true, a missing key and an invalid value
CREATE TEMP MACRO tag_text(v) AS CASE json_type(v)
    WHEN 'VARCHAR' THEN json_extract_string(v, '$')
    WHEN 'BIGINT' THEN json_extract_string(v, '$')
    WHEN 'UBIGINT' THEN json_extract_string(v, '$')
    WHEN 'DOUBLE' THEN CASE WHEN isfinite(CAST(v AS DOUBLE)) THEN CAST(CAST(v AS DOUBLE) AS VARCHAR) END
    WHEN 'BOOLEAN' THEN CASE WHEN json_extract_string(v, '$') = 'false' THEN 'false' END
  END;
-- a member that counts as a tag at all (null, lists, objects and infinite numbers do not)
CREATE TEMP MACRO tag_valid(v) AS
    json_type(v) IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'BOOLEAN')
    OR (json_type(v) = 'DOUBLE' AND isfinite(CAST(v AS DOUBLE)));
-- a value is present (engine/tag_matching.has_value): key-only true, or a text that is not empty /
-- whitespace only
CREATE TEMP MACRO tag_present(v) AS coalesce(
    (json_type(v) = 'BOOLEAN' AND json_extract_string(v, '$') = 'true')
    OR trim(tag_text(v), {WHITESPACE_SQL}) <> '',
    false);
-- scope tag:<key>: the value's text, NULL when missing, blank, key-only or invalid
CREATE TEMP MACRO tag_scope_value(v) AS
    CASE WHEN trim(tag_text(v), {WHITESPACE_SQL}) <> '' THEN tag_text(v) END;
"""


# ----------------------------------------------------------------------------------------------- reading


def sql_literal(value) -> str:
    """A SQL literal for a str, a datetime/date (TIMESTAMP), a number or None."""
    if value is None:
        return "NULL"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{as_utc_naive(value).isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"TIMESTAMP '{value.isoformat()} 00:00:00'"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def sql_list(values) -> str:
    return ", ".join(sql_literal(v) for v in values)


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def as_utc_naive(value) -> dt.datetime:
    """A date (midnight UTC) or datetime (aware: converted to UTC; naive: taken as UTC) as a naive UTC datetime."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return as_utc_naive(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
    raise TypeError(f"not a date or datetime: {value!r}")


def _csv_header(path: Path) -> list[str]:
    import csv
    import gzip

    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _column_type(name: str) -> str:
    if name in MONEY_AND_QUANTITY_COLUMNS:
        return "DECIMAL(38,12)"
    if name in TIMESTAMP_COLUMNS:
        return "TIMESTAMPTZ"  # an instant; the view `focus` gives its UTC wall time
    if name == "Tags":
        return "JSON"
    return "VARCHAR"


def connect(path) -> duckdb.DuckDBPyConnection:
    """A new connection with the view ``focus`` over the file (explicit types) and the tag macros."""
    path = Path(path)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if path.suffix.lower() == ".parquet":
        names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_literal(str(path))})").fetchall()]
        select = ", ".join(f"CAST({identifier(n)} AS {_column_type(n)}) AS {identifier(n)}" for n in names)
        con.execute(f"CREATE TEMP VIEW focus_file AS SELECT {select} FROM read_parquet({sql_literal(str(path))})")
    else:  # CSV, optionally gzip-compressed (DuckDB picks the compression from the .gz suffix)
        names = _csv_header(path)
        columns = ", ".join(f"{sql_literal(n)}: '{_column_type(n)}'" for n in names)
        con.execute(
            f"""
            CREATE TEMP VIEW focus_file AS
            SELECT * FROM read_csv({sql_literal(str(path))},
                header = true, auto_detect = false, columns = {{{columns}}},
                delim = ',', quote = '"', escape = '"', nullstr = ['NULL', ''])
            """
        )
    missing = [f"CAST(NULL AS {t}) AS {identifier(c)}" for c, t in USED_COLUMNS.items() if c not in names]
    utc = [f"({identifier(c)} AT TIME ZONE 'UTC') AS {identifier(c)}" for c in TIMESTAMP_COLUMNS if c in names]
    replace = f" REPLACE ({', '.join(utc)})" if utc else ""
    con.execute(f"CREATE TEMP VIEW focus AS SELECT *{replace}{''.join(', ' + m for m in missing)} FROM focus_file")
    for statement in MACROS.split(";"):
        if statement.strip():
            con.execute(statement)
    return con


def _decimal(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)


# ------------------------------------------------------------------------------------- tags and scopes


def key_matches_sql(key_sql: str, policy_key: str, mode: str) -> str:
    """SQL: the row's tag key ``key_sql`` matches the policy key under ``mode``."""
    if mode == "exact":
        return f"{key_sql} = {sql_literal(policy_key)}"
    if mode == "case-insensitive":
        return f"lower({key_sql}) = lower({sql_literal(policy_key)})"
    if mode == "normalized":
        return f"normalized_key({key_sql}) = normalized_key({sql_literal(policy_key)})"
    raise ValueError(f"unknown tag matching mode {mode!r} (one of {MODES})")


def tag_value_sql(policy_key: str, mode: str, row: str = "f") -> str:
    """SQL: the JSON value of the winning tag key of the row (NULL when no key matches).

    Winner: the key spelled exactly as the policy writes it, else the smallest key in code-point order."""
    return f"""(
        SELECT e.value
        FROM json_each({row}.Tags) AS e
        WHERE {key_matches_sql('e.key', policy_key, mode)} AND tag_valid(e.value)
        ORDER BY e.key = {sql_literal(policy_key)} DESC, e.key
        LIMIT 1)"""


class _Scope:
    """How a scope is computed: helper columns of the first stage (over ``focus AS f``) and the
    expression of the scope value in the second stage (over those columns)."""

    def __init__(self, stage1: list[str], value_sql: str):
        self.stage1 = stage1
        self.value_sql = value_sql

    def helpers(self) -> str:
        return "".join(f",\n            {c}" for c in self.stage1)


def _scope(con, scope) -> _Scope:
    if scope is None:
        return _Scope([], "CAST(NULL AS VARCHAR)")
    if isinstance(scope, str):
        columns = {row[0] for row in con.execute("DESCRIBE focus").fetchall()}
        if scope not in columns:
            raise KeyError(f"scope column {scope!r} is not in the file")
        return _Scope([], identifier(scope))
    kind = scope[0]
    if kind == "tag":
        _, key, *rest = scope
        mode = rest[0] if rest and rest[0] else "exact"
        return _Scope([f"{tag_value_sql(key, mode)} AS scope_tag"], "tag_scope_value(scope_tag)")
    if kind == "owner":
        _, steps, names = scope
        return _owner_scope(con, steps, names)
    raise ValueError(f"unknown scope {scope!r}")


def _owner_scope(con, steps, names) -> _Scope:
    """The ownership chain as SQL: the first step that names a team wins, else 'unassigned'.

    steps: ("tag", key[, mode]) (mode default normalized; the string value, trimmed and lower-cased, is
    looked up in ``names``), ("accounts", {account: team}) (SubAccountId, BillingAccountId when
    SubAccountId is null), ("resource_ids", [(glob, team), ...]) (ResourceId GLOB pattern, first match
    wins; a null ResourceId matches nothing), ("default", team).
    names: {lower-cased name (team id, alias, contact, member email): team}."""
    con.execute("CREATE TEMP TABLE owner_names (name VARCHAR, team VARCHAR)")
    con.execute("CREATE TEMP TABLE owner_accounts (step INTEGER, account VARCHAR, team VARCHAR)")
    con.execute("CREATE TEMP TABLE owner_resource_ids (step INTEGER, position INTEGER, pattern VARCHAR, team VARCHAR)")
    if names:
        con.executemany("INSERT INTO owner_names VALUES (?, ?)", list(names.items()))
    stage1: list[str] = []
    choices: list[str] = []
    for index, step in enumerate(steps):
        kind = step[0]
        if kind == "tag":
            key = step[1]
            mode = step[2] if len(step) > 2 and step[2] else "normalized"
            stage1.append(f"{tag_value_sql(key, mode)} AS owner_tag_{index}")
            choices.append(
                f"(SELECT n.team FROM owner_names AS n "
                f"WHERE n.name = lower(trim(tag_text(p.owner_tag_{index}), {WHITESPACE_SQL})))"
            )
        elif kind == "accounts":
            if step[1]:
                con.executemany(
                    "INSERT INTO owner_accounts VALUES (?, ?, ?)", [(index, a, t) for a, t in step[1].items()]
                )
            choices.append(
                f"(SELECT a.team FROM owner_accounts AS a "
                f"WHERE a.step = {index} AND a.account = coalesce(p.SubAccountId, p.BillingAccountId))"
            )
        elif kind == "resource_ids":
            if step[1]:
                con.executemany(
                    "INSERT INTO owner_resource_ids VALUES (?, ?, ?, ?)",
                    [(index, position, pattern, team) for position, (pattern, team) in enumerate(step[1])],
                )
            choices.append(
                f"(SELECT r.team FROM owner_resource_ids AS r "
                f"WHERE r.step = {index} AND p.ResourceId GLOB r.pattern ORDER BY r.position LIMIT 1)"
            )
        elif kind == "default":
            choices.append(sql_literal(step[1]))
        else:
            raise ValueError(f"unknown ownership step {step!r}")
    choices.append("'unassigned'")
    return _Scope(stage1, "coalesce(\n                " + ",\n                ".join(choices) + ")")


# ------------------------------------------------------------------------------------------------ budget


def default_charge_categories(measure: str) -> tuple[str, ...]:
    return AMORTIZED_CHARGE_CATEGORIES if measure == "EffectiveCost" else ALL_CHARGE_CATEGORIES


def budget_actuals(path, start, end, measure="BilledCost", charge_categories=None, scope=None) -> dict:
    """{(scope value, currency): Decimal} = Σ measure over rows with start <= ChargePeriodStart < end and
    ChargeCategory in charge_categories (default: all five for BilledCost; Usage, Tax, Credit,
    Adjustment for EffectiveCost). Rows with a null or other ChargeCategory are never counted."""
    if measure not in MONEY_AND_QUANTITY_COLUMNS:
        raise ValueError(f"measure {measure!r} is not a cost column")
    categories = tuple(charge_categories) if charge_categories is not None else default_charge_categories(measure)
    con = connect(path)
    scope_sql = _scope(con, scope)
    rows = con.execute(
        f"""
        WITH period_rows AS (
          SELECT f.*{scope_sql.helpers()}
          FROM focus AS f
          WHERE f.ChargePeriodStart >= {sql_literal(start)}
            AND f.ChargePeriodStart <  {sql_literal(end)}
            AND f.ChargeCategory IN ({sql_list(categories) or 'NULL'})
        ),
        scoped AS (
          SELECT {scope_sql.value_sql} AS scope_value, p.BillingCurrency, p.{identifier(measure)} AS amount
          FROM period_rows AS p
        )
        SELECT scope_value, BillingCurrency, coalesce(sum(amount), 0) AS actual
        FROM scoped
        GROUP BY scope_value, BillingCurrency
        """
    ).fetchall()
    con.close()
    return {(scope_value, currency): _decimal(actual) for scope_value, currency, actual in rows}


def owner_actuals(path, start, end, steps, names, measure="BilledCost", charge_categories=None) -> dict:
    """{(team, currency): Decimal}: budget_actuals with scope owner (see _owner_scope for steps/names);
    rows no step resolves are under 'unassigned'."""
    return budget_actuals(path, start, end, measure, charge_categories, scope=("owner", steps, names))


def data_end(path, start, end) -> dt.datetime | None:
    """How far the data reaches (cost-semantics CHANGE): max(ChargePeriodEnd) over the Usage rows with
    start <= ChargePeriodStart < end whose charge period is at most one day; when there are none, over all
    those rows (any ChargeCategory)."""
    con = connect(path)
    (value,) = con.execute(
        f"""
        SELECT coalesce(
            max(ChargePeriodEnd) FILTER (WHERE ChargeCategory = 'Usage'
                                         AND ChargePeriodEnd - ChargePeriodStart <= INTERVAL 1 DAY),
            max(ChargePeriodEnd))
        FROM focus
        WHERE ChargePeriodStart >= {sql_literal(start)} AND ChargePeriodStart < {sql_literal(end)}
        """
    ).fetchone()
    con.close()
    return value


# Plain-Python arithmetic the semantics define on top of the SQL sums (periods, forecast, percentages).


def period_bounds(as_of, period: str, fiscal_year_start: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month / quarter / year containing as_of (a date means its 00:00 UTC)."""
    moment = as_utc_naive(as_of)
    if period == "month":
        first_month, length = moment.month, 1
    elif period in ("quarter", "year"):
        length = 3 if period == "quarter" else 12
        months_into_year = (moment.month - fiscal_year_start) % 12
        first_month = (fiscal_year_start - 1 + months_into_year - months_into_year % length) % 12 + 1
    else:
        raise ValueError(f"unknown period {period!r}")
    year = moment.year if first_month <= moment.month else moment.year - 1
    start = dt.datetime(year, first_month, 1)
    end_index = year * 12 + (first_month - 1) + length
    return start, dt.datetime(end_index // 12, end_index % 12 + 1, 1)


def round_half_even_2(value) -> Decimal:
    """Exact value (Fraction, Decimal or int) rounded to 2 decimals, half to even."""
    hundredths = round(Fraction(value) * 100)  # Fraction rounding is exact and half-to-even
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def budget_forecast(actual, start, end, as_of, data_end_value) -> Decimal:
    """forecast = actual * total / elapsed (actual when elapsed is 0), rounded half-even to 2 decimals.
    elapsed_end = min(as_of, data_end, end) (data_end None: ignored); elapsed = max(0, elapsed_end - start)."""
    start, end, as_of = as_utc_naive(start), as_utc_naive(end), as_utc_naive(as_of)
    candidates = [as_of, end] + ([as_utc_naive(data_end_value)] if data_end_value is not None else [])
    elapsed = max(dt.timedelta(0), min(candidates) - start)
    total = end - start
    if elapsed == dt.timedelta(0):
        return round_half_even_2(Decimal(actual))
    micro = dt.timedelta(microseconds=1)
    return round_half_even_2(Fraction(Decimal(actual)) * Fraction(total // micro, elapsed // micro))


def percent_of(amount, budget) -> Decimal:
    """amount / budget * 100, rounded half-even to 2 decimals."""
    return round_half_even_2(Fraction(Decimal(amount)) * 100 / Fraction(Decimal(budget)))


def threshold_crossed(actual, budget, percent) -> bool:
    """The exact comparison actual * 100 >= percent * budget."""
    return Decimal(actual) * 100 >= Decimal(percent) * Decimal(budget)


# ------------------------------------------------------------------------------------------ tag coverage


def _key_specs(keys) -> list[tuple[str, tuple | None, str | None]]:
    specs = []
    for item in keys:
        if isinstance(item, str):
            item = (item, None, None)
        key, values, pattern = (tuple(item) + (None, None))[:3]
        specs.append((key, tuple(values) if values is not None else None, pattern))
    if len({k for k, _, _ in specs}) != len(specs):
        raise ValueError("each key may appear once")
    return specs


def tag_coverage(path, start, end, keys, mode="exact", charge_categories=None, scope=None, top=10) -> dict:
    """Tag coverage per (scope value, currency).

    keys: [(key, allowed values or None, pattern or None), ...] (a plain str is a key with neither).
    Rows: start <= ChargePeriodStart < end, EffectiveCost > 0, ChargeCategory in charge_categories
    (default all five). allocated_k = the tag matched under mode, value present, and (when given) the
    string value in values and/or the pattern found in it; allocated = allocated_k for every key.

    Returns {(scope value, currency): {
        "total_cost": Decimal, "allocated_cost": Decimal, "unallocated_cost": Decimal,
        "total_rows": int, "allocated_rows": int,
        "keys": {key: {"allocated_cost": Decimal, "allocated_rows": int}},
        "top_unallocated": [(ResourceId, Decimal), ...]  # not-allocated rows with a ResourceId, grouped by
                                                          # ResourceId, Σ EffectiveCost desc then id asc, `top`
    }}"""
    specs = _key_specs(keys)
    categories = tuple(charge_categories) if charge_categories is not None else ALL_CHARGE_CATEGORIES
    con = connect(path)
    scope_sql = _scope(con, scope)
    tag_columns = "".join(
        f",\n            {tag_value_sql(key, mode)} AS tag_{i}" for i, (key, _, _) in enumerate(specs)
    )

    def allocated_sql(i: int, values, pattern) -> str:
        conditions = [f"tag_present(p.tag_{i})"]
        if values is not None:
            conditions.append(f"tag_text(p.tag_{i}) IN ({sql_list(values)})" if values else "false")
        if pattern is not None:
            conditions.append(f"regexp_matches(tag_text(p.tag_{i}), {sql_literal(pattern)})")
        return "coalesce(" + " AND ".join(conditions) + ", false)"

    key_columns = "".join(
        f",\n            {allocated_sql(i, values, pattern)} AS allocated_{i}" for i, (_, values, pattern) in enumerate(specs)
    )
    all_keys = " AND ".join(f"allocated_{i}" for i in range(len(specs))) or "true"
    con.execute(
        f"""
        CREATE TEMP TABLE classified AS
        WITH period_rows AS (
          SELECT f.*{tag_columns}{scope_sql.helpers()}
          FROM focus AS f
          WHERE f.ChargePeriodStart >= {sql_literal(start)}
            AND f.ChargePeriodStart <  {sql_literal(end)}
            AND f.EffectiveCost > 0
            AND f.ChargeCategory IN ({sql_list(categories) or 'NULL'})
        ),
        per_key AS (
          SELECT {scope_sql.value_sql} AS scope_value, p.BillingCurrency, p.ResourceId, p.EffectiveCost{key_columns}
          FROM period_rows AS p
        )
        SELECT *, {all_keys} AS allocated FROM per_key
        """
    )
    per_key_sums = "".join(
        f",\n          coalesce(sum(EffectiveCost) FILTER (WHERE allocated_{i}), 0),"
        f" count(*) FILTER (WHERE allocated_{i})"
        for i in range(len(specs))
    )
    groups = con.execute(
        f"""
        SELECT scope_value, BillingCurrency,
          sum(EffectiveCost) AS total_cost,
          coalesce(sum(EffectiveCost) FILTER (WHERE allocated), 0) AS allocated_cost,
          coalesce(sum(EffectiveCost) FILTER (WHERE NOT allocated), 0) AS unallocated_cost,
          count(*) AS total_rows,
          count(*) FILTER (WHERE allocated) AS allocated_rows{per_key_sums}
        FROM classified
        GROUP BY scope_value, BillingCurrency
        """
    ).fetchall()
    limit = "" if top is None else f"WHERE rank <= {int(top)}"
    tops = con.execute(
        f"""
        WITH unallocated_resources AS (
          SELECT scope_value, BillingCurrency, ResourceId, sum(EffectiveCost) AS cost
          FROM classified
          WHERE NOT allocated AND ResourceId IS NOT NULL
          GROUP BY scope_value, BillingCurrency, ResourceId
        ),
        ranked AS (
          SELECT *, row_number() OVER (
              PARTITION BY scope_value, BillingCurrency ORDER BY cost DESC, ResourceId ASC) AS rank
          FROM unallocated_resources
        )
        SELECT scope_value, BillingCurrency, ResourceId, cost FROM ranked {limit}
        ORDER BY scope_value, BillingCurrency, rank
        """
    ).fetchall()
    con.close()
    result = {}
    for row in groups:
        scope_value, currency, total_cost, allocated_cost, unallocated_cost, total_rows, allocated_rows = row[:7]
        per_key = row[7:]
        result[(scope_value, currency)] = {
            "total_cost": _decimal(total_cost),
            "allocated_cost": _decimal(allocated_cost),
            "unallocated_cost": _decimal(unallocated_cost),
            "total_rows": total_rows,
            "allocated_rows": allocated_rows,
            "keys": {
                key: {"allocated_cost": _decimal(per_key[2 * i]), "allocated_rows": per_key[2 * i + 1]}
                for i, (key, _, _) in enumerate(specs)
            },
            "top_unallocated": [],
        }
    for scope_value, currency, resource_id, cost in tops:
        result[(scope_value, currency)]["top_unallocated"].append((resource_id, _decimal(cost)))
    return result


# -------------------------------------------------------------------------------------------- commitment

ELIGIBILITY_COLUMNS = {
    "services": "ServiceName",
    "service_categories": "ServiceCategory",
    "skus": "SkuId",
    "resource_types": "ResourceType",
}
PRICE_COLUMNS = ("ContractedCost", "ListCost", "EffectiveCost")


def eligible_sql(eligible, row: str = "p") -> str:
    """SQL: the row is eligible (AND across the given fields, IN within a list; an empty list matches none)."""
    conditions = []
    for field_name, values in (eligible or {}).items():
        if field_name not in ELIGIBILITY_COLUMNS:
            raise ValueError(f"unknown eligibility field {field_name!r} (one of {sorted(ELIGIBILITY_COLUMNS)})")
        if values is None:
            continue
        column = f"{row}.{ELIGIBILITY_COLUMNS[field_name]}"
        conditions.append(f"{column} IN ({sql_list(values)})" if values else "false")
    return " AND ".join(conditions) or "true"


def commitment(path, start, end, eligible=None, price_column="ContractedCost", scope=None, top=10) -> dict:
    """Commitment utilization and coverage per (scope value, currency).

    Utilization rows: in period, ChargeCategory = 'Usage', CommitmentDiscountId not null.
    Coverage rows: in period, ChargeCategory = 'Usage', status null or not 'Unused', PricingCategory null or
    not 'Dynamic', eligible ({"services": [...], "service_categories": [...], "skus": [...],
    "resource_types": [...]}; None = everything). Covered = PricingCategory = 'Committed'.

    Returns {(scope value, currency): {
        "utilization_rows": int,
        "used_cost": Decimal, "unused_cost": Decimal,          # utilization = used / (used + unused)
        "quantity_unit": str | None,                          # the one distinct non-null unit, else None
        "used_quantity": Decimal | None, "unused_quantity": Decimal | None,  # None unless exactly one unit
        "coverage_rows": int,
        "covered_price": Decimal, "eligible_price": Decimal,  # coverage = covered / eligible (price_column)
        "uncovered_cost": Decimal,                            # Σ EffectiveCost of not-covered coverage rows
        "top_commitments": [(CommitmentDiscountId, unused Decimal), ...],  # every commitment of the group's
                                                             # utilization rows, unused desc, id asc, `top`
    }} (sums over no rows are 0)."""
    if price_column not in PRICE_COLUMNS:
        raise ValueError(f"price column {price_column!r} is not one of {PRICE_COLUMNS}")
    con = connect(path)
    scope_sql = _scope(con, scope)
    con.execute(
        f"""
        CREATE TEMP TABLE period_rows AS
        WITH in_period AS (
          SELECT f.*{scope_sql.helpers()}
          FROM focus AS f
          WHERE f.ChargePeriodStart >= {sql_literal(start)} AND f.ChargePeriodStart < {sql_literal(end)}
        )
        SELECT {scope_sql.value_sql} AS scope_value, p.*
        FROM in_period AS p
        """
    )
    utilization = con.execute(
        """
        SELECT scope_value, BillingCurrency,
          count(*) AS utilization_rows,
          coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used'), 0) AS used_cost,
          coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0) AS unused_cost,
          coalesce(sum(CommitmentDiscountQuantity) FILTER (WHERE CommitmentDiscountStatus = 'Used'), 0) AS used_quantity,
          coalesce(sum(CommitmentDiscountQuantity) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0) AS unused_quantity,
          count(DISTINCT CommitmentDiscountUnit) AS units,
          min(CommitmentDiscountUnit) AS unit
        FROM period_rows
        WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL
        GROUP BY scope_value, BillingCurrency
        """
    ).fetchall()
    coverage = con.execute(
        f"""
        SELECT scope_value, BillingCurrency,
          count(*) AS coverage_rows,
          coalesce(sum({identifier(price_column)}) FILTER (WHERE PricingCategory = 'Committed'), 0) AS covered_price,
          coalesce(sum({identifier(price_column)}), 0) AS eligible_price,
          coalesce(sum(EffectiveCost) FILTER (WHERE PricingCategory IS DISTINCT FROM 'Committed'), 0) AS uncovered_cost
        FROM period_rows AS p
        WHERE ChargeCategory = 'Usage'
          AND (CommitmentDiscountStatus IS NULL OR CommitmentDiscountStatus <> 'Unused')
          AND (PricingCategory IS NULL OR PricingCategory <> 'Dynamic')
          AND {eligible_sql(eligible)}
        GROUP BY scope_value, BillingCurrency
        """
    ).fetchall()
    limit = "" if top is None else f"WHERE rank <= {int(top)}"
    tops = con.execute(
        f"""
        WITH per_commitment AS (
          SELECT scope_value, BillingCurrency, CommitmentDiscountId,
                 coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0) AS unused
          FROM period_rows
          WHERE ChargeCategory = 'Usage' AND CommitmentDiscountId IS NOT NULL
          GROUP BY scope_value, BillingCurrency, CommitmentDiscountId
        ),
        ranked AS (
          SELECT *, row_number() OVER (
              PARTITION BY scope_value, BillingCurrency ORDER BY unused DESC, CommitmentDiscountId ASC) AS rank
          FROM per_commitment
        )
        SELECT scope_value, BillingCurrency, CommitmentDiscountId, unused FROM ranked {limit}
        ORDER BY scope_value, BillingCurrency, rank
        """
    ).fetchall()
    con.close()

    def empty() -> dict:
        return {
            "utilization_rows": 0, "used_cost": Decimal(0), "unused_cost": Decimal(0), "quantity_unit": None,
            "used_quantity": None, "unused_quantity": None, "coverage_rows": 0, "covered_price": Decimal(0),
            "eligible_price": Decimal(0), "uncovered_cost": Decimal(0), "top_commitments": [],
        }  # fmt: skip

    result: dict = {}
    for scope_value, currency, n, used, unused, used_q, unused_q, units, unit in utilization:
        group = result.setdefault((scope_value, currency), empty())
        group.update(utilization_rows=n, used_cost=_decimal(used), unused_cost=_decimal(unused))
        if units == 1:
            group.update(quantity_unit=unit, used_quantity=_decimal(used_q), unused_quantity=_decimal(unused_q))
    for scope_value, currency, n, covered, eligible_price, uncovered in coverage:
        group = result.setdefault((scope_value, currency), empty())
        group.update(
            coverage_rows=n,
            covered_price=_decimal(covered),
            eligible_price=_decimal(eligible_price),
            uncovered_cost=_decimal(uncovered),
        )
    for scope_value, currency, commitment_id, unused in tops:
        result[(scope_value, currency)]["top_commitments"].append((commitment_id, _decimal(unused)))
    return result


# ------------------------------------------------------------------------------- resource monthly cost

GCP_PREFIX_REGEX = r"^//[^/]+\.googleapis\.com/"


def normalize_resource_id(resource_id: str) -> str:
    """Python twin of the SQL normalization (for inventory-side lookups in tests): lower-case, then a
    leading //SERVICE.googleapis.com/ removed."""
    import re

    return re.sub(GCP_PREFIX_REGEX, "", resource_id.lower(), count=1)


def resource_monthly_costs_detail(path, as_of) -> dict:
    """{(normalized ResourceId, currency): {"cost": Decimal, "span_hours": Fraction, "monthly": Decimal | None,
    "window": (start, end)}}.

    W_end = min(as_of, max(ChargePeriodEnd) of the whole file); window = [W_end - 30 days, W_end).
    Rows: Usage, window start <= ChargePeriodStart < W_end, ResourceId not null. cost = Σ EffectiveCost;
    span = min(max(ChargePeriodEnd), W_end) - min(ChargePeriodStart); monthly = cost / span_hours * 730,
    computed exactly and rounded half-even to 2 decimals (None when the span is 0)."""
    con = connect(path)
    rows = con.execute(
        f"""
        WITH snapshot AS (
          SELECT least({sql_literal(as_of)}, max(ChargePeriodEnd)) AS window_end FROM focus
        ),
        window_rows AS (
          SELECT regexp_replace(lower(f.ResourceId), '{GCP_PREFIX_REGEX}', '') AS resource_key,
                 f.BillingCurrency, f.EffectiveCost, f.ChargePeriodStart, f.ChargePeriodEnd,
                 s.window_end, s.window_end - INTERVAL 30 DAY AS window_start
          FROM focus AS f, snapshot AS s
          WHERE f.ChargeCategory = 'Usage'
            AND f.ResourceId IS NOT NULL
            AND f.ChargePeriodStart >= s.window_end - INTERVAL 30 DAY
            AND f.ChargePeriodStart <  s.window_end
        )
        SELECT resource_key, BillingCurrency,
               coalesce(sum(EffectiveCost), 0) AS cost,
               date_diff('microsecond', min(ChargePeriodStart), least(max(ChargePeriodEnd), any_value(window_end))) AS span_us,
               any_value(window_start), any_value(window_end)
        FROM window_rows
        GROUP BY resource_key, BillingCurrency
        """
    ).fetchall()
    con.close()
    result = {}
    for key, currency, cost, span_us, window_start, window_end in rows:
        span_hours = Fraction(span_us, 3_600_000_000)
        monthly = round_half_even_2(Fraction(Decimal(cost)) / span_hours * 730) if span_us > 0 else None
        result[(key, currency)] = {
            "cost": _decimal(cost),
            "span_hours": span_hours,
            "monthly": monthly,
            "window": (window_start, window_end),
        }
    return result


def resource_monthly_costs_by_currency(path, as_of) -> dict:
    """{(normalized ResourceId, currency): monthly Decimal (or None for a zero span)}."""
    return {k: v["monthly"] for k, v in resource_monthly_costs_detail(path, as_of).items()}


def resource_monthly_costs(path, as_of) -> dict:
    """{normalized ResourceId: (currency, monthly Decimal)}; ValueError when one id has several currencies."""
    result: dict = {}
    for (key, currency), monthly in resource_monthly_costs_by_currency(path, as_of).items():
        if key in result:
            raise ValueError(f"resource {key!r} has costs in several currencies; use resource_monthly_costs_by_currency")
        result[key] = (currency, monthly)
    return result
