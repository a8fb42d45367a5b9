"""One tag semantics everywhere: the cost engine's SQL judges tags and owners exactly as the inventory
engine's Python does, for tag values of every JSON kind.

A tag map goes (a) through the rule of :func:`engine.tag_matching.tag_value` as an inventory reads it
(invalid values — null, lists, objects — are dropped here, where an inventory reports them as E405)
into the ``tagging`` policy type, the ownership chain's ``resolve`` and a plain-Python scope value,
and (b) as JSON text into a FOCUS ``Tags`` column, through the SQL that tag-coverage policies, budget
``tag:KEY`` scopes and ``scope: owner`` compile to — computed per distinct Tags value and joined back
(:class:`engine.costs.sql.TagJoin`), as the engine runs it. Every answer must agree, on every
matching mode.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.checks import tagging
from engine.checks.base import CheckContext
from engine.checks.tag_coverage import allocation_flags
from engine.costs import sql
from engine.costs.dialect import DuckDBDialect
from engine.costs.scope import Scope
from engine.evaluator import as_of_datetime
from engine.ownership import compile_ownership
from engine.tag_matching import INVALID, VALUE_KINDS, find_tag, tag_value, value_kind

D = DuckDBDialect()
KEY_SPELLINGS = ["team", "Team", "TEAM", " team", "team ", "\tteam", "te_am", "te-am", "teams", "cost-center", "cost_center", "CostCenter", "Cost-Center ", "owner"]
SCALARS = st.one_of(
    st.sampled_from(["payments", "search", "Payments", "", "   ", " payments", "CC-1234", "cc-1234", "CC-12345", "alice@example.com",
                     "true", "false", "5", "1.5", "1e+20"]),
    st.booleans(),
    st.sampled_from([5, 0, -3, 1234, 2**63 - 1, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**30]),
    st.integers(),
    st.sampled_from([1.5, 1.0, -0.0, 0.1, 1e20, 1e16, 1e15, 2.5e-5, 1e-7, 1500.0, 12345678901234567.0]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet="ab -_\t5", max_size=4),
)
VALUES = st.one_of(SCALARS, st.none(), st.lists(SCALARS, max_size=2), st.dictionaries(st.sampled_from(["a", "team"]), SCALARS, max_size=2))
TAG_SETS = st.dictionaries(st.sampled_from(KEY_SPELLINGS), VALUES, max_size=5)

RULES = [
    ("team", None, None),
    ("te-am", None, None),
    ("team", ("payments", "search"), None),
    ("team", ("5", "1.5", "false", "1e+20", "0", "-0.0"), None),
    ("cost-center", None, "^CC-[0-9]{4}$"),
    ("cost_center", None, "[0-9]"),
    ("team", None, "^-?[0-9]+$"),
    ("owner", None, None),
]
MODES = ["exact", "case-insensitive", "normalized"]

HANDPICKED = [
    {},
    {"team": "payments"},
    {"Team": "payments", "team": "search"},  # collision: the exact spelling wins
    {"Team": "payments", "TEAM": "search"},  # collision, neither exact: the smallest key wins
    {" team": "payments"},
    {"team": ""},
    {"team": "   "},
    {"team": True},  # key-only
    {"te_am": "payments"},
    {"cost_center": "CC-1234", "CostCenter": "CC-9"},
    {"Cost-Center ": "CC-1234"},
    {"team": "true"},
    {"team": False},  # the text "false"
    {"team": 5},  # the text "5"
    {"team": 1.5},
    {"team": 1.0},  # "1.0": a double prints as Python's repr
    {"team": 1e20},  # "1e+20"
    {"team": 2**64},  # beyond 64 bits: a double, "1.8446744073709552e+19"
    {"team": None},  # invalid: not carried
    {"team": {"a": 1}},  # invalid
    {"team": ["payments"]},  # invalid
    {"team": {"a": 1}, "Team": "payments"},  # the invalid exact spelling is not carried: Team wins
    {"TEAM": None, "Team": 5},
]


def canonical(tags: dict) -> dict:
    """The tags as an inventory holds them: each value read by the rule, invalid ones left out."""
    return {key: value for key, value in ((k, tag_value(v)) for k, v in tags.items()) if value is not INVALID}


def python_allocated(tags: dict, rule, mode: str) -> bool:
    key, values, pattern = rule
    item = {"key": key}
    if values:
        item["values"] = list(values)
    if pattern:
        item["pattern"] = pattern
    check = tagging.compile_spec({"match": mode, "keys": [item]}, lambda *a: pytest.fail(str(a))).bind(CheckContext(as_of_datetime("2026-01-01")))
    return check({"id": "r", "type": "x", "tags": canonical(tags)}) is None


def python_scope_value(tags: dict, key: str, mode: str):
    """A budget's ``tag:KEY`` scope value: the value's text when it is not blank, else None."""
    hit = find_tag(canonical(tags), key, mode)
    value = hit.value if hit is not None else None
    return value if isinstance(value, str) and value.strip(" \t\r\n") else None


def sql_rows(tag_sets: list, expression) -> list:
    """``expression(tags)`` (a function of a TagJoin, returning SQL) for each tag set, as the engine runs it:
    computed once per distinct Tags value and joined back to the rows."""
    connection = duckdb.connect()
    connection.execute("CREATE TABLE focus (n INTEGER, Tags JSON, SubAccountId VARCHAR, BillingAccountId VARCHAR, ResourceId VARCHAR)")
    rows = [(i, json.dumps(tags) if tags is not None else None) for i, tags in enumerate(tag_sets)]
    connection.executemany("INSERT INTO focus (n, Tags) VALUES (?, ?)", rows)
    tags = sql.TagJoin("focus", "true")
    column = expression(tags)
    query = f"{sql.with_clause(tags)}SELECT {column} FROM {sql.from_rows('focus', tags)} ORDER BY f.n"
    return [row[0] for row in connection.execute(query).fetchall()]


def sql_allocated(tag_sets: list[dict], rule, mode: str) -> list[bool]:
    key, values, pattern = rule
    return sql_rows(tag_sets, lambda tags: allocation_flags(D, [sql.TagRule(key, values, pattern)], mode, tags)[0])


def sql_scope_values(tag_sets: list[dict], key: str, mode: str) -> list:
    return sql_rows(tag_sets, lambda tags: Scope(f"tag:{key}", tag=key, match=mode).sql(D, None, tags))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r[0]}-{'values' if r[1] else 'pattern' if r[2] else 'present'}")
def test_handpicked_tag_sets_agree(rule, mode):
    assert sql_allocated(HANDPICKED, rule, mode) == [python_allocated(tags, rule, mode) for tags in HANDPICKED]


@pytest.mark.parametrize("mode", MODES)
def test_handpicked_scope_values_agree(mode):
    for key in ("team", "te-am", "cost-center"):
        assert sql_scope_values(HANDPICKED, key, mode) == [python_scope_value(tags, key, mode) for tags in HANDPICKED]


def test_scalars_read_as_their_text_and_the_rest_is_not_carried():
    """What the rule gives, as a user writes it (engine/tag_matching.py's table)."""
    tags = [{"team": v} for v in ("x", True, False, 5, -12, 1.5, 1.0, 1e20, 2.5e-05, 2**64, None, [1], {"a": 1})]
    expected = ["x", None, "false", "5", "-12", "1.5", "1.0", "1e+20", "2.5e-05", "1.8446744073709552e+19", None, None, None]
    assert sql_scope_values(tags, "team", "exact") == expected
    assert [python_scope_value(t, "team", "exact") for t in tags] == expected
    assert set(VALUE_KINDS) == {value_kind(v) for v in ("x", True, False, 5, 1.5)}
    assert {value_kind(v) for v in (None, [1], {"a": 1}, float("inf"), float("nan"), 10**400)} == {None}


@pytest.mark.parametrize("text, expected", [
    ('{"team": 1e400}', None),  # an infinite number is invalid (Python's json reads inf, DuckDB a DOUBLE)
    ('{"team": -1e400}', None),
    ('{"team": 1e-400}', "0.0"),
    ('{"team": 123456789012345678901234567890}', "1.2345678901234568e+29"),
    ('{"team": -0}', "0"),
    ('{"team": 1E2}', "100.0"),
    ('{"team": "caf\\u00e9"}', "café"),
])
def test_json_number_texts_read_alike_in_python_and_sql(text, expected):
    """Spellings json.dumps never writes: the SQL reads the text DuckDB parses, Python the value json.loads gives."""
    assert python_scope_value(json.loads(text), "team", "exact") == expected
    connection = duckdb.connect()
    connection.execute("CREATE TABLE focus (n INTEGER, Tags JSON)")
    connection.execute("INSERT INTO focus VALUES (0, ?)", [text])
    assert connection.execute(f"SELECT {sql.tag_text_sql(D, 'team', 'exact')} FROM focus").fetchone()[0] == expected


@settings(max_examples=150, deadline=None)
@given(tag_sets=st.lists(TAG_SETS, min_size=1, max_size=20), rule=st.sampled_from(RULES), mode=st.sampled_from(MODES))
def test_generated_tag_sets_agree(tag_sets, rule, mode):
    assert sql_allocated(tag_sets, rule, mode) == [python_allocated(tags, rule, mode) for tags in tag_sets]
    key = rule[0]
    assert sql_scope_values(tag_sets, key, mode) == [python_scope_value(tags, key, mode) for tags in tag_sets]


OWNERSHIP = {
    "teams": [
        {"id": "payments", "aliases": ["billing-api", "5"], "members": ["alice@example.com"]},
        {"id": "search", "contacts": ["search-oncall@example.com"], "aliases": ["1.5", "false"]},
        {"id": "finops"},
    ],
    "resolution": [
        {"tag": "team"},
        {"tag": "Owner", "match": "exact"},
        {"accounts": {"111111111111": "search"}},
        {"resource_ids": [{"pattern": "arn:aws:s3:::pay-*", "team": "payments"}, {"pattern": "i-0?", "team": "search"}]},
        {"default": "finops"},
    ],
}
OWNER_VALUES = st.one_of(
    st.sampled_from(["payments", "Billing-API ", "alice@example.com", "ALICE@example.com", "search-oncall@example.com", "nobody", "",
                     True, False, 5, 1.5, 5.0, None, ["payments"], {"team": "payments"}]),
)
OWNER_TAGS = st.dictionaries(st.sampled_from(["team", "Team", " TEAM", "owner", "Owner", "OWNER"]), OWNER_VALUES, max_size=3)
ROWS = st.tuples(
    OWNER_TAGS,
    st.sampled_from([None, "111111111111", "222222222222"]),
    st.sampled_from([None, "arn:aws:s3:::pay-logs", "i-01", "i-011", "vm-1"]),
)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(ROWS, min_size=1, max_size=15))
def test_the_ownership_chain_agrees(rows):
    ownership = compile_ownership(OWNERSHIP, lambda *a: pytest.fail(str(a)))
    expected = [ownership.resolve({"tags": canonical(tags), "account": account, "id": rid})[0] for tags, account, rid in rows]
    connection = duckdb.connect()
    connection.execute("CREATE TABLE focus (n INTEGER, Tags JSON, SubAccountId VARCHAR, BillingAccountId VARCHAR, ResourceId VARCHAR)")
    connection.executemany(
        "INSERT INTO focus VALUES (?, ?, ?, ?, ?)", [(i, json.dumps(tags), account, "999", rid) for i, (tags, account, rid) in enumerate(rows)]
    )
    tags = sql.TagJoin("focus", "true")
    column = ownership.sql(D, tags)
    got = [r[0] for r in connection.execute(
        f"{sql.with_clause(tags)}SELECT {column} FROM {sql.from_rows('focus', tags)} ORDER BY f.n").fetchall()]
    assert got == expected
    assert [r[0] for r in connection.execute(f"SELECT {ownership.sql(D)} FROM focus ORDER BY n").fetchall()] == expected


def test_a_focus_file_with_invalid_tag_values_loads_with_one_warning_naming_the_file_and_the_rows(write):
    """An object, a list or null as a tag value: the row does not carry that key (as an inventory could
    not, where it is E405), and the reader says so once per file."""
    from engine.costs.reader import load_costs

    header = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,Tags\n"
    rows = ['{"team":"payments"}', '{"team":{"a":1},"env":"prod"}', '{"team":["x"]}', '{"team":null,"Team":"search"}',
            '{"team":false}', '{"team":{"a":1},"env":"prod"}']
    text = header + "".join(f'1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z,"{r.replace(chr(34), chr(34) * 2)}"\n' for r in rows)
    path = write("costs.csv", text)
    costs = load_costs([str(path)])
    assert costs.warnings == [
        f"{path}: 4 rows with a tag whose value is null, a list, an object or an infinite number (key 'team'): a tag value"
        " is a string, a number or a boolean, so those rows do not carry those keys"]
    texts = [r[0] for r in costs.query(f"SELECT {sql.tag_text_sql(D, 'team', 'case-insensitive')} FROM focus")]
    assert texts == ["payments", None, None, "search", "false", None]
