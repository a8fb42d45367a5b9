"""Sanity tests of the independent checks themselves (tests/independent_sql.py, tests/focus_data.py).

Expected numbers are worked out by hand (the tiny CSVs) or computed a second way without DuckDB (Python
csv + Decimal), so these tests fail when the independent SQL is wrong, not only when it crashes.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import gzip
import json
import re
import subprocess
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from tests import focus_data as fd
from tests import independent_sql as q
from tests.focus_fixtures import (  # noqa: F401  (fixtures used by name)
    GENERATED_PERIOD,
    REAL_SAMPLE_PERIOD,
    focus_data,
    focus_file,
    focus_generated,
    focus_real_sample,
)

D = Decimal
MAY = (dt.datetime(2026, 5, 1), dt.datetime(2026, 6, 1))


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------------------------------- tiny tag file

TAG_HEADER = [
    "x_Row", "BillingAccountId", "SubAccountId", "BillingCurrency", "ChargeCategory",
    "ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ResourceId", "Tags",
]  # fmt: skip
TAG_ROWS = [
    # row, billing acct, sub acct, currency, category, start, end, billed, effective, resource, tags
    ("r1", "B1", "001", "USD", "Usage", "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z", "1", "1", "res-1", '{"Owner":"alice","owner":"bob"}'),
    ("r2", "B1", "001", "USD", "Usage", "2026-05-02 00:00:00", "2026-05-03 00:00:00", "2", "0.2E1", "res-2", '{"owner":"carol"}'),
    ("r3", "B1", "002", "USD", "Usage", "2026-05-03T00:00:00Z", "2026-05-04T00:00:00Z", "4", "4", "res-3", '{" Owner ":" Dave@Example.com "}'),
    ("r4", "B1", "002", "USD", "Usage", "2026-05-04T00:00:00Z", "2026-05-05T00:00:00Z", "8", "8", "res-4", '{"OWNER":"erin"," owner":"frank"}'),
    ("r5", "B1", "002", "USD", "Usage", "2026-05-05T00:00:00Z", "2026-05-06T00:00:00Z", "16", "16", "res-b", '{"Owner":""}'),
    ("r6", "B1", "NULL", "USD", "Usage", "2026-05-06T00:00:00Z", "2026-05-07T00:00:00Z", "32", "32", "res-b", '{"Owner":" \\t"}'),
    ("r7", "B1", "003", "USD", "Usage", "2026-05-07T00:00:00Z", "2026-05-08T00:00:00Z", "64", "64", "res-7", '{"Owner":true}'),
    ("r8", "B2", "", "USD", "Usage", "2026-05-08T00:00:00Z", "2026-05-09T00:00:00Z", "128", "128", "res-a", "NULL"),
    ("r9", "B1", "003", "USD", "Usage", "2026-05-09T00:00:00Z", "2026-05-10T00:00:00Z", "256", "256", "res-c", "{}"),
    ("r10", "B1", "001", "USD", "Usage", "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z", "512", "512", "res-10", '{"cost_center":"cc-1","Cost-Center":"cc-2","owner":"gina"}'),
    ("r11", "B1", "001", "EUR", "Usage", "2026-05-02T00:00:00Z", "2026-05-03T00:00:00Z", "1024", "1024", "res-1", '{"Owner":"alice"}'),
    ("r12", "B1", "001", "USD", "Credit", "2026-05-03T00:00:00Z", "2026-05-04T00:00:00Z", "-5", "-5", "res-1", '{"Owner":"alice"}'),
    ("r13", "B1", "001", "USD", "Usage", "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z", "2048", "2048", "res-13", '{"Owner":"zed"}'),
    ("r14", "B1", "003", "USD", "Usage", "2026-05-04T00:00:00Z", "2026-05-05T00:00:00Z", "4096", "4096", "res-d", '{"Owner":500}'),
    ("r15", "B1", "003", "USD", "Usage", "2026-05-20T00:00:00Z", "2026-05-21T00:00:00Z", "8192", "8192", "NULL", ""),
    ("r16", "B1", "001", "USD", "Purchase", "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z", "100", "300", "res-16", '{"Owner":"alice"}'),
    ("r17", "B1", "001", "USD", "Usage", "2026-04-30T23:00:00Z", "2026-05-01T00:00:00Z", "16384", "16384", "res-17", '{"Owner":"alice"}'),
]  # fmt: skip


@pytest.fixture
def tag_csv(tmp_path):
    return write_csv(tmp_path / "tags.csv", TAG_HEADER, TAG_ROWS)


def test_budget_totals_and_category_defaults(tag_csv):
    # May USD rows: r1..r10 = 1023, r12 = -5, r14 = 4096, r15 = 8192, r16 = 100 (billed) / 300 (effective)
    assert q.budget_actuals(tag_csv, *MAY) == {(None, "USD"): D(13406), (None, "EUR"): D(1024)}
    assert q.budget_actuals(tag_csv, *MAY, measure="EffectiveCost") == {(None, "USD"): D(13306), (None, "EUR"): D(1024)}
    assert q.budget_actuals(tag_csv, *MAY, measure="EffectiveCost", charge_categories=q.ALL_CHARGE_CATEGORIES)[
        (None, "USD")
    ] == D(13606)
    assert q.budget_actuals(tag_csv, *MAY, charge_categories=["Usage"])[(None, "USD")] == D(13311)
    # the period is [start, end): r17 (April 30 23:00) and r13 (June 1 00:00) only in their own months
    assert q.budget_actuals(tag_csv, dt.date(2026, 4, 1), dt.date(2026, 5, 1)) == {(None, "USD"): D(16384)}
    assert q.budget_actuals(tag_csv, dt.date(2026, 6, 1), dt.date(2026, 7, 1)) == {(None, "USD"): D(2048)}
    assert q.data_end(tag_csv, *MAY) == dt.datetime(2026, 5, 21)
    assert q.data_end(tag_csv, dt.date(2026, 7, 1), dt.date(2026, 8, 1)) is None


def test_budget_scope_column_keeps_nulls_and_account_ids_as_text(tag_csv):
    assert q.budget_actuals(tag_csv, *MAY, scope="SubAccountId") == {
        ("001", "USD"): D(610),  # r1 1 + r2 2 + r10 512 + r12 -5 + r16 100
        ("002", "USD"): D(28),
        (None, "USD"): D(160),  # r6 ('NULL') 32 + r8 ('') 128
        ("003", "USD"): D(12608),
        ("001", "EUR"): D(1024),
    }
    with pytest.raises(KeyError):
        q.budget_actuals(tag_csv, *MAY, scope="NoSuchColumn")


@pytest.mark.parametrize(
    "mode, expected_usd",
    [
        # exact: only "Owner"; r5 "", r6 " \t", r7 true have no usable value; r14's number 500 groups as "500"
        ("exact", {"alice": 96, "500": 4096, None: 9214}),
        # case-insensitive: r1 has Owner+owner -> the exact spelling "Owner" wins (alice, not bob);
        # r4 OWNER; " Owner " (r3) and " owner" do not match
        ("case-insensitive", {"alice": 96, "carol": 2, "erin": 8, "gina": 512, "500": 4096, None: 8692}),
        # normalized: r3's " Owner " matches (value kept untrimmed); r4 has OWNER and " owner", no exact
        # spelling, so the smallest key in code-point order (" owner", space < 'O') wins: frank
        ("normalized", {"alice": 96, "carol": 2, " Dave@Example.com ": 4, "frank": 8, "gina": 512, "500": 4096, None: 8688}),
    ],
)
def test_budget_scope_tag_per_mode(tag_csv, mode, expected_usd):
    expected = {(value, "USD"): D(total) for value, total in expected_usd.items()}
    expected[("alice", "EUR")] = D(1024)
    assert q.budget_actuals(tag_csv, *MAY, scope=("tag", "Owner", mode)) == expected


@pytest.mark.parametrize(
    "mode, keys, allocated_cost, allocated_rows",
    [
        # coverage rows: May, EffectiveCost > 0, all categories: USD r1..r10, r14, r15, r16 (13 rows, 13611)
        ("exact", ["Owner"], 4461, 4),  # r1, r7 (key-only counts as present), r14 (a number is a value), r16
        ("case-insensitive", ["Owner"], 4983, 7),  # + r2, r4 (erin), r10
        ("normalized", ["Owner"], 4987, 8),  # + r3
        ("exact", [("Owner", ["alice", "carol"], None)], 301, 2),  # r1, r16; key-only never an allowed value
        ("case-insensitive", [("Owner", ["alice", "carol"], None)], 303, 3),
        ("normalized", [("Owner", ["alice", "carol"], None)], 303, 3),
        ("normalized", [("Owner", None, "e")], 305, 3),  # partial match: alice, " Dave@..." (not carol/frank/gina)
        ("normalized", [("Owner", None, "^[a-d]")], 303, 3),  # " Dave@..." starts with a space
        ("normalized", [("Owner", [" Dave@Example.com "], "Dave")], 4, 1),  # values AND pattern
        ("exact", ["cost-center"], 0, 0),
        ("case-insensitive", ["cost-center"], 512, 1),  # Cost-Center (cost_center does not match)
        ("normalized", [("cost-center", ["cc-2"], None)], 512, 1),  # winner is "Cost-Center" ('C' < 'c')
        ("normalized", [("cost-center", ["cc-1"], None)], 0, 0),
        ("normalized", ["Owner", "cost-center"], 512, 1),  # all keys: only r10
    ],
)
def test_tag_coverage_per_mode(tag_csv, mode, keys, allocated_cost, allocated_rows):
    result = q.tag_coverage(tag_csv, *MAY, keys, mode=mode)
    usd = result[(None, "USD")]
    assert usd["total_cost"] == D(13611)
    assert usd["total_rows"] == 13
    assert usd["allocated_cost"] == D(allocated_cost)
    assert usd["allocated_rows"] == allocated_rows
    assert usd["unallocated_cost"] == D(13611 - allocated_cost)
    assert set(result) == {(None, "USD"), (None, "EUR")}


def test_tag_coverage_per_key_parts_and_top_unallocated(tag_csv):
    result = q.tag_coverage(tag_csv, *MAY, ["Owner", "cost-center"], mode="normalized")
    usd = result[(None, "USD")]
    assert usd["keys"] == {
        "Owner": {"allocated_cost": D(4987), "allocated_rows": 8},
        "cost-center": {"allocated_cost": D(512), "allocated_rows": 1},
    }
    only_owner = q.tag_coverage(tag_csv, *MAY, ["Owner"], mode="normalized")[(None, "USD")]
    # not allocated: r5+r6 (res-b 48), r8 (res-a 128), r9 (res-c 256), r15 (no ResourceId)
    assert only_owner["top_unallocated"] == [("res-c", D(256)), ("res-a", D(128)), ("res-b", D(48))]
    assert only_owner["unallocated_cost"] == D(8624)
    top2 = q.tag_coverage(tag_csv, *MAY, ["Owner"], mode="normalized", top=2)[(None, "USD")]
    assert top2["top_unallocated"] == [("res-c", D(256)), ("res-a", D(128))]
    eur = result[(None, "EUR")]
    assert (eur["total_cost"], eur["allocated_cost"], eur["total_rows"], eur["allocated_rows"]) == (D(1024), D(0), 1, 0)


def test_tag_coverage_scoped(tag_csv):
    result = q.tag_coverage(tag_csv, *MAY, ["Owner"], mode="normalized", scope="SubAccountId")
    summary = {k: (v["total_cost"], v["allocated_cost"], v["total_rows"], v["allocated_rows"]) for k, v in result.items()}
    assert summary == {
        ("001", "USD"): (D(815), D(815), 4, 4),
        ("002", "USD"): (D(28), D(12), 3, 2),
        (None, "USD"): (D(160), D(0), 2, 0),
        ("003", "USD"): (D(12608), D(4160), 4, 2),
        ("001", "EUR"): (D(1024), D(1024), 1, 1),
    }
    by_tag = q.tag_coverage(tag_csv, *MAY, ["cost-center"], mode="normalized", scope=("tag", "Owner", "exact"))
    assert by_tag[("alice", "USD")]["total_cost"] == D(301)  # r1 + r16 (r12 is a credit: EffectiveCost < 0)


OWNER_NAMES = {"alice": "team-a", "bob": "team-b", "carol": "team-c", "dave@example.com": "team-d", "frank": "team-f"}
OWNER_STEPS = [
    ("tag", "Owner"),  # normalized by default
    ("accounts", {"002": "team-acct2", "B2": "team-b2"}),
    ("resource_ids", [("res-[bc]", "team-res-bc"), ("res-*", "team-res")]),
]


def test_owner_actuals_chain(tag_csv):
    assert q.owner_actuals(tag_csv, *MAY, OWNER_STEPS, OWNER_NAMES) == {
        ("team-a", "USD"): D(96),  # r1 alice (exact spelling wins over owner=bob), r12 -5, r16 100
        ("team-c", "USD"): D(2),
        ("team-d", "USD"): D(4),  # " Dave@Example.com " trimmed and lower-cased
        ("team-f", "USD"): D(8),  # " owner" wins over OWNER (code-point order)
        ("team-acct2", "USD"): D(16),  # r5: blank value -> account 002
        ("team-res-bc", "USD"): D(288),  # r6 (SubAccountId null, BillingAccountId B1 unmapped) res-b, r9 res-c
        ("team-res", "USD"): D(4672),  # r7 key-only, r10 gina unknown, r14 number: res-* (first glob fails)
        ("team-b2", "USD"): D(128),  # r8: SubAccountId null -> BillingAccountId B2
        ("unassigned", "USD"): D(8192),  # r15: no tags, account 003 unmapped, no ResourceId
        ("team-a", "EUR"): D(1024),
    }
    with_default = q.owner_actuals(tag_csv, *MAY, OWNER_STEPS + [("default", "team-default")], OWNER_NAMES)
    assert with_default[("team-default", "USD")] == D(8192) and ("unassigned", "USD") not in with_default
    case_insensitive = [("tag", "Owner", "case-insensitive")] + OWNER_STEPS[1:]
    result = q.owner_actuals(tag_csv, *MAY, case_insensitive, OWNER_NAMES)
    assert result[("team-acct2", "USD")] == D(28)  # r3 (" Owner " no match), r4 (erin unknown), r5
    assert ("team-d", "USD") not in result and ("team-f", "USD") not in result


def test_duckdb_glob_agrees_with_fnmatch_on_the_documented_syntax():
    ids = ["res-b", "res-bb", "res-10", "i-0abc", "arn:aws:ec2:us-east-1:1:instance/i-0abc", "RES-b", "res-", "a/b/c"]
    patterns = ["res-*", "res-?", "res-[bc]", "res-[bc]*", "*/i-*", "arn:*:instance/*", "*", "res-[0-9]*", "a*c"]
    con = duckdb.connect()
    for pattern in patterns:
        for resource_id in ids:
            (got,) = con.execute("SELECT ? GLOB ?", [resource_id, pattern]).fetchone()
            assert got == fnmatch.fnmatchcase(resource_id, pattern), (resource_id, pattern)


# ---------------------------------------------------------------------------------- tiny commitment file

COMMITMENT_HEADER = [
    "x_Row", "BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "BilledCost",
    "EffectiveCost", "ListCost", "ContractedCost", "PricingCategory", "ServiceName", "ServiceCategory", "SkuId",
    "ResourceType", "CommitmentDiscountId", "CommitmentDiscountStatus", "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit", "SubAccountId", "ResourceId",
]  # fmt: skip
S, E = "2026-05-10T00:00:00Z", "2026-05-10T01:00:00Z"
COMMITMENT_ROWS = [
    ("c1", "USD", "Usage", S, E, "0", "6", "10", "9", "Committed", "EC2", "Compute", "sku-ec2", "VM", "cd-A", "Used", "6", "Hours", "S1", "i-1"),
    ("c2", "USD", "Usage", S, E, "0", "4", "4", "4", "Committed", "EC2", "Compute", "sku-ec2", "VM", "cd-A", "Unused", "4", "Hours", "S1", "cd-A"),
    ("c3", "USD", "Usage", S, E, "0", "3", "5", "5", "Committed", "EC2", "Compute", "sku-ec2", "VM", "cd-B", "Used", "3", "Hours", "S2", "i-3"),
    ("c4", "USD", "Usage", S, E, "0", "2", "2", "2", "Committed", "EC2", "Compute", "sku-ec2", "VM", "cd-B", "Unused", "2", "Hours", "S2", "cd-B"),
    ("c5", "USD", "Usage", S, E, "0", "7", "12", "11", "Committed", "RDS", "Database", "sku-rds", "DB", "cd-C", "Used", "7", "USD", "S1", "db-5"),
    ("c6", "USD", "Usage", S, E, "0", "2", "2", "2", "Committed", "RDS", "Database", "sku-rds", "DB", "cd-C", "Unused", "2", "USD", "S1", "cd-C"),
    ("c7", "USD", "Usage", S, E, "20", "20", "20", "18", "Standard", "EC2", "Compute", "sku-ec2", "VM", "", "", "", "", "S1", "i-7"),
    ("c8", "USD", "Usage", S, E, "5", "5", "15", "15", "Dynamic", "EC2", "Compute", "sku-ec2", "VM", "", "", "", "", "S1", "i-8"),
    ("c9", "USD", "Usage", S, E, "1", "1", "1", "1", "Standard", "Lambda", "Compute", "sku-fn", "Function", "", "", "", "", "S2", "fn-9"),
    ("c10", "USD", "Purchase", S, E, "50", "0", "50", "50", "Standard", "EC2", "Compute", "sku-ec2", "VM", "cd-A", "", "100", "Hours", "S1", "cd-A"),
    ("c11", "USD", "Usage", S, E, "3", "3", "3", "NULL", "NULL", "EC2", "Compute", "sku-ec2", "VM", "NULL", "NULL", "NULL", "NULL", "S2", "i-11"),
    ("c12", "USD", "Usage", "2026-06-01T00:00:00Z", "2026-06-01T01:00:00Z", "0", "100", "100", "100", "Committed", "EC2", "Compute", "sku-ec2", "VM", "cd-A", "Used", "100", "Hours", "S1", "i-1"),
    ("c13", "EUR", "Usage", S, E, "0", "9", "10", "10", "Committed", "EC2", "Compute", "sku-ec2", "VM", "cd-D", "Used", "9", "Hours", "S1", "i-13"),
]  # fmt: skip


@pytest.fixture
def commitment_csv(tmp_path):
    return write_csv(tmp_path / "commitments.csv", COMMITMENT_HEADER, COMMITMENT_ROWS)


def test_commitment_no_scope(commitment_csv):
    result = q.commitment(commitment_csv, *MAY)
    assert result[(None, "USD")] == {
        "utilization_rows": 6,  # c1..c6 (c10 is a purchase, c12 is June)
        "used_cost": D(16),  # 6 + 3 + 7
        "unused_cost": D(8),  # 4 + 2 + 2
        "quantity_unit": None,  # Hours and USD: no quantity utilization
        "used_quantity": None,
        "unused_quantity": None,
        "coverage_rows": 6,  # c1, c3, c5, c7, c9, c11 (not Unused, not Dynamic c8)
        "covered_price": D(25),  # contracted 9 + 5 + 11
        "eligible_price": D(44),  # + 18 + 1 (c11's ContractedCost is null)
        "uncovered_cost": D(24),  # effective 20 + 1 + 3
        "top_commitments": [("cd-A", D(4)), ("cd-B", D(2)), ("cd-C", D(2))],  # tie: id ascending
    }
    assert result[(None, "EUR")] == {
        "utilization_rows": 1, "used_cost": D(9), "unused_cost": D(0), "quantity_unit": "Hours",
        "used_quantity": D(9), "unused_quantity": D(0), "coverage_rows": 1, "covered_price": D(10),
        "eligible_price": D(10), "uncovered_cost": D(0), "top_commitments": [("cd-D", D(0))],
    }  # fmt: skip


@pytest.mark.parametrize(
    "price_column, covered, eligible_total", [("ContractedCost", 25, 44), ("ListCost", 27, 51), ("EffectiveCost", 16, 40)]
)
def test_commitment_coverage_price_columns(commitment_csv, price_column, covered, eligible_total):
    usd = q.commitment(commitment_csv, *MAY, price_column=price_column)[(None, "USD")]
    assert (usd["covered_price"], usd["eligible_price"], usd["uncovered_cost"]) == (D(covered), D(eligible_total), D(24))


@pytest.mark.parametrize(
    "eligible, rows, covered, eligible_total, uncovered",
    [
        ({"services": ["EC2"]}, 4, 14, 32, 23),  # c1, c3, c7, c11
        ({"services": ["EC2", "RDS"], "service_categories": ["Compute"]}, 4, 14, 32, 23),  # AND across fields
        ({"skus": ["sku-rds"]}, 1, 11, 11, 0),
        ({"resource_types": ["Function"]}, 1, 0, 1, 1),
        ({"services": []}, 0, 0, 0, 0),
    ],
)
def test_commitment_eligibility(commitment_csv, eligible, rows, covered, eligible_total, uncovered):
    usd = q.commitment(commitment_csv, *MAY, eligible=eligible)[(None, "USD")]
    assert (usd["coverage_rows"], usd["covered_price"], usd["eligible_price"], usd["uncovered_cost"]) == (
        rows, D(covered), D(eligible_total), D(uncovered),
    )  # fmt: skip
    assert (usd["used_cost"], usd["unused_cost"]) == (D(16), D(8))  # utilization ignores eligibility


def test_commitment_scoped_and_quantity_unit_rule(commitment_csv):
    result = q.commitment(commitment_csv, *MAY, scope="SubAccountId", top=1)
    s1, s2 = result[("S1", "USD")], result[("S2", "USD")]
    assert (s1["used_cost"], s1["unused_cost"], s1["used_quantity"], s1["quantity_unit"]) == (D(13), D(6), None, None)
    assert (s1["covered_price"], s1["eligible_price"], s1["uncovered_cost"]) == (D(20), D(38), D(20))
    assert s1["top_commitments"] == [("cd-A", D(4))]
    assert (s2["used_cost"], s2["unused_cost"]) == (D(3), D(2))
    assert (s2["quantity_unit"], s2["used_quantity"], s2["unused_quantity"]) == ("Hours", D(3), D(2))
    assert (s2["coverage_rows"], s2["covered_price"], s2["eligible_price"], s2["uncovered_cost"]) == (3, D(5), D(6), D(4))
    assert set(result) == {("S1", "USD"), ("S2", "USD"), ("S1", "EUR")}


# ------------------------------------------------------------------------------- resource monthly cost

MONTHLY_HEADER = ["ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "EffectiveCost", "BillingCurrency", "ResourceId"]
MONTHLY_ROWS = [
    ("Usage", "2026-05-01T00:00:00Z", "2026-05-01T01:00:00Z", "1", "USD", "arn:aws:ec2:us-east-1:123:instance/i-ABC"),
    ("Usage", "2026-05-01T01:00:00Z", "2026-05-01T02:00:00Z", "2", "USD", "arn:aws:ec2:us-east-1:123:instance/i-abc"),
    ("Usage", "2026-04-30T23:00:00Z", "2026-05-01T00:00:00Z", "100", "USD", "arn:aws:ec2:us-east-1:123:instance/i-abc"),
    ("Usage", "2026-05-30T12:00:00Z", "2026-05-31T12:00:00Z", "1", "USD", "//compute.googleapis.com/projects/p/zones/z/instances/VM-1"),
    ("Usage", "2026-05-31T00:00:00Z", "2026-05-31T01:00:00Z", "5", "USD", "res-at-window-end"),
    ("Purchase", "2026-05-10T00:00:00Z", "2026-05-10T01:00:00Z", "5", "USD", "res-purchase"),
    ("Usage", "2026-05-10T00:00:00Z", "2026-05-10T01:00:00Z", "5", "USD", "NULL"),
    ("Usage", "2026-05-10T00:00:00Z", "2026-05-10T03:00:00Z", "0.01", "EUR", "res-eur"),
    ("Usage", "2026-05-02T00:00:00Z", "2026-05-05T01:00:00Z", "0.0125", "USD", "res-half-down"),
    ("Usage", "2026-05-02T00:00:00Z", "2026-05-05T01:00:00Z", "0.0135", "USD", "res-half-up"),
    ("Usage", "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z", "7", "USD", "res-june"),
]  # fmt: skip


def test_resource_monthly_costs(tmp_path):
    path = write_csv(tmp_path / "monthly.csv", MONTHLY_HEADER, MONTHLY_ROWS)
    # W_end = min(as_of 2026-05-31, max ChargePeriodEnd 2026-06-02) = 2026-05-31; window = [May 1, May 31)
    assert q.resource_monthly_costs(path, dt.date(2026, 5, 31)) == {
        "arn:aws:ec2:us-east-1:123:instance/i-abc": ("USD", D("1095.00")),  # 3 over 2 h: 3 / 2 * 730
        "projects/p/zones/z/instances/vm-1": ("USD", D("60.83")),  # span capped at W_end: 12 h
        "res-eur": ("EUR", D("2.43")),  # 0.01 / 3 * 730 = 2.4333
        "res-half-down": ("USD", D("0.12")),  # 0.0125 / 73 * 730 = 0.125 -> half-even 0.12
        "res-half-up": ("USD", D("0.14")),  # 0.135 -> 0.14
    }
    detail = q.resource_monthly_costs_detail(path, dt.date(2026, 5, 31))
    assert detail[("projects/p/zones/z/instances/vm-1", "USD")]["window"] == (dt.datetime(2026, 5, 1), dt.datetime(2026, 5, 31))
    # as_of past the data: W_end = max ChargePeriodEnd (June 2) -> window [May 3, June 2): res-june is in
    later = q.resource_monthly_costs(path, dt.date(2026, 7, 1))
    assert later == {
        "res-june": ("USD", D("212.92")),  # 7 / 24 * 730 = 212.9166..
        "res-at-window-end": ("USD", D("3650.00")),  # 5 / 1 * 730
        "projects/p/zones/z/instances/vm-1": ("USD", D("30.42")),  # now its whole 24 h count: 730 / 24
        "res-eur": ("EUR", D("2.43")),
    }  # i-abc (May 1) and res-half-* (May 2) are before the window start May 3
    assert q.normalize_resource_id("//Storage.GoogleAPIs.com/projects/_/buckets/B") == "projects/_/buckets/b"


def test_resource_monthly_costs_refuses_mixed_currencies(tmp_path):
    rows = [
        ("Usage", "2026-05-01T00:00:00Z", "2026-05-01T01:00:00Z", "1", "USD", "res-1"),
        ("Usage", "2026-05-01T00:00:00Z", "2026-05-01T01:00:00Z", "1", "EUR", "RES-1"),
    ]
    path = write_csv(tmp_path / "mixed.csv", MONTHLY_HEADER, rows)
    assert q.resource_monthly_costs_by_currency(path, dt.date(2026, 5, 2)) == {
        ("res-1", "USD"): D("730.00"),
        ("res-1", "EUR"): D("730.00"),
    }
    with pytest.raises(ValueError):
        q.resource_monthly_costs(path, dt.date(2026, 5, 2))


# ----------------------------------------------------------------------- periods, forecast, percentages


@pytest.mark.parametrize(
    "as_of, period, fiscal, start, end",
    [
        (dt.date(2026, 5, 15), "month", 1, (2026, 5, 1), (2026, 6, 1)),
        (dt.date(2026, 12, 31), "month", 1, (2026, 12, 1), (2027, 1, 1)),
        (dt.date(2026, 5, 15), "quarter", 1, (2026, 4, 1), (2026, 7, 1)),
        (dt.date(2026, 5, 15), "quarter", 2, (2026, 5, 1), (2026, 8, 1)),
        (dt.date(2026, 1, 15), "quarter", 2, (2025, 11, 1), (2026, 2, 1)),
        (dt.date(2026, 12, 1), "quarter", 11, (2026, 11, 1), (2027, 2, 1)),
        (dt.date(2026, 2, 10), "year", 4, (2025, 4, 1), (2026, 4, 1)),
        (dt.date(2026, 4, 1), "year", 4, (2026, 4, 1), (2027, 4, 1)),
        (dt.date(2026, 12, 31), "year", 1, (2026, 1, 1), (2027, 1, 1)),
        (dt.datetime(2026, 5, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), "month", 1, (2026, 4, 1), (2026, 5, 1)),
    ],
)
def test_period_bounds(as_of, period, fiscal, start, end):
    assert q.period_bounds(as_of, period, fiscal) == (dt.datetime(*start), dt.datetime(*end))


def test_forecast_percent_threshold():
    start, end = MAY
    assert q.budget_forecast(D(100), start, end, dt.date(2026, 5, 11), dt.datetime(2026, 5, 21)) == D("310.00")
    assert q.budget_forecast(D(100), start, end, dt.date(2026, 5, 11), dt.datetime(2026, 5, 6)) == D("620.00")
    assert q.budget_forecast(D(100), start, end, dt.date(2026, 4, 11), None) == D("100.00")  # elapsed 0
    assert q.budget_forecast(D(1), start, end, dt.date(2026, 5, 4), None) == D("10.33")  # 31 / 3
    assert q.budget_forecast(D("0.125"), start, end, dt.date(2026, 7, 1), None) == D("0.12")  # half-even
    assert q.percent_of(D(50), D(200)) == D("25.00")
    assert q.percent_of(D("0.00125"), D(1)) == D("0.12")
    assert q.threshold_crossed(D(80), D(100), 80) and not q.threshold_crossed(D("79.999"), D(100), 80)


# ----------------------------------------------------------------------------- the real FinOps sample


def python_sums(path, measure, start, end, categories, group_column=None):
    """Σ measure per (group, currency) with Python csv + Decimal: the second way. Nulls are '' or NULL;
    values are rounded to 12 decimals half-up, as DuckDB's DECIMAL(38,12) reader does."""
    opener = gzip.open if str(path).endswith(".gz") else open
    sums: dict = defaultdict(Decimal)
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            def value(column):
                text = row.get(column)
                return None if text in (None, "", "NULL") else text

            period_start = dt.datetime.fromisoformat(value("ChargePeriodStart").replace("Z", "").replace("T", " "))
            if not (start <= period_start < end) or value("ChargeCategory") not in categories:
                continue
            amount = value(measure)
            group = value(group_column) if group_column else None
            sums[(group, value("BillingCurrency"))] += (
                D(amount).quantize(D("1e-12"), rounding=ROUND_HALF_UP) if amount is not None else D(0)
            )
    return dict(sums)


def test_real_sample_budget_matches_python_sum(focus_real_sample):
    start, end = REAL_SAMPLE_PERIOD
    everything = q.budget_actuals(focus_real_sample, start, end)
    assert everything == python_sums(focus_real_sample, "BilledCost", start, end, q.ALL_CHARGE_CATEGORIES)
    assert set(everything) == {(None, "USD")}
    amortized = q.budget_actuals(focus_real_sample, start, end, measure="EffectiveCost")
    assert amortized == python_sums(focus_real_sample, "EffectiveCost", start, end, q.AMORTIZED_CHARGE_CATEGORIES)
    by_account = q.budget_actuals(focus_real_sample, start, end, scope="SubAccountId")
    assert by_account == python_sums(focus_real_sample, "BilledCost", start, end, q.ALL_CHARGE_CATEGORIES, "SubAccountId")
    assert len(by_account) > 5 and all(isinstance(k[0], str) for k in by_account)  # ids stay text
    with open(focus_real_sample, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1000
    assert sum(D(r["BilledCost"]) for r in rows) == everything[(None, "USD")]  # every row is in the period
    assert q.data_end(focus_real_sample, start, end) == dt.datetime(2024, 10, 1)


def test_real_sample_tag_coverage_counts_null_tags_as_untagged(focus_real_sample):
    start, end = REAL_SAMPLE_PERIOD
    result = q.tag_coverage(focus_real_sample, start, end, ["environment"], mode="exact")[(None, "USD")]
    with open(focus_real_sample, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if D(r["EffectiveCost"]) > 0]
    tagged = [r for r in rows if r["Tags"] != "NULL" and str(json.loads(r["Tags"]).get("environment", "")).strip()]
    assert result["total_rows"] == len(rows)
    assert result["allocated_rows"] == len(tagged)
    assert result["allocated_cost"] == sum(D(r["EffectiveCost"]) for r in tagged)


# ---------------------------------------------------------------------------------- the generated data


def read_rows(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return next(reader), list(reader)


def bucket(salt: str, row_number: int) -> int:
    import hashlib

    return int(hashlib.md5(f"{salt}:{row_number}".encode()).hexdigest()[:8], 16) % 100


def classify_tag_change(before: str, after: str) -> str:
    """What the post-processing did to one Tags cell, worked out in Python from the two JSON texts."""
    if after == "":
        return "tags_null"
    if after == before:
        return "unchanged"
    old, new = json.loads(before), json.loads(after)
    if new == {}:
        return "tags_empty_object"
    added, removed = set(new) - set(old), set(old) - set(new)
    if added == {"Backup"} and not removed and new["Backup"] is True:
        return "backup_key_only"
    owner = "Owner" if "Owner" in old else "owner"
    if added == {"owner" if owner == "Owner" else "Owner"} and not removed:
        return "owner_collision" if new[owner] == old[owner] and fd.COLLISION_VALUE in new.values() else "?"
    if not added and not removed:
        if new[owner] == "":
            return "owner_blank"
        if new[owner] == " \t":
            return "owner_whitespace"
        if new[owner] is True:
            return "owner_key_only"
        kinds = {"owner_false": new[owner] is False, "owner_integer": new[owner] == 5 and type(new[owner]) is int,
                 "owner_double": new[owner] == 1500.0 and type(new[owner]) is float, "owner_null": new[owner] is None,
                 "owner_list": new[owner] == [old[owner]], "owner_object": new[owner] == {"team": old[owner]}}
        return next((kind for kind, holds in kinds.items() if holds), "?")
    renamed = {(r, a) for r in removed for a in added if old[r] == new[a]}
    if len(renamed) == 1 and len(added) == len(removed) == 1:
        (r, a) = renamed.pop()
        if r.lower() == a.lower() and "owner" in a.lower():
            return "owner_case_flip"
        if a.startswith(" ") and a.strip() == r:
            return "environment_leading_space"
        if a == "cost_center":
            return "cost_center_snake"
        if {r, a} == {"CostCenter", "cost-center"}:
            return "cost_center_kebab"
    return "?"


def test_generated_files_postprocessing(focus_generated):
    f = focus_generated
    raw_header, raw_rows = read_rows(f.raw)
    header, rows = read_rows(f.csv)
    assert header == raw_header and len(raw_rows) == f.rows
    assert len(rows) == f.rows + fd.CREDIT_ROWS
    tags = header.index("Tags")
    salt = f"costwarden:{f.provider}:{f.seed}"
    changes = Counter()
    for number, (before, after) in enumerate(zip(raw_rows, rows[: f.rows]), start=1):
        # only Tags changes, and only on rows of a mutation bucket; everything else is byte for byte the same
        assert before[:tags] + before[tags + 1 :] == after[:tags] + after[tags + 1 :]
        kind = classify_tag_change(before[tags], after[tags])
        assert kind != "?", (number, before[tags], after[tags])
        assert (kind == "unchanged") == (bucket(salt, number) >= fd.MUTATED), number
        changes[kind] += 1
    for kind in (
        "tags_null", "tags_empty_object", "owner_case_flip", "cost_center_kebab", "environment_leading_space",
        "cost_center_snake", "owner_collision", "owner_blank", "owner_whitespace", "backup_key_only", "owner_key_only",
        "owner_false", "owner_integer", "owner_double", "owner_null", "owner_list", "owner_object",
    ):  # fmt: skip
        assert changes[kind] == f.stats[kind], kind
    n = f.rows
    assert 0.12 * n <= changes["tags_null"] <= 0.18 * n
    assert 0.015 * n <= changes["tags_empty_object"] <= 0.045 * n
    respelled = sum(changes[k] for k in ("owner_case_flip", "cost_center_kebab", "environment_leading_space", "cost_center_snake", "owner_collision"))
    assert respelled == f.stats["respelled"] and 0.08 * n <= respelled <= 0.12 * n
    assert min(changes[k] for k in ("owner_blank", "owner_whitespace", "backup_key_only", "owner_key_only", "owner_false",
                                    "owner_integer", "owner_double", "owner_null", "owner_list", "owner_object")) > 0
    # credit rows: copies of on-demand usage rows with the costs negated
    cols = {name: i for i, name in enumerate(header)}
    for source_number, credit in zip(f.stats["credit_source_rows"], rows[f.rows :]):
        source = rows[source_number - 1]
        assert credit[cols["ChargeCategory"]] == "Credit" and source[cols["ChargeCategory"]] == "Usage"
        assert D(credit[cols["BilledCost"]]) == -D(source[cols["BilledCost"]]) < 0
        assert D(credit[cols["EffectiveCost"]]) == -D(source[cols["EffectiveCost"]])
        assert credit[cols["ResourceId"]] == source[cols["ResourceId"]]
    assert len(f.stats["credit_source_rows"]) == fd.CREDIT_ROWS


def test_postprocessing_is_deterministic(focus_data, tmp_path):
    f = focus_data.files["aws"]
    again = tmp_path / "again.csv"
    stats = fd.postprocess(f.raw, again, salt=f"costwarden:{f.provider}:{f.seed}")
    assert again.read_bytes() == f.csv.read_bytes() and stats == f.stats


def test_generated_files_parse_and_sum_like_python(focus_generated):
    f = focus_generated
    start, end = GENERATED_PERIOD
    independent = q.budget_actuals(f.csv, start, end, scope="SubAccountId")
    assert independent == python_sums(f.csv, "BilledCost", start, end, q.ALL_CHARGE_CATEGORIES, "SubAccountId")
    credits = q.budget_actuals(f.csv, start, end, charge_categories=["Credit"])
    assert credits[(None, "USD")] < 0
    usd = q.tag_coverage(f.csv, start, end, ["Owner"], mode="exact")[(None, "USD")]
    ci = q.tag_coverage(f.csv, start, end, ["Owner"], mode="case-insensitive")[(None, "USD")]
    normalized = q.tag_coverage(f.csv, start, end, ["Owner"], mode="normalized")[(None, "USD")]
    assert usd["total_cost"] == ci["total_cost"] == normalized["total_cost"]
    assert ci["allocated_rows"] >= usd["allocated_rows"] and normalized["allocated_rows"] >= ci["allocated_rows"]
    assert 0 < normalized["allocated_cost"] < normalized["total_cost"]  # untagged spend exists
    commitments = q.commitment(f.csv, start, end)[(None, "USD")]
    assert commitments["used_cost"] > 0 and commitments["unused_cost"] > 0
    assert 0 < commitments["covered_price"] < commitments["eligible_price"]
    by_category = q.commitment(f.csv, start, end, scope="CommitmentDiscountCategory")
    assert by_category[("Usage", "USD")]["quantity_unit"] == "Hours" and by_category[("Spend", "USD")]["quantity_unit"] == "USD"


def test_gzip_and_parquet_copies_read_the_same(focus_data):
    start, end = GENERATED_PERIOD
    aws = focus_data.files[fd.GZIP_PROVIDER].csv
    with gzip.open(focus_data.gz, "rb") as packed:
        assert packed.read() == aws.read_bytes()
    assert q.budget_actuals(focus_data.gz, start, end, scope=("tag", "Owner", "normalized")) == q.budget_actuals(
        aws, start, end, scope=("tag", "Owner", "normalized")
    )
    azure = focus_data.files[fd.PARQUET_PROVIDER].csv
    parquet = focus_data.parquet
    con = duckdb.connect()
    assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet)]).fetchone()[0] == 3000 + fd.CREDIT_ROWS
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{parquet}')").fetchall()}
    con.close()
    assert (types["BilledCost"], types["ChargePeriodStart"], types["Tags"]) == ("DECIMAL(38,12)", "TIMESTAMP", "JSON")
    for call in (
        lambda p: q.budget_actuals(p, start, end, "EffectiveCost", scope="SubAccountId"),
        lambda p: q.tag_coverage(p, start, end, ["Owner", ("Environment", ["prod"], None)], mode="normalized", scope="ServiceCategory"),
        lambda p: q.commitment(p, start, end, eligible={"service_categories": ["Compute"]}, scope="SubAccountId"),
        lambda p: q.resource_monthly_costs(p, dt.date(2026, 6, 1)),
        lambda p: q.data_end(p, start, end),
    ):
        assert call(parquet) == call(azure)


def test_every_variant_is_readable(focus_file):
    con = q.connect(focus_file)
    count, tags_null = con.execute("SELECT count(*), count(*) FILTER (WHERE Tags IS NULL) FROM focus").fetchone()
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE focus)").fetchall())
    con.close()
    assert count >= 1000 and tags_null > 0
    assert types["BilledCost"] == "DECIMAL(38,12)" and types["ChargePeriodStart"] == "TIMESTAMP"
    assert types["BillingAccountId"] == "VARCHAR" and types["Tags"] == "JSON"


def test_processed_file_is_still_valid_for_the_toolkit(focus_data):
    """The toolkit's own validator reports nothing new on a processed FOCUS 1.3 file (credit rows included)
    but the tag values the post-processing makes lists and objects, which FOCUS forbids (tag values are
    scalars) — the values costwarden's tag rule reads as invalid too."""
    f = focus_data.files["gcp"]

    def violations(path) -> tuple[int, list[str]]:
        """The number of violations (its first line says) and the violations it lists (at most 50)."""
        done = subprocess.run(fd.toolkit_command() + ["validate", str(path)], capture_output=True, text=True)
        lines = done.stdout.splitlines()
        return int(re.search(r"(\d+) violation", lines[0]).group(1)), sorted(line.strip() for line in lines[1:])

    (raw_count, raw_listed), (count, listed) = violations(f.raw), violations(f.csv)
    new = [v for v in listed if v not in raw_listed]
    assert new and all("key_value_value_not_scalar" in v for v in new), new
    assert count - raw_count == f.stats["owner_list"] + f.stats["owner_object"]


def test_fixture_module_paths_match_conftest():
    from tests import conftest, focus_fixtures

    assert focus_fixtures.REALDATA == conftest.REALDATA
    assert focus_fixtures.REAL_SAMPLE == conftest.REALDATA / "focus-sample-data/focus_sample.csv"
    namespace: dict = {}
    exec("from tests.focus_fixtures import *", namespace)
    assert {"focus_data", "focus_real_sample", "focus_generated", "focus_file"} <= set(namespace)


def test_generation_timings(focus_data, record_property):
    timings = focus_data.timings()
    for provider, (generate_seconds, postprocess_seconds) in timings.items():
        record_property(f"generate_seconds_{provider}", round(generate_seconds, 3))
        record_property(f"postprocess_seconds_{provider}", round(postprocess_seconds, 3))
    print("focus data timings (generate, post-process) in seconds:", {p: tuple(round(x, 2) for x in t) for p, t in timings.items()})
    assert sum(g + p for g, p in timings.values()) < 60
