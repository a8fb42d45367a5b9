"""Price tables, price sources in order, estimated savings (hand-computed), commitments, and finding order."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from engine.errors import InputError
from engine.findings import Finding, Money, Result
from engine.pricing import Commitment, PriceSources, Quote, load_price_table, price_key, price_sources
from engine.pricing.estimate import capacity_gib, estimate

AS_OF = datetime(2026, 1, 1, tzinfo=timezone.utc)
TABLE = """\
provider,region,size,price,currency,unit
aws,us-east-1,m5.2xlarge,0.384,USD,hour
aws,us-east-1,m5.large,0.096,USD,hour
aws,*,m5.large,0.107,USD,
AWS,EU-West-1,M5.Large,0.107,USD,hour
aws,us-east-1,gp2,0.10,USD,gib-month
aws,us-east-1,gp3,0.08,USD,gib-month
aws,us-east-1,network.public-ip,0.005,USD,hour
aws,us-east-1,m5.xlarge,0.192,EUR,hour
"""


def instance(size="m5.2xlarge", region="us-east-1", **extra) -> dict:
    return {"id": "i-1", "type": "AWS::EC2::Instance", "class": "compute.instance", "provider": "aws", "region": region,
            "size": size, "properties": {}, **extra}


@pytest.fixture
def prices(write) -> PriceSources:
    return price_sources(load_price_table([write("prices.csv", TABLE)]))


def test_price_table_lookup_exact_region_first_then_any_region_case_insensitive(prices):
    (table,) = prices.sources
    assert table.quote(instance(), "m5.large").amount == Decimal("0.096")
    assert table.quote(instance(region="ap-south-1"), "m5.large").amount == Decimal("0.107")
    assert table.quote(instance(region="eu-west-1"), "M5.LARGE").source.endswith("prices.csv:5")
    assert table.quote(instance(region=None), "m5.large").amount == Decimal("0.107")
    assert table.quote(instance(), "m7i.large") is None
    assert table.quote(instance(), "gp3").unit == "gib-month"


def test_saving_is_730_hours_times_the_hourly_difference(prices):
    found = estimate(instance(), "m5.2xlarge", "m5.large", prices, AS_OF)
    # 730 × 0.384 = 280.32; 730 × 0.096 = 70.08; saving 210.24
    assert found.monthly_saving == Money(Decimal("210.24"), "USD")
    assert found.monthly_cost == Money(Decimal("280.32"), "USD")
    assert found.text == "saves 210.24 USD/month (price table)"
    assert found.evidence["current"] == {"size": "m5.2xlarge", "hourly": "0.384", "monthly": "280.32"}
    assert found.evidence["target"] == {"size": "m5.large", "hourly": "0.096", "monthly": "70.08"}
    assert found.evidence["source"].startswith("price table ") and found.evidence["hours_per_month"] == 730


def test_no_price_is_said_never_invented(prices):
    found = estimate(instance(size="m5.4xlarge"), "m5.4xlarge", "m5.2xlarge", prices, AS_OF)
    assert (found.monthly_saving, found.monthly_cost, found.status) == (None, None, "unpriced")
    assert found.text == "saving unknown: no price for m5.4xlarge (aws, us-east-1) in the price table"
    none = estimate(instance(), "m5.2xlarge", "m5.large", PriceSources(), AS_OF)
    assert none.text == "saving unknown: no price source given (use --costs or --prices)" and none.monthly_saving is None


def test_two_currencies_are_never_subtracted(prices):
    found = estimate(instance(), "m5.xlarge", "m5.large", prices, AS_OF)
    assert found.monthly_saving is None and found.status == "unpriced"


def test_a_running_commitment_saves_nothing_until_it_ends(prices):
    covered = instance(properties={"commitment": {"type": "reservation", "id": "ri-1", "ends": "2026-09-30"}})
    found = estimate(covered, "m5.2xlarge", "m5.large", prices, AS_OF)
    assert found.status == "committed" and found.monthly_saving == Money(Decimal(0), "USD")
    assert found.evidence["monthly"] == "0" and found.evidence["monthly_after_commitment"] == "210.24"
    assert found.evidence["commitment"] == {"type": "reservation", "id": "ri-1", "ends": "2026-09-30", "source": "inventory"}
    assert found.text == "saves nothing until the commitment ends on 2026-09-30 (then 210.24 USD/month, price table)"
    ended = instance(properties={"commitment": {"ends": "2025-12-31"}})
    assert estimate(ended, "m5.2xlarge", "m5.large", prices, AS_OF).monthly_saving == Money(Decimal("210.24"), "USD")
    endless = instance(properties={"commitment": {"type": "savings-plan"}})
    assert "end unknown" in estimate(endless, "m5.2xlarge", "m5.large", prices, AS_OF).text


class CommittedSource:
    """A stand-in for a FOCUS source: it knows the resource's rows are covered by a commitment."""

    name = "FOCUS observed cost"

    def quote(self, resource, key):
        hourly = {"m5.2xlarge": "0.30", "m5.large": "0.075"}.get(key)
        if hourly is None:
            return None
        return Quote(Decimal(hourly), "hour", "USD", "FOCUS focus.csv", self.name, Commitment("savings-plan", "sp-1", "2027-01-01", self.name))


class CurrentOnlySource:
    name = "observed cost"

    def quote(self, resource, key):
        return Quote(Decimal("1"), "hour", "USD", "observed", self.name) if key == resource["size"] else None


def test_sources_are_asked_in_order_and_one_source_prices_both_sizes(prices):
    (table,) = prices.sources
    chain = price_sources(table, before=(CurrentOnlySource(),))
    assert estimate(instance(), "m5.2xlarge", "m5.large", chain, AS_OF).evidence["source"].startswith("price table")
    chain = price_sources(table, before=(CommittedSource(),))
    found = estimate(instance(), "m5.2xlarge", "m5.large", chain, AS_OF)
    assert found.status == "committed" and found.evidence["commitment"]["source"] == "FOCUS observed cost"
    assert found.evidence["monthly_after_commitment"] == "164.25"  # 730 × (0.30 − 0.075)


def test_storage_is_priced_per_gib_month_of_its_capacity(prices):
    volume = {"id": "vol-1", "type": "AWS::EC2::Volume", "class": "block.volume", "provider": "aws", "region": "us-east-1",
              "size": "gp2", "properties": {"configuration": {"size": 500}}}
    found = estimate(volume, "gp2", "gp3", prices, AS_OF)
    assert found.monthly_saving == Money(Decimal("10"), "USD")  # 500 GiB × (0.10 − 0.08)
    assert found.evidence["current"] == {"size": "gp2", "per_gib_month": "0.10", "monthly": "50"}
    whole = estimate(volume, "gp2", None, prices, AS_OF)
    assert whole.monthly_saving == whole.monthly_cost == Money(Decimal("50"), "USD")
    unknown = estimate({**volume, "properties": {}}, "gp2", "gp3", prices, AS_OF)
    assert unknown.text == "saving unknown: gp2 is priced per GiB-month but the resource's capacity is unknown"


def test_capacity_paths():
    assert capacity_gib({"properties": {"resource": {"data": {"sizeGb": "200"}}}}) == Decimal(200)
    assert capacity_gib({"properties": {"properties": {"diskSizeGB": 128}}}) == Decimal(128)
    assert capacity_gib({"properties": {"capacity_gib": 1.5}}) == Decimal("1.5")
    assert capacity_gib({"properties": {}}) is None


def test_a_target_that_costs_more_saves_nothing_and_says_by_how_much(write):
    prices = price_sources(load_price_table([write("p.csv", "provider,region,size,price,currency\ngcp,*,n1-standard-1,0.0475,USD\n"
                                                            "gcp,*,n2-standard-2,0.0971,USD\n")]))
    vm = {"id": "vm", "class": "compute.instance", "provider": "gcp", "region": "us-central1", "size": "n1-standard-1", "properties": {}}
    found = estimate(vm, "n1-standard-1", "n2-standard-2", prices, AS_OF)
    assert found.monthly_saving == Money(Decimal(0), "USD")
    assert found.evidence["monthly_increase"] == "36.208"  # 730 × (0.0971 − 0.0475)
    assert found.text == "costs 36.21 USD/month more (price table)"


def test_the_price_table_schema_describes_what_the_reader_accepts(write):
    import csv

    from jsonschema import Draft202012Validator

    from engine.documents.schemas import load_schema

    validator = Draft202012Validator(load_schema("price-table.schema.json"))
    load_price_table([write("prices.csv", TABLE)])
    for row in csv.DictReader(TABLE.splitlines()):
        assert not list(validator.iter_errors(row)), row
    assert list(validator.iter_errors({"provider": "aws", "region": "*", "size": "m5.large", "price": "$1", "currency": "USD"}))
    assert not list(validator.iter_errors({"provider": "aws", "region": "*", "size": "m5.large", "price": "9.6E-2", "currency": "USD"}))


def test_the_price_schema_and_the_amount_rule_are_one_pattern():
    from engine.amounts import NON_NEGATIVE_AMOUNT_PATTERN
    from engine.documents.schemas import load_schema

    assert load_schema("price-table.schema.json")["properties"]["price"]["pattern"] == f"^{NON_NEGATIVE_AMOUNT_PATTERN}$"


def test_price_key():
    assert price_key(instance()) == "m5.2xlarge"
    assert price_key({"class": "network.public-ip", "size": "Standard"}) == "network.public-ip"
    assert price_key({"class": "block.volume", "size": "gp3"}) == "gp3"
    assert price_key({"class": None, "size": None}) is None


def test_price_table_problems_name_file_and_line(write):
    path = write("bad.csv", "provider,region,size,price,currency,unit\n"
                            "aws,us-east-1,m5.large,0.096,USD,hour\n"
                            "aws,us-east-1,m5.large,0.1,USD,hour\n"
                            "aws,us-east-1,m5.xlarge,$0.19,USD,hour\n"
                            "aws,us-east-1,m5.xlarge,0.19,usd,hour\n"
                            "aws,,m5.xlarge,0.19,USD,day\n")
    with pytest.raises(InputError) as error:
        load_price_table([path])
    assert [p.format() for p in error.value.problems] == [
        f"{path}:3: E424 m5.large in aws region us-east-1 is priced twice (first at line 2)",
        f"{path}:4: E423 column price: '$0.19' is not a decimal number (write it like 12.5, -0.25 or 9.6E-2)",
        f"{path}:5: E423 column currency: 'usd' is not an ISO 4217 currency code: write USD (three upper-case letters)",
        f"{path}:6: E423 column region is empty",
        f"{path}:6: E423 column unit: expected one of hour, gib-month, got 'day'",
    ]
    header = write("h.csv", "provider,size,price\n")
    with pytest.raises(InputError) as error:
        load_price_table([header])
    assert error.value.problems[0].format().startswith(f"{header}:1: E422 the header row has no column region, currency")


def test_findings_are_sorted_by_saving_within_a_policy_and_owner_summaries_add_savings():
    def finding(rid, amount, policy="rightsize"):
        saving = Money(Decimal(amount), "USD") if amount is not None else None
        return Finding(policy, "medium", "audit", "m", "team-a", "default", {"id": rid, "provider": "aws"}, {}, monthly_saving=saving)

    found = sorted([finding("a", "5"), finding("b", None), finding("c", "70.08"), finding("d", "5"), finding("e", "1", "other")],
                   key=Finding.sort_key)
    assert [f.resource["id"] for f in found] == ["e", "c", "a", "d", "b"]
    result = Result(tuple(found), (), (), "2026-01-01T00:00:00Z", 5)
    (owner,) = result.owner_summary()
    assert owner["monthly_saving"] == [{"amount": "81.08", "currency": "USD"}]


def test_cli_prices_option_and_its_errors(write):
    from click.testing import CliRunner

    from engine.cli import main
    from tests.conftest import ROOT

    bad = write("p.csv", "provider,region,size,price,currency\naws,*,m5.large,abc,USD\n")
    result = CliRunner().invoke(main, ["check", "--inventory", str(ROOT / "examples" / "inventory.json"), "--prices", str(bad)])
    assert result.exit_code == 2 and f"{bad}:2: E423 column price" in result.output


def test_sort_order_puts_savings_first_then_unpriced_and_orders_cost_findings_by_scope():
    """Within a policy: priced findings first (largest saving first, per currency), then the unpriced ones
    by resource; a cost policy's findings (no resource, no saving) by scope value and currency. The order
    does not depend on the order the checks produced the findings in, so the JSON is deterministic."""
    def resource(rid, amount=None, currency="USD", provider="aws"):
        saving = Money(Decimal(amount), currency) if amount is not None else None
        return Finding("p", "medium", "audit", "m", "t", "default", {"id": rid, "provider": provider}, {}, monthly_saving=saving)

    def scope(value, currency):
        return Finding("q", "medium", "enforce", "m", "t", "scope", None, {}, scope={"dimension": "owner", "value": value, "currency": currency})

    found = [resource("z", "1"), resource("y", "0"), scope("search", "USD"), resource("x", "3", "EUR"), resource("w"),
             scope("payments", "USD"), scope("payments", "EUR"), resource("v", "2"), resource("u", provider="azure")]
    ordered = sorted(found, key=Finding.sort_key)
    labels = [f.resource["id"] if f.resource else f"{f.scope['value']}/{f.scope['currency']}" for f in ordered]
    assert labels == ["x", "v", "z", "y", "w", "u", "payments/EUR", "payments/USD", "search/USD"]
    assert sorted(reversed(found), key=Finding.sort_key) == ordered


def _fresh(prices: PriceSources) -> PriceSources:
    """The same sources with no cached quotes or estimates."""
    (table,) = prices.sources
    return price_sources(type(table)(dict(table.rows), table.files))


@pytest.mark.parametrize("capacity", [500, 500.0, "500", 0, -0.0])
def test_cached_estimates_equal_uncached_ones_and_are_not_shared(prices, capacity):
    volume = {"id": "vol-1", "class": "block.volume", "provider": "aws", "region": "us-east-1", "size": "gp2",
              "properties": {"Size": capacity}}
    cases = [(volume, "gp2", "gp3"), (volume, "gp2", None), (instance(), "m5.2xlarge", "m5.large"),
             (instance(properties={"commitment": {"type": "reservation", "ends": "2027-01-01"}}), "m5.2xlarge", "m5.large"),
             (instance(region="eu-west-1", size="m5.large"), "m5.large", None), (instance(region="ap-south-1"), "m5.2xlarge", "m5.large")]
    for resource, current, target in cases:
        first = estimate(resource, current, target, prices, AS_OF)
        second = estimate(resource, current, target, prices, AS_OF)  # from the caches
        uncached = estimate(resource, current, target, _fresh(prices), AS_OF)
        assert first == second == uncached
        assert first.evidence is not second.evidence
        if first.evidence.get("current") is not None:
            assert first.evidence["current"] is not second.evidence["current"]


def test_cached_estimates_keep_amounts_as_written(write):
    # 0.10 and 0.1 are equal, but the evidence shows each as its row writes it
    prices = price_sources(load_price_table([write("p.csv", "provider,region,size,price,currency\naws,us-east-1,a.x,0.10,USD\n"
                                                            "aws,eu-west-1,a.x,0.1,USD\n")]))
    east = estimate(instance(size="a.x"), "a.x", None, prices, AS_OF)
    west = estimate(instance(size="a.x", region="eu-west-1"), "a.x", None, prices, AS_OF)
    assert east.evidence["current"]["hourly"] == "0.10"
    assert west.evidence["current"]["hourly"] == "0.1"
    assert west.evidence["source"].endswith("p.csv:3")


def test_price_table_quotes_are_cached_per_provider_region_and_key(prices):
    (table,) = prices.sources
    first = table.quote(instance(), "m5.large")
    assert table.quote(instance(), "m5.large") is first
    assert table.quote(instance(region="EU-WEST-1"), "m5.large").amount == Decimal("0.107")
    assert table.quote(instance(region=["not", "a", "region"]), "m5.large").amount == Decimal("0.107")
    assert table.quote(instance(), "m9.nothing") is None
