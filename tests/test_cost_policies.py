"""Cost policies at their edges: currencies, periods, scopes, thresholds, skips, errors, validation."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from engine.costs.reader import load_costs
from engine.errors import InputError
from engine.evaluator import evaluate
from engine.library import load_library, load_ownership
from tests.conftest import ROOT

FIXTURES = ROOT / "policies" / "fixtures"
COLUMNS = [
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency", "ChargeCategory", "ChargePeriodStart",
    "ChargePeriodEnd", "SubAccountId", "ServiceName", "ServiceCategory", "PricingCategory", "ResourceId", "ResourceName",
    "CommitmentDiscountId", "CommitmentDiscountStatus", "CommitmentDiscountQuantity", "CommitmentDiscountUnit", "Tags",
]


def focus_csv(write, rows: list[dict], name: str = "costs.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        full = {
            "BilledCost": "0", "EffectiveCost": row.get("BilledCost", "0"), "BillingCurrency": "USD", "ChargeCategory": "Usage",
            "ChargePeriodStart": "2026-05-01T00:00:00Z", "ChargePeriodEnd": "2026-05-02T00:00:00Z", "ServiceCategory": "Compute",
            "PricingCategory": "Standard",
        }
        full.update(row)
        if isinstance(full.get("Tags"), dict):
            full["Tags"] = json.dumps(full["Tags"])
        full.setdefault("ListCost", full["EffectiveCost"])
        full.setdefault("ContractedCost", full["ListCost"])
        writer.writerow(full)
    return write(name, out.getvalue())


def run(write, policy: str, rows: list[dict], as_of: str = "2026-05-11", ownership=None, budgets: str | None = None):
    documents = policy + (("\n---\n" + budgets) if budgets else "")
    library = load_library([str(write("policy.yaml", documents))])
    costs = load_costs([str(focus_csv(write, rows))])
    return evaluate(library, None, costs=costs, ownership=ownership, as_of=as_of, budgets=library.budgets)


BUDGET = """\
apiVersion: costwarden/v1
kind: Policy
id: b
title: budget
type: budget
severity: low
spec:
  budgets: amounts
  scope: {scope}
  period: {period}
  fiscal_year_start: {fiscal}
  thresholds:
    - {{on: actual, percent: 100, severity: critical}}
    - {{on: forecast, percent: 100}}
"""
AMOUNTS = """\
apiVersion: costwarden/v1
kind: Budgets
id: amounts
currency: USD
amounts:
{entries}
"""


def budget(scope="SubAccountId", period="month", fiscal=1):
    return BUDGET.format(scope=scope, period=period, fiscal=fiscal)


def amounts(**entries):
    return AMOUNTS.format(entries="\n".join(f"  {k}: {v}" for k, v in entries.items()))


def test_currencies_are_never_added_together(write):
    rows = [
        {"SubAccountId": "a", "BilledCost": "60"},
        {"SubAccountId": "a", "BilledCost": "70", "BillingCurrency": "EUR"},
    ]
    result = run(write, budget(), rows, budgets=amounts(a=100))
    (finding,) = result.findings  # the forecast (60 x 31) crosses; the 70 EUR are reported, never added
    assert finding.evidence["actual"] == "60" and finding.scope["currency"] == "USD" and finding.severity == "low"
    assert any("a: 70.00 EUR not compared with its budget in USD" in w for w in result.warnings)


def test_forecast_uses_the_earlier_of_as_of_and_the_last_data_hour(write):
    rows = [{"SubAccountId": "a", "BilledCost": "10", "ChargePeriodStart": f"2026-05-0{d}T00:00:00Z", "ChargePeriodEnd": f"2026-05-0{d + 1}T00:00:00Z"} for d in (1, 2)]
    # data up to 05-03 00:00 (2 days) although the as-of date is later: forecast 20 x 31 / 2 = 310
    (finding,) = run(write, budget(), rows, as_of="2026-05-20", budgets=amounts(a=300)).findings
    assert finding.evidence["forecast"] == "310" and finding.evidence["elapsed_days"] == "2"
    assert finding.severity == "low"  # only the forecast threshold (policy severity) crossed
    # an as-of before the end of the data: rows after it are not known yet, elapsed is 1 day
    (finding,) = run(write, budget(), rows, as_of="2026-05-02", budgets=amounts(a=300)).findings
    assert finding.evidence["actual"] == "10" and finding.evidence["forecast"] == "310" and finding.evidence["elapsed_days"] == "1"


def test_most_severe_threshold_wins_and_overspend_is_the_larger_of_actual_and_forecast(write):
    rows = [{"SubAccountId": "a", "BilledCost": "150"}]
    (finding,) = run(write, budget(), rows, as_of="2026-05-02", budgets=amounts(a=100)).findings
    assert finding.severity == "critical"
    assert finding.overspend.amount == Decimal("4550")  # forecast 150 x 31 - 100


def test_fiscal_quarters(write):
    rows = [
        {"SubAccountId": "a", "BilledCost": "10", "ChargePeriodStart": "2026-03-31T00:00:00Z", "ChargePeriodEnd": "2026-04-01T00:00:00Z"},
        {"SubAccountId": "a", "BilledCost": "20", "ChargePeriodStart": "2026-04-01T00:00:00Z", "ChargePeriodEnd": "2026-04-02T00:00:00Z"},
        {"SubAccountId": "a", "BilledCost": "40", "ChargePeriodStart": "2026-06-30T00:00:00Z", "ChargePeriodEnd": "2026-07-01T00:00:00Z"},
    ]
    (finding,) = run(write, budget(period="quarter", fiscal=4), rows, as_of="2026-06-30T12:00:00Z", budgets=amounts(a=50)).findings
    assert finding.scope["period"] == {"start": "2026-04-01T00:00:00Z", "end": "2026-07-01T00:00:00Z"}
    assert finding.evidence["actual"] == "60" and finding.evidence["total_days"] == "91"


def test_tag_scope_and_default_budget(write):
    policy = budget(scope="tag:cost-center").replace("  scope:", "  match: normalized\n  scope:")
    rows = [
        {"BilledCost": "30", "Tags": {"Cost_Center": "CC-1"}},
        {"BilledCost": "5", "Tags": {"cost-center": "CC-2"}},
        {"BilledCost": "7", "Tags": {"cost-center": "  "}},
    ]
    docs = AMOUNTS.format(entries="  CC-1: 20").replace("amounts:", "default: 6\namounts:")
    findings = {f.scope["value"]: f for f in run(write, policy, rows, as_of="2026-05-02", budgets=docs).findings}
    assert set(findings) == {"CC-1", "CC-2", None}  # a blank value is no value: it gets the default budget
    assert findings["CC-1"].severity == "critical" and findings["CC-1"].evidence["budget"] == "20"
    assert findings["CC-2"].severity == "low" and findings["CC-2"].evidence["budget"] == "6"  # only the forecast (155) crosses
    assert findings[None].evidence["actual"] == "7"


def test_budget_entry_owner_and_zero_budget(write):
    docs = AMOUNTS.format(entries="  a: {amount: 0, owner: payments}")
    ownership = load_ownership(str(FIXTURES / "ownership.yaml"))
    (finding,) = run(write, budget(), [{"SubAccountId": "a", "BilledCost": "0.01"}], budgets=docs, ownership=ownership).findings
    assert (finding.owner, finding.owner_source) == ("payments", "budget")
    assert finding.evidence["actual_percent"] is None


def test_missing_budgets_skip_the_policy_and_a_period_mismatch_is_an_error(write):
    result = run(write, budget(), [{"SubAccountId": "a", "BilledCost": "1"}])
    assert result.skipped and "no Budgets document 'amounts'" in result.skipped[0][1] and result.exit_code() == 0
    mismatch = AMOUNTS.format(entries="  a: 1").replace("currency: USD", "currency: USD\nperiod: year")
    result = run(write, budget(), [{"SubAccountId": "a", "BilledCost": "1"}], budgets=mismatch)
    assert [e.code for e in result.errors] == ["E503"] and result.exit_code() == 2


COVERAGE = """\
apiVersion: costwarden/v1
kind: Policy
id: c
title: coverage
type: tag-coverage
severity: low
spec:
  keys: [{{key: env, values: [prod, dev]}}]
  minimum: 50
  basis: {basis}
  scope: {scope}
"""


def test_tag_coverage_by_rows_per_scope_with_allowed_values(write):
    rows = [
        {"SubAccountId": "a", "EffectiveCost": "90", "Tags": {"env": "prod"}},
        {"SubAccountId": "a", "EffectiveCost": "5", "Tags": {"env": "Prod"}, "ResourceId": "r2"},
        {"SubAccountId": "a", "EffectiveCost": "5", "Tags": {"env": True}, "ResourceId": "r1"},
        {"SubAccountId": "b", "EffectiveCost": "1", "Tags": {"env": "dev"}},
        {"SubAccountId": "b", "EffectiveCost": "0", "Tags": None},
    ]
    by_cost = run(write, COVERAGE.format(basis="cost", scope="SubAccountId"), rows).findings
    assert by_cost == ()  # a: 90 % by cost; b: 100 % (the zero-cost row is not counted)
    (finding,) = run(write, COVERAGE.format(basis="rows", scope="SubAccountId"), rows).findings
    assert finding.scope["value"] == "a" and finding.evidence["coverage_by_rows"] == "33.33"
    assert finding.unallocated_cost.amount == Decimal("10")
    assert [(r["resource_id"], r["cost"]) for r in finding.evidence["top_unallocated"]] == [("r1", "5"), ("r2", "5")]


COMMITMENT = """\
apiVersion: costwarden/v1
kind: Policy
id: u
title: utilization
type: commitment
severity: low
spec:
  utilization: {minimum: 80, basis: quantity}
"""


def test_utilization_by_quantity_only_when_units_agree(write):
    used = {"CommitmentDiscountId": "sp-1", "CommitmentDiscountStatus": "Used", "EffectiveCost": "10", "PricingCategory": "Committed"}
    unused = {"CommitmentDiscountId": "sp-1", "CommitmentDiscountStatus": "Unused", "EffectiveCost": "10", "PricingCategory": "Committed"}
    rows = [{**used, "CommitmentDiscountQuantity": "9", "CommitmentDiscountUnit": "Hours"}, {**unused, "CommitmentDiscountQuantity": "1", "CommitmentDiscountUnit": "Hours"}]
    assert run(write, COMMITMENT, rows).findings == ()  # 90 % by quantity although 50 % by cost
    rows[1]["CommitmentDiscountUnit"] = "USD"
    result = run(write, COMMITMENT, rows)
    assert result.findings == ()  # no quantity basis: not judged, and the evidence would say why


@pytest.mark.parametrize(
    "policy, budgets",
    [
        (budget(scope="owner"), amounts(a=1)),
        (COVERAGE.format(basis="cost", scope="owner"), None),
        (COMMITMENT.replace("spec:\n", "spec:\n  scope: owner\n"), None),
    ],
    ids=["budget", "tag-coverage", "commitment"],
)
def test_every_cost_policy_type_needs_an_ownership_document_for_scope_owner(write, policy, budgets):
    result = run(write, policy, [{"BilledCost": "1"}], budgets=budgets)
    assert [reason for _, reason in result.skipped] == ["needs an ownership document (--ownership) for scope owner"]
    assert result.errors == () and result.findings == () and result.policies == () and result.exit_code() == 0


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("keys: [{key: a}]\n  minimum: 5\n  scope: SubAcountId", "E322 unknown scope 'SubAcountId' (at /spec/scope); did you mean 'SubAccountId'?"),
        ("keys: [{key: a, pattern: '(?!x)'}]\n  minimum: 5", "E302 invalid regular expression '(?!x)'"),
        ("keys: [{key: a}]\n  minimum: 500", "E20"),
    ],
)
def test_cost_policy_validation_errors(write, spec, fragment):
    text = "apiVersion: costwarden/v1\nkind: Policy\nid: c\ntitle: t\ntype: tag-coverage\nseverity: low\nspec:\n  " + spec + "\n"
    with pytest.raises(InputError) as caught:
        load_library([str(write("p.yaml", text))])
    assert any(fragment in p.format() for p in caught.value.problems), [p.format() for p in caught.value.problems]


def test_budgets_documents_are_validated(write):
    text = "apiVersion: costwarden/v1\nkind: Budgets\nid: x\ncurrency: usd\namounts: {a: -1, b: {amount: 1, curency: EUR}}\n"
    with pytest.raises(InputError) as caught:
        load_library([str(write("b.yaml", text))])
    found = "\n".join(p.format() for p in caught.value.problems)
    assert "b.yaml:4:11: E323 'usd' is not an ISO 4217 currency code: write USD" in found  # the ISO rule, with its position
    assert "/amounts/b" in found
    # amounts are checked by the amount rule whatever the schema said of the document, each mistake once
    text = "apiVersion: costwarden/v1\nkind: Budgets\nid: x\ncurrency: USD\namounts: {a: -1, b: {amount: '9.6E-2'}, c: [1]}\n"
    with pytest.raises(InputError) as caught:
        load_library([str(write("c.yaml", text))])
    assert [p.format().split("c.yaml:")[1].split(";")[0] for p in caught.value.problems] == [
        "5:14: E323 -1 is negative (expected an amount of 0 or more)", "5:44: E323 [1] is not an amount"]


@pytest.mark.parametrize("entry, message", [
    ("-5", "5:21: E323 -5 is negative (expected an amount of 0 or more); a budget entry is an amount of 0 or more"
           ' (500 or "2500.50") or {amount, currency, owner} (at /amounts/payments)'),
    ("'-5'", "5:21: E323 '-5' is negative (expected an amount of 0 or more); a budget entry is"),
    ("1e30", "5:21: E323 1e+30 is out of range: an amount has at most 26 digits before the decimal point"),
    ("'1,000'", "5:21: E323 '1,000' is not a decimal number (write it like 12.5, -0.25 or 9.6E-2); a budget entry is"),
    ("{amount: 0.0000000000001}", "5:30: E323 1e-13 has 13 decimal places; an amount has at most 12"),
    ("{amount: 5, currency: EUX}", "5:43: E323 'EUX' is not an ISO 4217 currency code"),
])
def test_a_budget_entry_that_is_not_an_amount_says_what_an_entry_is(write, entry, message):
    text = f"apiVersion: costwarden/v1\nkind: Budgets\nid: x\ncurrency: USD\namounts: {{payments: {entry}}}\n"
    with pytest.raises(InputError) as caught:
        load_library([str(write("b.yaml", text))])
    (problem,) = caught.value.problems
    assert problem.format().split("b.yaml:")[1].startswith(message), problem.format()


def test_budget_amounts_follow_the_amount_rule_exactly(write):
    text = ("apiVersion: costwarden/v1\nkind: Budgets\nid: x\ncurrency: USD\ndefault: 9.6E-2\n"
            "amounts: {a: '12345678901234567890123456.78', b: 0.1, c: '35.2e-7'}\n")
    budgets = load_library([str(write("b.yaml", text))]).budgets["x"]
    assert budgets.default.money.amount == Decimal("0.096")
    assert {name: entry.money.amount for name, entry in budgets.entries.items()} == {
        "a": Decimal("12345678901234567890123456.78"), "b": Decimal("0.1"), "c": Decimal("0.00000352")}
