"""The FOCUS price sources (engine/costs/prices.py): numbers computed by hand and by independent SQL."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.costs.prices import COLUMNS as PRICE_COLUMNS
from engine.costs.prices import FocusObservations, FocusObservedCost, FocusUnitPrices, focus_price_sources
from engine.costs.reader import load_costs
from engine.documents.loader import read_valid_documents
from engine.evaluator import evaluate
from engine.findings import Money
from engine.inventory.adapters.costwarden import convert
from engine.inventory.problems import StructureProblems
from engine.library import load_library
from engine.pricing import PriceSources, load_price_table, price_sources
from engine.pricing.estimate import estimate
from engine.sizing.catalog import Catalog
from tests.conftest import ROOT

FIXTURE = ROOT / "policies" / "rightsizing" / "fixtures" / "focus-june-2026.csv"
AS_OF = datetime(2026, 6, 10, tzinfo=timezone.utc)
HEADER = ("BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,"
          "PricingCategory,RegionId,ResourceId,CommitmentDiscountId,CommitmentDiscountType\n")


def inventory(*items: dict) -> list[dict]:
    return convert([dict(item) for item in items], StructureProblems())


def ec2(short_id: str, size: str | None, region: str = "us-east-1", **extra) -> dict:
    return {"id": f"arn:aws:ec2:{region}:111111111111:instance/{short_id}", "type": "AWS::EC2::Instance", "region": region,
            "size": size, **extra}


FIXTURE_INVENTORY = [
    ec2("i-0observed", "m5.2xlarge"), ec2("i-0committed", "c5.4xlarge"), ec2("i-0unobserved", "m5.xlarge"),
    ec2("i-0peerxlarge", "m5.xlarge"), ec2("i-0peerlarge1", "m5.large"), ec2("i-0peerlarge2", "m5.large"),
    ec2("i-0peerlargeri", "m5.large"), ec2("i-0old", "m4.large"), ec2("i-0new", "m7i.large"),
    ec2("i-0neweu", "m7i.large", "eu-west-1"),
]


@pytest.fixture
def fixture_costs():
    costs = load_costs([str(FIXTURE)])
    yield costs
    costs.close()


def sources_over(costs, resources, catalog=None):
    observed, units = focus_price_sources(costs, resources, AS_OF, catalog if catalog is not None else Catalog(reader=read_valid_documents))
    return observed, units


def test_observed_cost_is_730_hours_of_the_observed_hourly_cost_scaled_by_the_vcpu_ratio(fixture_costs):
    resources = inventory(*FIXTURE_INVENTORY)
    observed, _ = sources_over(fixture_costs, resources)
    big = resources[0]
    own = observed.quote(big, "m5.2xlarge")
    # 5 days × 24 h × 0.3456 = 41.472 over 120 h; × 730 = 252.288 -> 252.29
    assert (own.amount, own.unit, own.currency, own.source) == (Decimal("252.29"), "month", "USD", "FOCUS observed cost")
    assert own.detail == {"observed_cost": "41.472", "observed_hours": "120"}
    large = observed.quote(big, "m5.large")  # 2/8 of it: 63.072 -> 63.07
    assert large.amount == Decimal("63.07") and large.detail == {"size_ratio": "2/8", "ratio_basis": "vCPU"}
    assert observed.quote(big, "c5.large") is None  # another family: its own cost says nothing about it
    assert observed.quote(resources[2], "m5.xlarge") is None  # not in the cost data


def test_committed_usage_is_a_commitment_without_an_end_date(fixture_costs):
    resources = inventory(*FIXTURE_INVENTORY)
    observed, _ = sources_over(fixture_costs, resources)
    commitment = observed.commitment(resources[1])
    assert commitment.to_dict() == {"type": "Reserved Instance", "id": "arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-c5-1",
                                    "ends": None, "source": "FOCUS observed cost"}
    assert observed.commitment(resources[0]) is None
    found = estimate(resources[1], "c5.4xlarge", "c5.large", PriceSources([observed]), AS_OF)
    # 0.408 × 730 = 297.84; c5.large is 2/16 of it: 37.23; 260.61 once the reservation ends
    assert found.status == "committed" and found.monthly_saving == Money(Decimal(0), "USD")
    assert found.monthly_cost == Money(Decimal("297.84"), "USD") and found.evidence["monthly_after_commitment"] == "260.61"
    assert "FOCUS gives no end date" in found.text


def test_a_commitment_in_the_cost_data_holds_whichever_source_prices_the_saving(fixture_costs, write):
    resources = inventory(*FIXTURE_INVENTORY)
    observed = FocusObservedCost(FocusObservations(fixture_costs, resources, AS_OF), catalog=None)  # cannot scale: no catalog
    table = load_price_table([write("p.csv", "provider,region,size,price,currency\naws,us-east-1,c5.4xlarge,0.68,USD\n"
                                             "aws,us-east-1,c5.large,0.085,USD\n")])
    found = estimate(resources[1], "c5.4xlarge", "c5.large", price_sources(table, before=(observed,)), AS_OF)
    assert found.evidence["source"].startswith("price table")  # the table priced both sizes ...
    assert found.status == "committed" and found.monthly_saving.amount == 0  # ... the FOCUS usage says it is committed
    assert found.evidence["monthly_after_commitment"] == "434.35"  # 730 × (0.68 − 0.085)


def independent_unit_price(path, sizes: dict[str, str], size: str, region: str) -> Decimal:
    """Σ EffectiveCost ÷ hours × 730 over the on-demand instances of ``size`` in ``region``, written directly in SQL."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone='UTC'")
    connection.execute("CREATE TABLE sizes (id VARCHAR, size VARCHAR)")
    connection.executemany("INSERT INTO sizes VALUES (?, ?)", list(sizes.items()))
    (amount,) = connection.execute(
        """
        WITH per_resource AS (
            SELECT ResourceId, sum(CAST(EffectiveCost AS DECIMAL(38, 12))) AS cost,
                   (epoch(max(CAST(ChargePeriodEnd AS TIMESTAMPTZ))) - epoch(min(CAST(ChargePeriodStart AS TIMESTAMPTZ)))) / 3600 AS hours,
                   bool_and(PricingCategory = 'Standard') AS on_demand, min(RegionId) AS region
            FROM read_csv(?, all_varchar = true) WHERE ChargeCategory = 'Usage' GROUP BY ResourceId
        )
        SELECT round(sum(cost) / sum(hours) * 730, 2) FROM per_resource JOIN sizes ON sizes.id = ResourceId
        WHERE on_demand AND sizes.size = ? AND region = ?
        """,
        [str(path), size, region],
    ).fetchone()
    return Decimal(str(amount))


def test_unit_prices_are_the_on_demand_cost_of_the_size_in_the_region(fixture_costs):
    resources = inventory(*FIXTURE_INVENTORY)
    _, units = sources_over(fixture_costs, resources)
    unobserved = resources[2]
    xlarge, large = units.quote(unobserved, "m5.xlarge"), units.quote(unobserved, "m5.large")
    # m5.xlarge: 20.736 / 120 h × 730 = 126.144; m5.large: (10.368 + 11.52) / 240 h × 730 = 66.576 (the committed one left out)
    assert (xlarge.amount, large.amount) == (Decimal("126.14"), Decimal("66.58"))
    assert large.detail == {"region": "us-east-1", "observed_resources": 2, "observed_cost": "21.888", "observed_hours": "240"}
    sizes = {r["id"].rsplit("/", 1)[-1]: r["size"] for r in resources}
    assert large.amount == independent_unit_price(FIXTURE, sizes, "m5.large", "us-east-1")
    assert units.quote(unobserved, "m7i.large").amount == independent_unit_price(FIXTURE, sizes, "m7i.large", "us-east-1") == Decimal("65.70")
    eu = inventory(ec2("i-0else", "m5.xlarge", "eu-west-1"))[0]
    assert units.quote(eu, "m7i.large").amount == Decimal("146.00")  # eu-west-1's own m7i.large: 0.2 × 730
    assert FocusUnitPrices(units.observations).quote(eu, "m5.large") is None  # no m5.large observed in eu-west-1


def test_the_engine_asks_the_focus_sources_before_the_price_table(fixture_costs):
    library = load_library([str(ROOT / "policies" / "rightsizing" / "rightsize-compute.yaml")])
    resources = inventory(ec2("i-0observed", "m5.2xlarge", utilization={"cpu": {"p95": 12, "days": 30}}),
                          *FIXTURE_INVENTORY[1:])
    table = price_sources(load_price_table([str(ROOT / "policies" / "rightsizing" / "fixtures" / "prices.csv")]))
    with_costs = evaluate(library, resources, as_of=AS_OF, costs=fixture_costs, prices=table)
    (finding,) = with_costs.findings
    assert finding.evidence["saving"]["source"] == "FOCUS observed cost" and finding.monthly_saving == Money(Decimal("189.22"), "USD")
    without = evaluate(library, resources, as_of=AS_OF, prices=table)
    assert without.findings[0].monthly_saving == Money(Decimal("210.24"), "USD")  # 730 × (0.384 − 0.096)


def test_a_snapshot_loaded_without_the_price_columns_prices_from_the_table_and_says_so(write):
    library = load_library([str(ROOT / "policies" / "rightsizing" / "rightsize-compute.yaml")])
    costs = load_costs([str(FIXTURE)], columns=set())  # the required columns only
    try:
        table = price_sources(load_price_table([str(ROOT / "policies" / "rightsizing" / "fixtures" / "prices.csv")]))
        resources = inventory(ec2("i-0observed", "m5.2xlarge", utilization={"cpu": {"p95": 12, "days": 30}}))
        result = evaluate(library, resources, as_of=AS_OF, costs=costs, prices=table)
    finally:
        costs.close()
    assert result.findings[0].evidence["saving"]["source"].startswith("price table")
    assert any("savings are not priced from the cost data" in w and "PricingCategory" in w for w in result.warnings)


def test_cost_columns_include_the_price_columns_when_a_policy_prices_savings():
    builtin = load_library([str(ROOT / "policies")])
    assert PRICE_COLUMNS <= builtin.cost_columns(with_inventory=True)
    rightsizing = load_library([str(ROOT / "policies" / "rightsizing")])
    assert PRICE_COLUMNS <= rightsizing.cost_columns(with_inventory=True)
    assert rightsizing.cost_columns(with_inventory=False) == set()  # no cost policy, no inventory: nothing to price
    tagging = load_library([str(ROOT / "policies" / "tagging" / "required-allocation-tags.yaml")])
    assert "CommitmentDiscountType" not in tagging.cost_columns(with_inventory=True)


def test_a_resource_billed_in_two_currencies_is_not_observed_and_unit_prices_need_one_currency(write):
    path = write("c.csv", HEADER
                 + "1,USD,Usage,2026-06-01T00:00:00Z,2026-06-02T00:00:00Z,2.4,2.4,Standard,us-east-1,i-two,,\n"
                 + "1,EUR,Usage,2026-06-01T00:00:00Z,2026-06-02T00:00:00Z,2.4,2.4,Standard,us-east-1,i-two,,\n"
                 + "1,USD,Usage,2026-06-01T00:00:00Z,2026-06-02T00:00:00Z,2.4,2.4,Standard,us-east-1,i-usd,,\n"
                 + "1,EUR,Usage,2026-06-01T00:00:00Z,2026-06-02T00:00:00Z,4.8,4.8,Standard,us-east-1,i-eur,,\n")
    costs = load_costs([str(path)])
    try:
        resources = inventory(ec2("i-two", "m5.large"), ec2("i-usd", "m5.large"), ec2("i-eur", "m5.large"), ec2("i-none", "m5.large"))
        observed, units = sources_over(costs, resources)
        assert observed.quote(resources[0], "m5.large") is None
        assert observed.quote(resources[1], "m5.large").amount == Decimal("73")  # 0.1 × 730
        assert units.quote(resources[2], "m5.large").currency == "EUR"  # its own billing currency
        assert units.quote(resources[3], "m5.large") is None  # not observed, and m5.large is billed in two currencies
    finally:
        costs.close()


def test_only_the_latest_charge_period_decides_whether_a_commitment_covers_it(write):
    ri = "arn:aws:ec2:us-east-1:1:reserved-instances/ri-1"
    path = write("c.csv", HEADER
                 + f"1,USD,Usage,2026-06-01T00:00:00Z,2026-06-02T00:00:00Z,0,1.2,Committed,us-east-1,i-ended,{ri},Reserved Instance\n"
                 + "1,USD,Usage,2026-06-02T00:00:00Z,2026-06-03T00:00:00Z,2.4,2.4,Standard,us-east-1,i-ended,,\n"
                 + "1,USD,Usage,2026-06-01T00:00:00Z,2026-06-02T00:00:00Z,2.4,2.4,Standard,us-east-1,i-started,,\n"
                 + f"1,USD,Usage,2026-06-02T00:00:00Z,2026-06-03T00:00:00Z,0,1.2,Committed,us-east-1,i-started,{ri},Reserved Instance\n")
    costs = load_costs([str(path)])
    try:
        resources = inventory(ec2("i-ended", "m5.large"), ec2("i-started", "m5.large"))
        observed, units = sources_over(costs, resources)
        assert observed.commitment(resources[0]) is None and observed.commitment(resources[1]).id == ri
        # neither is an on-demand price: each had committed usage in the window
        assert units.quote(resources[0], "m5.large") is None
        assert observed.quote(resources[0], "m5.large").amount == Decimal("54.75")  # (1.2 + 2.4) / 48 h × 730
    finally:
        costs.close()


def test_size_ratio_from_the_ladder_relative_price_or_the_vcpu_ratio_of_proportional_shapes(write):
    catalog = Catalog(reader=read_valid_documents)
    assert str(catalog.price_ratio("aws", "m5.2xlarge", "m5.large")) == "2/8"
    assert catalog.price_ratio("aws", "m5.large", "M5.LARGE").basis == "same size"
    assert catalog.price_ratio("aws", "t3.large", "t3.nano") is None  # both 2 vCPU, 8 vs 0.5 GiB: not guessed
    assert catalog.price_ratio("aws", "m5.large", "c5.large") is None  # another family
    ladder = write("ladder.yaml", """\
apiVersion: costwarden/v1
kind: SizeLadders
provider: aws
families:
  - family: t3
    burstable: true
    sizes:
      - {size: t3.nano, vcpu: 2, memory_gib: 0.5, relative_price: 1}
      - {size: t3.micro, vcpu: 2, memory_gib: 1, relative_price: 2}
      - {size: t3.small, vcpu: 2, memory_gib: 2, relative_price: 4}
""")
    library = load_library([str(ladder)])
    ratio = library.catalog.price_ratio("aws", "t3.small", "t3.nano")
    assert (str(ratio), ratio.basis) == ("1/4", "relative price")
    assert library.catalog.size("aws", "t3.small").to_dict()["relative_price"] == 4


def test_check_with_costs_prices_the_example_savings_from_focus():
    """The example estate: vm-spark-01 (Standard_D8s_v3) is billed 8.448 EUR a day = 0.352/h, 256.96 EUR a month;
    Standard_D4s_v3 is 4/8 of it. search-indexer-1 (c5.4xlarge) runs on a reservation: saving 0."""
    result = CliRunner().invoke(main, [
        "check", "--inventory", str(ROOT / "examples" / "inventory.json"), "--ownership", str(ROOT / "examples" / "ownership.yaml"),
        "--costs", str(ROOT / "examples" / "costs"), "--prices", str(ROOT / "examples" / "prices.csv"), "--as-of", "2026-11-27",
        "--policy", "rightsize-compute", "--format", "json"])
    assert result.exit_code == 0, result.output  # rightsize-compute is audit
    by_name = {f["resource"]["name"]: f for f in json.loads(result.output)["findings"] if f["evidence"].get("recommendation")}
    spark = by_name["vm-spark-01"]
    assert spark["evidence"]["saving"]["source"] == "FOCUS observed cost"
    assert spark["money"]["monthly_cost"] == {"amount": "256.96", "currency": "EUR"}
    assert spark["money"]["monthly_saving"] == {"amount": "128.48", "currency": "EUR"}
    indexer = by_name["search-indexer-1"]
    assert indexer["money"]["monthly_saving"] == {"amount": "0", "currency": "USD"}
    assert indexer["evidence"]["saving"]["commitment"]["id"] == "arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-search-c5"
    assert indexer["evidence"]["saving"]["monthly_after_commitment"] == "148.92"  # 297.84 − 297.84 × 8/16
