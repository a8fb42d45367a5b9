"""The built-in rightsizing and waste policies over real data, and `costwarden check` with prices and metrics."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from engine.cli import main
from engine.documents.schemas import load_schema
from tests.conftest import REALDATA, ROOT

FIXTURES = ROOT / "policies" / "rightsizing" / "fixtures"


@pytest.mark.parametrize("copy, original", [
    ("aws-config-ec2-instance.json", "aws-config-rdk/AWS_EC2_Instance.json"),
    ("gcp-compute-instances.json", "gcp-policy-library/assets/data.json"),
])
def test_the_realdata_fixtures_are_unmodified_copies(copy, original):
    assert (FIXTURES / "realdata" / copy).read_bytes() == (REALDATA / original).read_bytes()


def test_cloudwatch_metrics_join_the_aws_config_instance_by_its_instance_id():
    from engine.policy_tests import collect_tests

    (test,) = [t for t in collect_tests([str(ROOT / "policies" / "rightsizing")]) if t.doc.data["name"] == "real inventories with metrics"]
    by_id = {r["id"]: r for r in test.resources}
    aws = by_id["arn:aws:ec2:us-east-1:681361479661:instance/i-03402838daac1d611"]
    assert aws["utilization"]["cpu"]["p95"] == 4.3 and aws["utilization"]["cpu"]["samples"] == 720
    gcp = [r for r in test.resources if r["provider"] == "gcp"]
    assert len(gcp) == 5 and all("cpu" in r["utilization"] for r in gcp)


# --- check end to end ---------------------------------------------------------------------------


def run_check(*args: str):
    return CliRunner().invoke(main, ["check", "--inventory", str(ROOT / "examples" / "inventory.json"),
                                     "--ownership", str(ROOT / "examples" / "ownership.yaml"), "--as-of", "2026-11-27", *args])


def test_check_with_prices_lists_recommendations_sorted_by_saving_and_sums_them_per_owner():
    result = run_check("--prices", str(ROOT / "examples" / "prices.csv"), "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    Draft202012Validator(load_schema("findings.schema.json")).validate(document)
    rightsizing = [f for f in document["findings"] if f["policy"] == "rightsize-compute"]
    savings = [float(f["money"]["monthly_saving"]["amount"]) for f in rightsizing if f["money"]["monthly_saving"]]
    assert savings == sorted(savings, reverse=True) and savings[0] == 248.2  # c5.4xlarge -> c5.2xlarge: 730 × 0.34
    search = next(o for o in document["summary"]["by_owner"] if o["owner"] == "search")
    total = sum(float(f["money"]["monthly_saving"]["amount"]) for f in document["findings"]
                if f["owner"] == "search" and f["money"]["monthly_saving"])
    assert search["monthly_saving"] == [{"amount": format(round(total, 4), "f").rstrip("0").rstrip("."), "currency": "USD"}]
    text = run_check("--prices", str(ROOT / "examples" / "prices.csv")).output
    summary = text.split("Summary by owner:")[1].splitlines()
    header = next(line for line in summary if line.strip().startswith("OWNER "))
    row = next(line for line in summary if line.strip().startswith("search "))
    assert header.split()[-1] == "DOLLARS" and row.split()[:2] == ["search", "14"]  # one money column, the saving in it
    assert row.endswith(f"saving/month {float(search['monthly_saving'][0]['amount']):,.2f} USD")


def test_check_output_is_deterministic_with_metrics_and_prices(write):
    metrics = write("m.csv", "resource_id,metric,timestamp,period,value\n"
                             "i-0a1b2c3d4e5f60001,cpu,2026-11-20T00:00:00Z,3600,12\n")
    args = ("--prices", str(ROOT / "examples" / "prices.csv"), "--metrics", str(metrics), "--format", "json")
    first, second = run_check(*args), run_check(*args)
    assert first.output == second.output
    document = json.loads(first.output)
    payments = next(f for f in document["findings"] if f["policy"] == "rightsize-compute"
                    and f["resource"]["id"].endswith("i-0a1b2c3d4e5f60001"))
    # the metrics file replaced the inventory's cpu statistics: one hour of data is too little
    assert payments["evidence"]["reason"] == "insufficient-data" and payments["severity"] == "info"


def test_check_without_prices_says_the_savings_are_unpriced():
    document = json.loads(run_check("--format", "json").output)
    rightsizing = [f for f in document["findings"] if f["policy"] == "rightsize-compute" and f["evidence"]["recommendation"]]
    assert rightsizing and all(f["evidence"]["saving"] == {"status": "unpriced", "reason": "no price source given (use --costs or --prices)"}
                               for f in rightsizing)
    assert all(f["money"]["monthly_saving"] is None for f in rightsizing)
