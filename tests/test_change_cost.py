"""The cost of a planned change: real plans priced from a FOCUS export and a price table, amounts
computed by hand here (quantity × unit price × 730 h), the change policies at their boundaries, and
the command line's outputs."""

from __future__ import annotations

import copy
import filecmp
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import engine
from engine.change_cost import price_change
from engine.cli import main
from engine.library import load_ownership
from engine.ownership import NO_OWNERSHIP
from tests.conftest import REALDATA
from tests.output_cases import validate_sarif

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "policies" / "change" / "fixtures"
PLAN = REALDATA / "infracost" / "terraform_v0.14_plan.json"
FOCUS = FIXTURES / "focus-may-2026.csv"
PRICES = FIXTURES / "prices.csv"
OWNERSHIP = FIXTURES / "ownership.yaml"
BUDGETS = ROOT / "policies" / "budgets" / "team-monthly.budgets.yaml"
AS_OF = "2026-05-16"
HOURS = Decimal(730)

# what the FOCUS fixture says of t3.nano in us-east-1: 6 instances, 0.24 a day each for 10 days
T3_NANO_OBSERVED = Decimal("14.40") / Decimal(1440) * HOURS  # 0.01 an hour × 730 = 7.30
T3_NANO_LIST = Decimal("0.0052") * HOURS  # the price table: 3.796


def _priced(plan_path=PLAN, *, costs=True, prices=True, ownership=True):
    plans = engine.load_plans([str(plan_path)], sides=True)
    snapshot = engine.load_costs([str(FOCUS)]) if costs else None
    change = price_change(plans.entries, ownership=load_ownership(str(OWNERSHIP)) if ownership else NO_OWNERSHIP,
                          prices=engine.load_prices([str(PRICES)]) if prices else None, costs=snapshot,
                          as_of=engine.evaluator.as_of_datetime(AS_OF))
    return change


def _by_address(change) -> dict:
    return {r.address: r for r in change.resources}


def test_the_real_plan_priced_from_the_bill_every_resource_accounted_for():
    change = _priced()
    assert T3_NANO_OBSERVED == Decimal("7.3")
    resources = _by_address(change)
    created = [a for a, r in resources.items() if r.type == "aws_instance"]
    assert sorted(created) == sorted([
        "aws_instance.instance_2", "aws_instance.instance_counted[1]", 'aws_instance.instance_named["test.2"]',
        "module.instances.aws_instance.module_instance_2", "module.instances.aws_instance.module_instance_counted[1]",
        'module.instances.aws_instance.module_instance_named["test.2"]'])
    for address in created:
        priced = resources[address]
        assert (priced.status, priced.action, priced.currency) == ("priced", "create", "USD")
        assert priced.delta == T3_NANO_OBSERVED
        (line,) = priced.after_lines
        evidence = line.to_dict()
        assert evidence["quantity"] == "1" and evidence["unit"] == "month" and evidence["hours_per_month"] == 730
        assert evidence["source"] == "FOCUS unit prices (us-east-1)" and evidence["detail"]["observed_resources"] == 6
        assert evidence["detail"]["observed_hours"] == "1440"
    # the only unpriced resource, with its reason; never guessed
    assert [(r.address, r.reason) for r in change.unpriced()] == [
        ("module.db.module.db_2.module.db_instance.aws_db_instance.this[0]", "storage_type known only after apply")]
    assert resources["module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"].status == "unchanged"
    assert change.count("not-billed") == 5  # IAM role and attachment, option, parameter and subnet groups
    # per owner (module path rules apply to the planned addresses) and for the whole change, per currency
    assert {owner: change.totals(owner)["USD"].net for owner in ("payments", "finops")} == {
        "payments": 3 * T3_NANO_OBSERVED, "finops": 3 * T3_NANO_OBSERVED}
    assert change.totals("search") == {}
    whole = change.totals()["USD"]
    assert (whole.added, whole.removed, whole.net) == (6 * T3_NANO_OBSERVED, 0, Decimal("43.8"))
    assert change.describe("payments") == "3 new t3.nano (FOCUS unit prices)"


def test_without_cost_data_the_price_table_prices_the_same_change():
    change = _priced(costs=False)
    assert change.sources == ["price table"]
    whole = change.totals()["USD"]
    assert whole.net == 6 * T3_NANO_LIST == Decimal("22.776")
    priced = [r for r in change.resources if r.status == "priced"]
    assert len(priced) == 6 and all(r.delta == T3_NANO_LIST and r.type == "aws_instance" for r in priced)  # 0.0052 × 730 each
    assert [(r.address, r.reason) for r in change.unpriced()] == [
        ("module.db.module.db_2.module.db_instance.aws_db_instance.this[0]", "storage_type known only after apply")]
    line = _by_address(change)["aws_instance.instance_2"].after_lines[0].to_dict()
    assert (line["unit_price"], line["unit"], line["hours_per_month"], line["monthly"]) == ("0.0052", "hour", 730, "3.796")
    assert line["source"].startswith("price table ") and line["source"].endswith("prices.csv:2")


def test_without_any_price_source_everything_billed_is_unpriced():
    change = _priced(costs=False, prices=False)
    assert change.totals() == {}
    assert change.count("unpriced") == 7  # 6 instances and the database
    assert all("no price for" in r.reason or "known only after apply" in r.reason for r in change.unpriced())


def _edited_plan(tmp_path, edit) -> Path:
    plan = json.loads(PLAN.read_text())
    edit(plan)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def _entry(plan, address):
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)


def test_a_resize_and_a_larger_disk_are_priced_by_one_source(tmp_path):
    def resize(plan):
        db = _entry(plan, "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]")
        db["change"]["after"]["instance_class"] = "db.t3.small"
        db["change"]["after"]["allocated_storage"] = 20

    change = _priced(_edited_plan(tmp_path, resize))
    db = _by_address(change)["module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"]
    assert db.status == "priced" and db.action == "update"
    # db.t3.micro is observed (its own cost) but no FOCUS source prices db.t3.small: both from the price table
    instance = (Decimal("0.034") - Decimal("0.017")) * HOURS  # 12.41
    storage = (20 - 5) * Decimal("0.115")  # 1.725
    assert db.delta == instance + storage == Decimal("14.135")
    assert {line.quote.by for line in (*db.before_lines, *db.after_lines)} == {"price table"}
    assert db.keys == "db.t3.micro -> db.t3.small"
    assert change.totals("search")["USD"].net == Decimal("14.135")


def test_a_delete_removes_the_observed_monthly_cost(tmp_path):
    def delete(plan):
        entry = _entry(plan, "module.instances.aws_instance.module_instance_1")
        entry["change"]["actions"] = ["delete"]
        entry["change"]["after"] = None

    change = _priced(_edited_plan(tmp_path, delete))
    deleted = _by_address(change)["module.instances.aws_instance.module_instance_1"]
    assert (deleted.status, deleted.action, deleted.observed.amount) == ("priced", "delete", Decimal("7.30"))
    assert deleted.before_lines[0]["source"] == "FOCUS observed cost"
    assert deleted.before_lines[0]["detail"]["resource_id"].endswith("instance/i-006a2b9921a31a669")
    payments = change.totals("payments")["USD"]
    assert (payments.added, payments.removed, payments.net) == (3 * T3_NANO_OBSERVED, Decimal("7.30"), Decimal("14.60"))


def test_an_unknown_size_is_unpriced_with_that_reason(tmp_path):
    def unknown(plan):
        entry = _entry(plan, "aws_instance.instance_2")
        del entry["change"]["after"]["instance_type"]
        entry["change"]["after_unknown"]["instance_type"] = True

    change = _priced(_edited_plan(tmp_path, unknown))
    found = _by_address(change)["aws_instance.instance_2"]
    assert (found.status, found.reason) == ("unpriced", "the size is known only after apply")
    assert change.totals("finops")["USD"].net == 2 * T3_NANO_OBSERVED


def test_other_real_plans_price_or_list_every_resource():
    plans = engine.load_plans([str(REALDATA / "checkov" / "plan_tags" / "tfplan.json"),
                               str(REALDATA / "terraform-compliance" / "test_issue_522" / "plan.out.json")], sides=True)
    table = engine.load_prices([str(PRICES)])
    change = price_change(plans.entries, ownership=NO_OWNERSHIP, prices=table)
    statuses = {r.address: (r.status, r.reason) for r in change.resources}
    # every entry the change creates, updates, replaces or deletes has a line, and nothing billed is left silent
    counted = [e for e in plans.entries if e.action in ("create", "update", "replace", "delete")]
    assert len(statuses) == len(counted)
    assert all(status in ("priced", "unpriced", "unchanged", "not-billed") for status, _ in statuses.values())
    assert all(reason for status, reason in statuses.values() if status != "priced")
    deleted = [r for r in change.resources if r.action == "delete"]
    assert {r.type for r in deleted} == {"aws_cloudwatch_event_rule", "aws_cloudwatch_event_target"}
    assert all(r.status == "not-billed" for r in deleted)  # usage-priced; no cost data says otherwise


# -- the guardrails, through the command line ---------------------------------------------------------------

def _check(tmp_path, *extra, budgets=None, policies=("change-cost-increase", "change-within-budget")):
    args = ["check", "--plan", str(PLAN), "--ownership", str(OWNERSHIP), "--as-of", AS_OF]
    for policy in policies:
        args += ["--policy", policy]
    if budgets is not None:
        path = tmp_path / "budgets.yaml"
        path.write_text(budgets)
        args += ["--budgets", str(path)]
    return CliRunner().invoke(main, [*args, *extra], catch_exceptions=False)


def _budgets(payments: str) -> str:
    return ("apiVersion: costwarden/v1\nkind: Budgets\nid: team-monthly\nperiod: month\ncurrency: USD\n"
            f"amounts:\n  payments: \"{payments}\"\n  search: 200\n  finops: 300\n")


@pytest.mark.parametrize(("budget", "fails"), [("1003.51", True), ("1003.52", True), ("1003.53", False)])
def test_change_budget_crosses_exactly_at_the_forecast_with_the_change(tmp_path, budget, fails):
    # forecast before: 320 × 31/10 = 992; with the change: + 21.90 × 384 h / 730 h = 11.52 -> 1003.52
    result = _check(tmp_path, "--costs", str(FOCUS), "--prices", str(PRICES), "-f", "json",
                    budgets=_budgets(budget), policies=("change-within-budget",))
    document = json.loads(result.output)
    findings = [f for f in document["findings"] if f["scope"]["value"] == "payments"]
    assert bool(findings) is fails
    assert result.exit_code == (1 if fails else 0)
    (view,) = [v for owner in document["change"]["owners"] if owner["owner"] == "payments" for v in owner["budgets"]]
    assert (view["forecast_before"], view["forecast_after"]) == ("992", "1003.52")
    if fails:
        overspend = Decimal("1003.52") - Decimal(budget)
        assert findings[0]["money"]["overspend"] == ({"amount": str(overspend), "currency": "USD"} if overspend > 0 else None)
        assert findings[0]["money"]["cost_change"] == {"amount": "21.9", "currency": "USD"}


@pytest.mark.parametrize(("amount", "fails"), [("-8.49", True), ("-8.48", True), ("-8.47", False)])
def test_change_budget_amount_threshold_is_money_above_the_budget(tmp_path, amount, fails):
    # with a budget of 1012 the forecast with the change, 1003.52, is 8.48 under it: amount -8.48 is "within 8.48 of it"
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: near-budget\ntitle: near the budget\ntype: change-budget\nseverity: low\n"
        f"spec:\n  budgets: team-monthly\n  thresholds:\n    - {{on: forecast, amount: {amount}}}\n")
    result = _check(tmp_path, "--costs", str(FOCUS), "--prices", str(PRICES), "--policies", str(policy), "-f", "json",
                    budgets=_budgets("1012"), policies=())
    findings = [f for f in json.loads(result.output)["findings"] if f["scope"]["value"] == "payments"]
    assert bool(findings) is fails, result.output


@pytest.mark.parametrize(("amount", "fails"), [("21.89", True), ("21.90", True), ("21.91", False)])
def test_cost_delta_amount_threshold(tmp_path, amount, fails):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: increase\ntitle: increase\ntype: cost-delta\nseverity: high\n"
        f"spec:\n  thresholds:\n    - {{amount: {amount}, currency: USD}}\n")
    result = _check(tmp_path, "--costs", str(FOCUS), "--prices", str(PRICES), "--policies", str(policy), "-f", "json", policies=())
    owners = sorted(f["scope"]["value"] for f in json.loads(result.output)["findings"])
    assert owners == (["finops", "payments"] if fails else [])
    assert result.exit_code == (1 if fails else 0)


def test_cost_delta_for_the_whole_change(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: increase\ntitle: increase\ntype: cost-delta\nseverity: high\n"
        "spec:\n  scope: all\n  thresholds:\n    - {amount: 43.80, currency: USD}\n    - {amount: 43.81, currency: EUR}\n")
    result = _check(tmp_path, "--costs", str(FOCUS), "--prices", str(PRICES), "--policies", str(policy), "-f", "json", policies=())
    (finding,) = json.loads(result.output)["findings"]
    assert finding["scope"] == {"dimension": "all", "value": None, "currency": "USD"}
    assert finding["evidence"]["thresholds_crossed"] == [{"amount": "43.8", "currency": "USD", "severity": "high"}]
    assert finding["money"]["cost_change"] == {"amount": "43.8", "currency": "USD"}


def test_change_policies_are_skipped_without_their_inputs(tmp_path):
    result = CliRunner().invoke(main, ["check", "--costs", str(FOCUS), "--as-of", AS_OF, "--policy", "change-cost-increase",
                                       "-f", "json"], catch_exceptions=False)
    assert json.loads(result.output)["summary"]["policies_skipped"] == [
        {"policy": "change-cost-increase", "reason": "needs a plan (--plan)"}]
    result = _check(tmp_path, "-f", "json")
    skipped = {s["policy"]: s["reason"] for s in json.loads(result.output)["summary"]["policies_skipped"]}
    assert skipped == {"change-cost-increase": "needs prices: a cost snapshot (--costs) and/or a price table (--prices)",
                       "change-within-budget": "needs a cost snapshot (--costs) for the forecast"}
    assert json.loads(result.output)["change"] is None


def test_outputs_lead_with_the_cost_of_the_change(tmp_path):
    common = ("--costs", str(FOCUS), "--prices", str(PRICES))
    markdown = _check(tmp_path, *common, "-f", "markdown", budgets=_budgets("1000")).output
    head, _, rest = markdown.partition("**Cost of the change**")
    assert "| severity |" not in head and "Findings by owner" not in head  # the table comes right after the verdict
    assert ("| payments | 21\\.90 USD | 0\\.00 USD | \\+21\\.90 USD | 0 | 2026\\-05 forecast 99\\.2\\% → 100\\.35\\% of "
            "1\\,000\\.00 USD\\; 2026\\-06 run rate 96\\% → 98\\.16\\% — over the threshold |") in rest
    assert "| whole change | 43\\.80 USD | 0\\.00 USD | \\+43\\.80 USD | 1 |  |" in rest
    assert "storage\\_type known only after apply" in rest
    text = _check(tmp_path, *common, budgets=_budgets("1000")).output
    assert "whole change  43.80 USD" in text and "unpriced: module.db.module.db_2" in text
    result = _check(tmp_path, *common, "-f", "json", budgets=_budgets("1000"))
    document = json.loads(result.output)
    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["schema_version"] == "1.1"
    assert document["change"]["totals"] == [{"currency": "USD", "added": "43.8", "removed": "0", "net": "43.8"}]
    sarif = validate_sarif(json.loads(_check(tmp_path, *common, "-f", "sarif", budgets=_budgets("1000")).output))
    moneys = [r["properties"]["money"] for r in sarif["runs"][0]["results"]]
    assert {"amount": "21.9", "currency": "USD"} in [m.get("cost_change") for m in moneys]
    assert sarif["runs"][0]["properties"]["change"] == document["change"]
    junit = _check(tmp_path, *common, "-f", "junit", budgets=_budgets("1000")).output
    assert "change/month 21.90 USD" in junit
    suite = ET.fromstring(junit.encode()).find("testsuite[@name='cost of the change']")
    table = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert table["payments"].startswith("added/month 21.90 USD; removed/month 0.00 USD; net/month +21.90 USD; unpriced 0; ")
    assert table["whole change"] == "added/month 43.80 USD; removed/month 0.00 USD; net/month +43.80 USD; unpriced 1"
    assert suite.get("tests") == "0" and suite.find("testcase") is None
    github = _check(tmp_path, *common, "-f", "github", budgets=_budgets("1000")).output
    assert "cost of the change per month: finops +21.90 USD; payments +21.90 USD; whole change +43.80 USD" in github.splitlines()[-1]


@pytest.mark.parametrize(("currency", "problem"), [("XYZ", "E323 'XYZ' is not an ISO 4217 currency code"), ("usd", "E2")])
def test_a_cost_delta_threshold_currency_is_iso_4217(tmp_path, currency, problem):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: increase\ntitle: increase\ntype: cost-delta\nseverity: high\n"
        f"spec:\n  thresholds:\n    - {{amount: 10, currency: {currency}}}\n")
    result = CliRunner().invoke(main, ["validate", str(policy)])
    assert result.exit_code == 2 and f"{policy}:9:" in result.output and problem in result.output, result.output


def test_the_policy_fixture_plan_is_the_real_file():
    assert filecmp.cmp(FIXTURES / "realdata" / "terraform_v0.14_plan.json", PLAN, shallow=False)


def test_entries_hold_both_sides_whatever_the_scope():
    plans = engine.load_plans([str(PLAN)], sides=True)
    assert len(plans.entries) == 26 and len(plans.resources) == 13
    kept = {id(r) for r in plans.resources}
    assert all(id(e.after) in kept for e in plans.entries if e.action in ("create", "update"))
    assert all(e.before is not None and e.after is None for e in plans.entries if e.action == "no-op")
    assert engine.load_plans([str(PLAN)]).entries is None
    copy.deepcopy(plans.entries)  # plain data


@pytest.mark.parametrize(("amount", "fails"), [("-0.01", True), ("0", True), ("0.01", False)])
def test_budget_amount_threshold_at_the_forecast(tmp_path, amount, fails):
    # the budget type alone (no plan): payments' May forecast is 992 USD; a budget of 992 puts it exactly at 0 above
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: over-budget\ntitle: over budget\ntype: budget\nseverity: high\n"
        f"spec:\n  budgets: team-monthly\n  thresholds:\n    - {{on: forecast, amount: {amount}}}\n")
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(_budgets("992"))
    result = CliRunner().invoke(main, ["check", "--costs", str(FOCUS), "--ownership", str(OWNERSHIP), "--as-of", AS_OF,
                                       "--policies", str(policy), "--budgets", str(budgets), "-f", "json"], catch_exceptions=False)
    findings = [f for f in json.loads(result.output)["findings"] if f["scope"]["value"] == "payments"]
    assert bool(findings) is fails
    if fails:
        assert findings[0]["evidence"]["forecast"] == "992"
        assert findings[0]["evidence"]["thresholds_crossed"] == [{"on": "forecast", "amount": amount, "severity": "high"}]


def test_change_budget_without_cost_rows_in_its_period_is_e505_not_a_pass(tmp_path):
    """The forecast of a period the export does not reach would be 0 plus the change: a silent pass."""
    args = ["check", "--plan", str(PLAN), "--ownership", str(OWNERSHIP), "--costs", str(FOCUS), "--prices", str(PRICES),
            "--policy", "change-within-budget", "-f", "json"]
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(_budgets("1000"))
    result = CliRunner().invoke(main, [*args, "--budgets", str(budgets), "--as-of", "2026-06-20"], catch_exceptions=False)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    (error,) = document["errors"]
    assert error["code"] == "E505" and error["policy"] == "change-within-budget"
    assert "no cost rows in 2026-06 up to 2026-06-20: the cost data covers 2026-05-01 to 2026-05-10" in error["message"]
    assert document["findings"] == [] and document["change"] is None  # no change policy evaluated: no table
    # inside the period, but the export ends 20 days before the as-of instant: evaluated, and the export called stale
    result = CliRunner().invoke(main, [*args, "--budgets", str(budgets), "--as-of", "2026-05-31"], catch_exceptions=False)
    assert result.exit_code in (0, 1)
    warnings = json.loads(result.stdout)["warnings"]
    assert any("ends 2026-05-11 00:00 UTC, 20 days before 2026-05-31 00:00 UTC, where change-within-budget stops" in w
               for w in warnings), warnings


def _resource_change(address: str, tf_type: str, provider: str, before, after, actions) -> dict:
    return {"address": address, "mode": "managed", "type": tf_type, "name": address.split(".")[-1],
            "provider_name": f"registry.terraform.io/hashicorp/{provider}",
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}, "before_sensitive": {},
                       "after_sensitive": {}}}


def test_scale_groups_and_node_pools_are_priced_by_their_number_of_instances(tmp_path):
    plan = {"format_version": "1.2", "terraform_version": "1.6.0", "resource_changes": [
        _resource_change("azurerm_kubernetes_cluster_node_pool.np", "azurerm_kubernetes_cluster_node_pool", "azurerm",
                         {"vm_size": "Standard_D2s_v5", "node_count": 2}, {"vm_size": "Standard_D2s_v5", "node_count": 5},
                         ["update"]),
        _resource_change("google_container_node_pool.gp", "google_container_node_pool", "google", None,
                         {"node_count": 3, "location": "us-central1", "node_config": [{"machine_type": "e2-standard-4"}]},
                         ["create"]),
        _resource_change("aws_autoscaling_group.asg", "aws_autoscaling_group", "aws", None,
                         {"desired_capacity": 3, "min_size": 1, "launch_template": [{"id": "lt-1"}]}, ["create"]),
    ]}
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    (tmp_path / "prices.csv").write_text("provider,region,size,price,currency,unit\n"
                                         "azure,*,Standard_D2s_v5,0.096,USD,hour\ngcp,*,e2-standard-4,0.134,USD,hour\n")
    plans = engine.load_plans([str(tmp_path / "plan.json")], sides=True)
    change = price_change(plans.entries, ownership=NO_OWNERSHIP, prices=engine.load_prices([str(tmp_path / "prices.csv")]),
                          costs=None, as_of=engine.evaluator.as_of_datetime(AS_OF))
    priced = _by_address(change)
    pool = priced["azurerm_kubernetes_cluster_node_pool.np"]
    assert (pool.before, pool.after, pool.delta) == (2 * Decimal("0.096") * HOURS, 5 * Decimal("0.096") * HOURS, Decimal("210.24"))
    assert pool.after_lines[0].to_dict()["quantity"] == "5"
    assert priced["google_container_node_pool.gp"].delta == 3 * Decimal("0.134") * HOURS == Decimal("293.46")
    assert (priced["aws_autoscaling_group.asg"].status, priced["aws_autoscaling_group.asg"].reason) == (
        "unpriced", "no size to price it by (e.g. a launch template's)")
    assert change.totals()["USD"].net == Decimal("503.70")
    assert change.describe() == ("1 changed Standard_D2s_v5 ×2 -> ×5 (price table); 1 new e2-standard-4 ×3 (price table); "
                                 "1 aws_autoscaling_group unpriced: no size to price it by (e.g. a launch template's)")
