"""The cost of a change on two more real plans — checkov's terragoat plan (AWS us-west-2) and
terraform-compliance's issue-294 plan (two Azure VMs) — priced from our own FOCUS export, inventory
and price table (``tests/data/change-cost/``, numbers in its README). Every amount is computed here
by hand: the observed unit prices by a hand-written DuckDB query over the FOCUS file joined to the
inventory's sizes, then quantity × unit price × 730 h (or × GiB for a GiB-month price)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import jsonschema
from click.testing import CliRunner

import engine
from engine.change_cost import price_change
from engine.cli import main
from engine.library import load_ownership
from tests.conftest import REALDATA, ROOT

DATA = ROOT / "tests" / "data" / "change-cost"
FOCUS = DATA / "focus-may-2026.csv"
INVENTORY = DATA / "inventory.json"
PRICES = DATA / "prices.csv"
OWNERSHIP = DATA / "ownership.yaml"
TERRAGOAT = REALDATA / "checkov" / "plan_tags" / "tfplan.json"
AZURE = REALDATA / "terraform-compliance" / "test_issue-294" / "plan.out.json"
AS_OF = "2026-05-16"
HOURS = Decimal(730)

NOT_BILLED = "no size, storage or hourly class to price it by (usage-priced or free)"
REGION_UNKNOWN = "the region is known only after apply"
SOURCES = "FOCUS observed cost or FOCUS unit prices or price table"


def _cost_key(resource_id: str) -> str:
    """How the export names an inventory object: AWS bills EC2 instances by their ``i-...`` id, the rest by the full id."""
    return resource_id.rsplit("/", 1)[-1] if resource_id.startswith("arn:aws:ec2:") else resource_id.lower()


def _observed(size: str, region: str) -> tuple[Decimal, Decimal, int]:
    """``(Σ EffectiveCost, Σ hours, objects)`` of the inventory's objects of ``size`` in ``region`` whose usage rows
    are all on demand (Standard): each object's hours run from its first charge period start to its last end. The
    export ends on 2026-05-11, 5 days before the as-of date, so the 30-day window holds every row."""
    inventory = json.loads(INVENTORY.read_text())["resources"]
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    db.execute("CREATE TABLE inventory (cost_key VARCHAR, size VARCHAR, region VARCHAR)")
    db.executemany("INSERT INTO inventory VALUES (?, ?, ?)", [(_cost_key(r["id"]), r["size"], r["region"]) for r in inventory])
    cost, seconds, objects = db.execute("""
        SELECT sum(cost), sum(seconds), count(*) FROM (
            SELECT sum(CAST(f.EffectiveCost AS DECIMAL(38, 12))) AS cost,
                   epoch(max(CAST(f.ChargePeriodEnd AS TIMESTAMPTZ))) - epoch(min(CAST(f.ChargePeriodStart AS TIMESTAMPTZ))) AS seconds
            FROM read_csv(?, all_varchar = true) AS f JOIN inventory AS i ON lower(f.ResourceId) = i.cost_key
            WHERE f.ChargeCategory = 'Usage' AND i.size = ? AND i.region = ?
            GROUP BY f.ResourceId
            HAVING bool_and(f.PricingCategory = 'Standard'))""", [str(FOCUS), size, region]).fetchone()
    return Decimal(cost), Decimal(int(seconds)) / 3600, objects


# the observed on-demand prices, by hand (README: 10 days of web-1 and 5 of web-2 at 0.12528 a day; the reserved
# bastion, the stopped web-spare and web-east-1 in us-east-1 do not count)
T2_NANO = _observed("t2.nano", "us-west-2")
DB_T3_MICRO = _observed("db.t3.micro", "us-west-2")
D2S_V3 = _observed("Standard_D2s_v3", "northeurope")
T2_NANO_MONTHLY = T2_NANO[0] / T2_NANO[1] * HOURS  # 1.8792 / 360 h = 0.00522 an hour; × 730
DB_T3_MICRO_MONTHLY = DB_T3_MICRO[0] / DB_T3_MICRO[1] * HOURS
D2S_V3_MONTHLY = D2S_V3[0] / D2S_V3[1] * HOURS
ELB = Decimal("0.025") * HOURS  # the price table: a classic load balancer, an hour
EKS = Decimal("0.10") * HOURS  # an EKS control plane, an hour
GP2 = Decimal("0.10")  # a GiB-month


def _priced(*plan_paths, costs=True, inventory=True):
    plans = engine.load_plans([str(p) for p in plan_paths], sides=True)
    resources = engine.load_inventory([str(INVENTORY)]).resources if inventory else ()
    return plans, price_change(plans.entries, ownership=load_ownership(str(OWNERSHIP)), prices=engine.load_prices([str(PRICES)]),
                               costs=engine.load_costs([str(FOCUS)]) if costs else None,
                               as_of=engine.evaluator.as_of_datetime(AS_OF), inventory=resources)


def _text(amount: Decimal) -> str:
    """An amount as the outputs write it: exact, without trailing zeros."""
    return format(amount.normalize(), "f")


def _by_address(change) -> dict:
    return {r.address: r for r in change.resources}


def _line(priced, side="after"):
    (line,) = getattr(priced, f"{side}_lines")
    return line.to_dict()


def _edited(tmp_path, plan_path: Path, edits: dict) -> Path:
    """A copy of a real plan with some ``after`` values known (``{address: {attribute: value}}``)."""
    plan = json.loads(plan_path.read_text())
    for rc in plan["resource_changes"]:
        for name, value in edits.get(rc["address"], {}).items():
            rc["change"]["after"][name] = value
            rc["change"]["after_unknown"].pop(name, None)
    path = tmp_path / plan_path.name
    path.write_text(json.dumps(plan))
    return path


def test_the_hand_computed_unit_prices_are_the_readme_numbers():
    assert T2_NANO == (Decimal("1.8792"), Decimal(360), 2)
    assert T2_NANO_MONTHLY == Decimal("3.8106")  # not 3.81: the unit price is not rounded before it is multiplied
    assert DB_T3_MICRO == (Decimal("3.672"), Decimal(240), 1) and DB_T3_MICRO_MONTHLY == Decimal("11.169")
    assert D2S_V3 == (Decimal("23.832"), Decimal(240), 1) and D2S_V3_MONTHLY == Decimal("72.489")


def test_terragoat_every_resource_priced_or_listed_with_its_reason():
    plans, change = _priced(TERRAGOAT)
    resources = _by_address(change)
    # every entry is accounted for: the plan only creates
    assert sorted(resources) == sorted(e.address for e in plans.entries) and len(resources) == 55
    assert {r.action for r in change.resources} == {"create"}

    # the two t2.nano: FOCUS unit prices of t2.nano in us-west-2 (not the price table's 0.0058 list price)
    for address in ("aws_instance.web_host", "aws_instance.db_app"):
        priced = resources[address]
        assert (priced.status, priced.owner, priced.currency, priced.delta) == ("priced", "web", "USD", T2_NANO_MONTHLY)
        line = _line(priced)
        detail = line.pop("detail")
        assert line == {"component": "instance", "key": "t2.nano", "quantity": "1", "per": "instance",
                        "unit_price": "3.8106", "unit": "month", "hours_per_month": 730, "monthly": "3.8106",
                        "currency": "USD", "source": "FOCUS unit prices (us-west-2)"}
        assert (detail["region"], detail["observed_resources"], Decimal(detail["observed_cost"]),
                Decimal(detail["observed_hours"])) == ("us-west-2", T2_NANO[2], T2_NANO[0], T2_NANO[1])
        assert Decimal(line["quantity"]) * Decimal(line["unit_price"]) == Decimal(line["monthly"]) == T2_NANO_MONTHLY
    # the classes billed by the hour: the price table (what the FOCUS data does not cover)
    for address, key, owner, hourly, row, monthly in (
            ("aws_elb.weblb", "network.load-balancer", "web", "0.025", 5, ELB),
            ("aws_eks_cluster.eks_cluster", "kubernetes.cluster", "platform", "0.1", 6, EKS)):
        priced = resources[address]
        assert (priced.status, priced.owner, priced.delta) == ("priced", owner, monthly)
        line = _line(priced)
        assert (line["key"], line["quantity"], line["unit_price"], line["unit"], line["hours_per_month"]) == (key, "1", hourly, "hour", 730)
        assert Decimal(line["quantity"]) * Decimal(line["unit_price"]) * HOURS == Decimal(line["monthly"]) == monthly
        assert line["source"] == f"price table {PRICES}:{row}"
    assert {a for a, r in resources.items() if r.status == "priced"} == {
        "aws_instance.web_host", "aws_instance.db_app", "aws_elb.weblb", "aws_eks_cluster.eks_cluster"}

    # unpriced, with the reason; never guessed (the price table has gp2, the provider's default volume type, and
    # db.t3.micro is observed in us-west-2, but the plan does not say the storage types)
    assert [(r.address, r.owner, r.reason) for r in change.unpriced()] == [
        ("aws_db_instance.default", "data", "storage_type known only after apply"),
        ("aws_ebs_volume.web_host_storage", "web", "the volume type is known only after apply"),
        # an Elasticsearch domain is billed by the instance-hour of its cluster_config.instance_type
        ("aws_elasticsearch_domain.monitoring-framework", "finops",
         f"no price for t2.small.elasticsearch (aws, us-west-2) in the {SOURCES}"),
        ("aws_neptune_cluster_instance.default[0]", "data", f"no price for db.t3.medium (aws, us-west-2) in the {SOURCES}"),
    ]
    # the other 47 (IAM, network, buckets, the Lambda function, ...) are counted, not priced
    not_billed = [r for r in change.resources if r.status == "not-billed"]
    assert len(not_billed) == 47 and all(r.reason == NOT_BILLED for r in not_billed)
    assert change.count("unchanged") == 0

    # per owner and for the whole change, per currency
    web = change.totals("web")
    assert list(web) == ["USD"] and (web["USD"].added, web["USD"].removed) == (2 * T2_NANO_MONTHLY + ELB, 0)
    assert web["USD"].net == Decimal("25.8712")
    assert change.totals("platform")["USD"].net == EKS == Decimal("73")
    assert change.totals("data") == {} and change.totals("finops") == {}
    whole = change.totals()
    assert list(whole) == ["USD"] and whole["USD"].net == 2 * T2_NANO_MONTHLY + ELB + EKS == Decimal("98.8712")
    assert change.describe("web") == ("1 new network.load-balancer (price table); 2 new t2.nano (FOCUS unit prices); "
                                      "1 aws_ebs_volume unpriced: the volume type is known only after apply")


def test_terragoat_without_the_cost_data_the_price_table_prices_the_t2_nano():
    _, change = _priced(TERRAGOAT, costs=False)
    assert change.sources == ["price table"]
    for address in ("aws_instance.web_host", "aws_instance.db_app"):
        line = _line(_by_address(change)[address])
        assert (line["unit_price"], line["unit"], line["source"]) == ("0.0058", "hour", f"price table {PRICES}:2")
        assert _by_address(change)[address].delta == Decimal("0.0058") * HOURS == Decimal("4.234")
    assert change.totals()["USD"].net == 2 * Decimal("0.0058") * HOURS + ELB + EKS
    # the database's instance is priced by the table now, and its storage type is still unknown
    assert _by_address(change)["aws_db_instance.default"].reason == "storage_type known only after apply"


def test_terragoat_with_the_storage_types_known_prices_each_component_from_its_own_source(tmp_path):
    plan = _edited(tmp_path, TERRAGOAT, {"aws_db_instance.default": {"storage_type": "gp2"},
                                         "aws_ebs_volume.web_host_storage": {"type": "gp2"}})
    _, change = _priced(plan)
    db = _by_address(change)["aws_db_instance.default"]
    instance, storage = (line.to_dict() for line in db.after_lines)
    # the instance from the bill (db.t3.micro observed in us-west-2), the 20 GiB of gp2 from the price table
    assert (instance["key"], instance["unit_price"], instance["unit"], instance["source"]) == (
        "db.t3.micro", _text(DB_T3_MICRO_MONTHLY), "month", "FOCUS unit prices (us-west-2)")
    assert (storage["key"], storage["quantity"], storage["unit_price"], storage["unit"], storage["hours_per_month"],
            storage["source"]) == ("gp2", "20", "0.1", "gib-month", None, f"price table {PRICES}:4")
    assert db.delta == DB_T3_MICRO_MONTHLY + 20 * GP2 == Decimal("13.169")
    assert db.sources == ["FOCUS unit prices", "price table"]
    volume = _by_address(change)["aws_ebs_volume.web_host_storage"]
    assert (volume.status, volume.delta, _line(volume)["quantity"], _line(volume)["unit"]) == ("priced", 1 * GP2, "1", "gib-month")
    assert change.totals("data")["USD"].net == Decimal("13.169")  # the Neptune instance stays unpriced
    assert change.totals()["USD"].net == 2 * T2_NANO_MONTHLY + ELB + EKS + Decimal("13.169") + GP2


def test_azure_vms_whose_location_is_read_at_apply_are_unpriced_with_that_reason():
    plans, change = _priced(AZURE)
    # what the engine sees: the VMs' location comes from data.azurerm_resource_group.vm, read during apply
    vms = [e.after for e in plans.entries if e.after is not None and e.after["type"] == "azurerm_virtual_machine"]
    assert len(vms) == 2
    for vm in vms:
        assert (vm["provider"], vm["size"], vm["class"], vm["region"]) == ("azure", "Standard_D2s_v3", "compute.instance", None)
        assert "/region" in vm["change"]["unknown"] and "/properties/location" in vm["change"]["unknown"]
    # FOCUS knows Standard_D2s_v3 in northeurope and the price table has a row for any region ("*"), but the region
    # decides the price (an exact row would win over "*"): unpriced, not priced as "any region"
    assert [(r.address, r.owner, r.reason) for r in change.unpriced()] == [
        ("module.linuxservers-fail.azurerm_virtual_machine.vm-linux[0]", "web", REGION_UNKNOWN),
        ("module.windowsservers-pass.azurerm_public_ip.vm[0]", "platform", REGION_UNKNOWN),
        ("module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]", "platform", REGION_UNKNOWN),
    ]
    assert change.count("priced") == 0 and change.totals() == {}
    assert all(change.totals(owner) == {} for owner in ("web", "platform", "finops"))
    not_billed = [r for r in change.resources if r.status == "not-billed"]
    assert len(not_billed) == 15 and all(r.reason == NOT_BILLED for r in not_billed)
    assert len(change.resources) == 18  # 20 entries less the 2 data sources read


def test_an_azure_vm_with_its_location_known_is_priced_from_the_bill_in_its_own_currency(tmp_path):
    linux = "module.linuxservers-fail.azurerm_virtual_machine.vm-linux[0]"
    plan = _edited(tmp_path, AZURE, {linux: {"location": "northeurope"}})
    _, change = _priced(TERRAGOAT, plan)
    vm = _by_address(change)[linux]
    line = _line(vm)
    assert (vm.status, vm.currency, vm.delta) == ("priced", "EUR", D2S_V3_MONTHLY)
    assert (line["quantity"], line["unit_price"], line["unit"], line["source"]) == (
        "1", "72.489", "month", "FOCUS unit prices (northeurope)")  # before the "*" row of the price table
    assert _by_address(change)["module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]"].reason == REGION_UNKNOWN
    # two currencies, never added: per owner and for the whole change
    web = change.totals("web")
    assert {c: t.net for c, t in web.items()} == {"EUR": D2S_V3_MONTHLY, "USD": 2 * T2_NANO_MONTHLY + ELB}
    assert {c: t.net for c, t in change.totals().items()} == {"EUR": Decimal("72.489"), "USD": Decimal("98.8712")}


def test_both_real_plans_through_the_command_line():
    result = CliRunner().invoke(main, [
        "check", "--plan", str(TERRAGOAT), "--plan", str(AZURE), "--inventory", str(INVENTORY), "--costs", str(FOCUS),
        "--prices", str(PRICES), "--ownership", str(OWNERSHIP), "--as-of", AS_OF, "--policy", "change-cost-increase",
        "-f", "json"], catch_exceptions=False)
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "findings.schema.json").read_text())).validate(document)
    assert document["errors"] == []
    change = document["change"]
    usd = 2 * T2_NANO_MONTHLY + ELB + EKS
    assert change["totals"] == [{"currency": "USD", "added": _text(usd), "removed": "0", "net": _text(usd)}]
    assert change["price_sources"] == ["FOCUS observed cost", "FOCUS unit prices", "price table"]
    assert (change["priced"], change["unpriced"], change["not_billed"], change["unchanged"]) == (4, 7, 47 + 15, 0)
    owners = {o["owner"]: o for o in change["owners"]}
    assert owners["web"]["totals"] == [{"currency": "USD", "added": "25.8712", "removed": "0", "net": "25.8712"}]
    assert owners["platform"]["totals"] == [{"currency": "USD", "added": "73", "removed": "0", "net": "73"}]
    assert owners["data"]["totals"] == [] and owners["finops"]["totals"] == []
    assert [(o["priced"], o["unpriced"]) for o in (owners["web"], owners["platform"], owners["data"])] == [(3, 2), (1, 2), (0, 2)]
    resources = {r["address"]: r for r in change["resources"]}
    web_host = resources["aws_instance.web_host"]
    assert (web_host["status"], web_host["monthly_change"], web_host["after"][0]["source"]) == (
        "priced", "3.8106", "FOCUS unit prices (us-west-2)")
    assert web_host["location"]["file"] == str(TERRAGOAT)
    assert {a: r["reason"] for a, r in resources.items() if r["status"] == "unpriced"} == {
        "aws_db_instance.default": "storage_type known only after apply",
        "aws_ebs_volume.web_host_storage": "the volume type is known only after apply",
        "aws_elasticsearch_domain.monitoring-framework": f"no price for t2.small.elasticsearch (aws, us-west-2) in the {SOURCES}",
        "aws_neptune_cluster_instance.default[0]": f"no price for db.t3.medium (aws, us-west-2) in the {SOURCES}",
        "module.linuxservers-fail.azurerm_virtual_machine.vm-linux[0]": REGION_UNKNOWN,
        "module.windowsservers-pass.azurerm_public_ip.vm[0]": REGION_UNKNOWN,
        "module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]": REGION_UNKNOWN,
    }
    # change-cost-increase: medium at 20 % of the owner's run rate (its USD rows of the 10 days × 730 / 720)
    web_run_rate = (Decimal("0.12528") * (10 + 5 + 10)) * HOURS / 720  # web-1, web-2, web-east-1: 3.1755
    platform_run_rate = Decimal("0.0864") * 10 * HOURS / 720  # the reserved bastion: 0.876
    found = {f["scope"]["value"]: f for f in document["findings"]}
    assert sorted(found) == ["platform", "web"] and result.exit_code == 1
    assert all(f["severity"] == "medium" and f["policy"] == "change-cost-increase" for f in found.values())
    assert found["web"]["money"]["cost_change"] == {"amount": "25.87", "currency": "USD"}
    assert found["web"]["evidence"]["increase_percent"] == str((100 * Decimal("25.8712") / web_run_rate).quantize(Decimal("0.01")))
    assert found["platform"]["evidence"]["increase_percent"] == str((100 * EKS / platform_run_rate).quantize(Decimal("0.01")))
