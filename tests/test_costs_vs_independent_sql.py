"""The engine's cost findings equal hand-written DuckDB SQL (tests/independent_sql.py), exactly.

Over the FinOps Foundation's real sample and over data from the pinned focus-data-toolkit (aws,
azure, gcp; post-processed so that tags are missing, blank, key-only or spelled differently on a
share of rows), as CSV, gzip and Parquet. Thresholds are set so that every scope with spend fails
and every number of every scope is compared.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.costs.reader import load_costs
from engine.evaluator import evaluate
from engine.library import load_library
from engine.ownership import compile_ownership
from tests import independent_sql as q
from tests.focus_fixtures import *  # noqa: F403 - pytest fixtures
from tests.focus_fixtures import GENERATED_PERIOD, REAL_SAMPLE_PERIOD

HEADER = "apiVersion: costwarden/v1\nkind: Policy\ntitle: t\nseverity: low\n"


@pytest.fixture
def case(focus_file, tmp_path):
    """(path, period start, as-of) for each file variant; the as-of is the period's last second."""
    start, end = REAL_SAMPLE_PERIOD if "focus_sample" in str(focus_file) else GENERATED_PERIOD
    return focus_file, start, end - dt.timedelta(seconds=1)


def run(tmp_path, documents: str, path, as_of, ownership=None):
    file = tmp_path / "policies.yaml"
    file.write_text(documents)
    library = load_library([str(file)])
    costs = load_costs([str(path)])
    result = evaluate(library, None, costs=costs, ownership=ownership, as_of=as_of.isoformat() + "Z", budgets=library.budgets)
    assert not result.errors, result.errors
    return result.findings


def by_scope(findings) -> dict:
    return {(f.scope["value"], f.scope["currency"]): f for f in findings}


BUDGET = HEADER + """\
id: b
type: budget
spec:
  budgets: tiny
  scope: {scope}
  match: case-insensitive
  measure: {measure}
  thresholds: [{{on: actual, percent: 100}}, {{on: forecast, percent: 100}}]
---
apiVersion: costwarden/v1
kind: Budgets
id: tiny
currency: USD
default: "0.000000000001"
"""


@pytest.mark.parametrize(
    "scope, measure, independent_scope",
    [
        ("SubAccountId", "BilledCost", "SubAccountId"),
        ("ServiceName", "EffectiveCost", "ServiceName"),
        ("tag:environment", "BilledCost", ("tag", "environment", "case-insensitive")),
    ],
)
def test_budget_actuals_and_forecasts(case, tmp_path, scope, measure, independent_scope):
    path, start, as_of = case
    findings = by_scope(run(tmp_path, BUDGET.format(scope=scope, measure=measure), path, as_of))
    actuals = q.budget_actuals(path, start, as_of, measure=measure, scope=independent_scope)
    end = q.period_bounds(as_of, "month")[1]
    data_end = q.data_end(path, start, as_of)
    expected = {}
    for key, actual in actuals.items():
        forecast = q.budget_forecast(actual, start, end, as_of, data_end)
        if key[1] == "USD" and (actual > 0 or forecast > 0):
            expected[key] = (actual, forecast)
    assert expected, "the data has spend in the period"
    assert {k: (Decimal(f.evidence["actual"]), Decimal(f.evidence["forecast"])) for k, f in findings.items()} == expected


OWNERSHIP = {
    "teams": [
        {"id": "payments", "aliases": ["team-payments"]},
        {"id": "data", "aliases": ["team-data"]},
        {"id": "platform", "aliases": ["team-platform"]},
        {"id": "finops"},
    ],
    "resolution": [{"tag": "owner"}, {"accounts": {"200000000014": "platform"}}, {"default": "finops"}],
}


def test_budget_by_owner(case, tmp_path):
    path, start, as_of = case
    ownership = compile_ownership(OWNERSHIP, lambda *a: pytest.fail(str(a)))
    findings = by_scope(run(tmp_path, BUDGET.format(scope="owner", measure="BilledCost"), path, as_of, ownership))
    names = {"payments": "payments", "team-payments": "payments", "data": "data", "team-data": "data", "platform": "platform", "team-platform": "platform", "finops": "finops"}
    steps = [("tag", "owner", "normalized"), ("accounts", {"200000000014": "platform"}), ("default", "finops")]
    expected = {k: v for k, v in q.owner_actuals(path, start, as_of, steps, names).items() if v > 0}
    assert {k: Decimal(f.evidence["actual"]) for k, f in findings.items() if Decimal(f.evidence["actual"]) > 0} == expected


COVERAGE = HEADER + """\
id: c
type: tag-coverage
spec:
  match: {mode}
  keys:
    - key: owner
    - key: environment
      values: [prod, staging, dev]
  minimum: 100
  scope: SubAccountId
  top: 3
"""


@pytest.mark.parametrize("mode", ["exact", "case-insensitive", "normalized"])
def test_tag_coverage(case, tmp_path, mode):
    path, start, as_of = case
    findings = by_scope(run(tmp_path, COVERAGE.format(mode=mode), path, as_of))
    keys = [("owner", None, None), ("environment", ("prod", "staging", "dev"), None)]
    groups = q.tag_coverage(path, start, as_of, keys, mode=mode, scope="SubAccountId", top=3)
    failing = {k: g for k, g in groups.items() if g["allocated_cost"] < g["total_cost"]}
    assert set(findings) == set(failing)
    for key, group in failing.items():
        evidence = findings[key].evidence
        assert Decimal(evidence["total_cost"]) == group["total_cost"]
        assert Decimal(evidence["allocated_cost"]) == group["allocated_cost"]
        assert Decimal(evidence["unallocated_cost"]) == group["unallocated_cost"] == findings[key].unallocated_cost.amount
        assert (evidence["rows"], evidence["allocated_rows"]) == (group["total_rows"], group["allocated_rows"])
        for item in evidence["keys"]:
            part = group["keys"][item["key"]]
            assert (Decimal(item["allocated_cost"]), item["allocated_rows"]) == (part["allocated_cost"], part["allocated_rows"])
        assert [(r["resource_id"], Decimal(r["cost"])) for r in evidence["top_unallocated"]] == group["top_unallocated"]


COMMITMENT = HEADER + """\
id: u
type: commitment
spec:
  utilization: {minimum: 100}
  coverage: {minimum: 100, price: {price}, eligible: {service_categories: [Compute]}}
  scope: {scope}
  top: 3
"""


@pytest.mark.parametrize("price, scope", [("ContractedCost", "all"), ("ListCost", "SubAccountId")])
def test_commitment_utilization_and_coverage(case, tmp_path, price, scope):
    path, start, as_of = case
    documents = COMMITMENT.replace("{price}", price).replace("{scope}", scope)
    findings = by_scope(run(tmp_path, documents, path, as_of))
    groups = q.commitment(path, start, as_of, {"service_categories": ["Compute"]}, price, None if scope == "all" else scope, top=10)
    failing = {}
    for key, g in groups.items():
        util_fails = g["used_cost"] + g["unused_cost"] > 0 and g["unused_cost"] > 0
        cover_fails = g["eligible_price"] > 0 and g["covered_price"] < g["eligible_price"]
        if util_fails or cover_fails:
            failing[key] = g
    assert set(findings) == set(failing)
    name = {"ContractedCost": "contracted_cost", "ListCost": "list_cost"}[price]
    for key, g in failing.items():
        evidence = findings[key].evidence
        if g["utilization_rows"]:
            assert (Decimal(evidence["used_cost"]), Decimal(evidence["unused_cost"])) == (g["used_cost"], g["unused_cost"])
            expected_top = [(cid, unused) for cid, unused in g["top_commitments"] if unused > 0][:3]
            assert [(c["commitment_id"], Decimal(c["unused"])) for c in evidence["top_unused_commitments"]] == expected_top
        if g["coverage_rows"]:
            assert Decimal(evidence[f"covered_{name}"]) == g["covered_price"]
            assert Decimal(evidence[f"eligible_{name}"]) == g["eligible_price"]
            assert Decimal(evidence["uncovered_effective_cost"]) == g["uncovered_cost"]


def test_monthly_cost_on_inventory_findings(case, tmp_path):
    path, _, as_of = case
    expected = q.resource_monthly_costs_by_currency(path, as_of)
    ids = sorted({rid for rid, _ in expected})
    assert ids, "resources with usage in the window"
    policy = HEADER + "id: every\ntype: condition\nspec:\n  fail_if: {path: id, op: exists}\n"
    (tmp_path / "p.yaml").write_text(policy)
    library = load_library([str(tmp_path / "p.yaml")])
    resources = [{"id": rid, "type": "x", "provider": "aws", "tags": {}} for rid in ids]
    result = evaluate(library, resources, costs=load_costs([str(path)]), as_of=as_of.isoformat() + "Z")
    got = {(f.resource["id"], f.monthly_cost.currency): f.monthly_cost.amount for f in result.findings if f.monthly_cost}
    single = {}
    for (rid, currency), amount in expected.items():
        if sum(1 for r, _ in expected if r == rid) == 1 and amount is not None:
            single[(rid, currency)] = amount
    assert got == single
