"""The cost engine's SQL judges tags and owners exactly as the inventory engine's Python does.

The same tag sets go through (a) the ``tagging`` policy type over inventory resources and the
ownership chain's ``resolve``, and (b) the SQL that tag-coverage policies and ``scope: owner``
compile to, run by DuckDB over a FOCUS ``Tags`` column. Every answer must agree.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.checks import tagging
from engine.checks.base import CheckContext
from engine.costs import sql
from engine.costs.dialect import DuckDBDialect
from engine.evaluator import as_of_datetime
from engine.ownership import compile_ownership

D = DuckDBDialect()
KEY_SPELLINGS = ["team", "Team", "TEAM", " team", "team ", "\tteam", "te_am", "te-am", "teams", "cost-center", "cost_center", "CostCenter", "Cost-Center ", "owner"]
VALUES = st.one_of(
    st.sampled_from(["payments", "search", "Payments", "", "   ", " payments", "CC-1234", "cc-1234", "CC-12345", "alice@example.com", "true"]),
    st.just(True),
    st.text(alphabet="ab -_\t", max_size=4),
)
TAG_SETS = st.dictionaries(st.sampled_from(KEY_SPELLINGS), VALUES, max_size=5)

RULES = [
    ("team", None, None),
    ("te-am", None, None),
    ("team", ("payments", "search"), None),
    ("cost-center", None, "^CC-[0-9]{4}$"),
    ("cost_center", None, "[0-9]"),
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
]


def python_allocated(tags: dict, rule, mode: str) -> bool:
    key, values, pattern = rule
    item = {"key": key}
    if values:
        item["values"] = list(values)
    if pattern:
        item["pattern"] = pattern
    check = tagging.compile_spec({"match": mode, "keys": [item]}, lambda *a: pytest.fail(str(a))).bind(CheckContext(as_of_datetime("2026-01-01")))
    return check({"id": "r", "type": "x", "tags": tags}) is None


def sql_allocated(tag_sets: list[dict], rule, mode: str) -> list[bool]:
    key, values, pattern = rule
    expression = sql.allowed_sql(D, sql.tag_value_sql(D, key, mode), sql.TagRule(key, values, pattern))
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (n INTEGER, Tags JSON)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", [(i, json.dumps(tags)) for i, tags in enumerate(tag_sets)])
    return [row[0] for row in connection.execute(f"SELECT {expression} FROM t ORDER BY n").fetchall()]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r[0]}-{'values' if r[1] else 'pattern' if r[2] else 'present'}")
def test_handpicked_tag_sets_agree(rule, mode):
    assert sql_allocated(HANDPICKED, rule, mode) == [python_allocated(tags, rule, mode) for tags in HANDPICKED]


@settings(max_examples=60, deadline=None)
@given(tag_sets=st.lists(TAG_SETS, min_size=1, max_size=20), rule=st.sampled_from(RULES), mode=st.sampled_from(MODES))
def test_generated_tag_sets_agree(tag_sets, rule, mode):
    assert sql_allocated(tag_sets, rule, mode) == [python_allocated(tags, rule, mode) for tags in tag_sets]


OWNERSHIP = {
    "teams": [
        {"id": "payments", "aliases": ["billing-api"], "members": ["alice@example.com"]},
        {"id": "search", "contacts": ["search-oncall@example.com"]},
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
OWNER_VALUES = st.sampled_from(["payments", "Billing-API ", "alice@example.com", "ALICE@example.com", "search-oncall@example.com", "nobody", "", True])
OWNER_TAGS = st.dictionaries(st.sampled_from(["team", "Team", " TEAM", "owner", "Owner", "OWNER"]), OWNER_VALUES, max_size=3)
ROWS = st.tuples(
    OWNER_TAGS,
    st.sampled_from([None, "111111111111", "222222222222"]),
    st.sampled_from([None, "arn:aws:s3:::pay-logs", "i-01", "i-011", "vm-1"]),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROWS, min_size=1, max_size=15))
def test_the_ownership_chain_agrees(rows):
    ownership = compile_ownership(OWNERSHIP, lambda *a: pytest.fail(str(a)))
    expected = [ownership.resolve({"tags": tags, "account": account, "id": rid})[0] for tags, account, rid in rows]
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (n INTEGER, Tags JSON, SubAccountId VARCHAR, BillingAccountId VARCHAR, ResourceId VARCHAR)")
    connection.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?)", [(i, json.dumps(tags), account, "999", rid) for i, (tags, account, rid) in enumerate(rows)]
    )
    got = [r[0] for r in connection.execute(f"SELECT {ownership.sql(D)} FROM t ORDER BY n").fetchall()]
    assert got == expected
