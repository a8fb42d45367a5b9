"""Currencies are ISO 4217 codes, and a finding never mixes two currencies.

* ``BillingCurrency`` (FOCUS), a price table's ``currency`` and a Budgets document's currencies are
  checked against the ISO 4217 list shipped in ``engine/currencies.py`` (``usd``, ``US$``, ``840``
  are refused at their line, naming the column);
* one number rule for every money input: a price table reads ``9.6E-2`` as FOCUS does;
* a price table row with more fields than the header is an error (an unquoted ``1,000``);
* a resource billed in EUR is not priced from a USD price table: the saving is unknown and says
  why, never ``0 USD`` (and the owner summaries show no ``0.00 USD``).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.costs.reader import load_costs
from engine.errors import InputError
from engine.pricing.table import load_price_table
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
HEADER = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd\n"
ROW = "1,1,{},Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z\n"
TABLE = "provider,region,size,price,currency,unit\naws,us-east-1,m5.large,0.096,USD,hour\n"


def test_the_shipped_list_is_iso_4217():
    from engine.currencies import CURRENCIES, NUMERIC

    assert len(CURRENCIES) > 150 and all(re.fullmatch("[A-Z]{3}", code) for code in CURRENCIES)
    assert {"USD", "EUR", "JPY", "GBP", "CHF", "INR", "XXX"} <= set(CURRENCIES)
    assert NUMERIC["840"] == "USD" and NUMERIC["978"] == "EUR"
    assert "US$" not in CURRENCIES and "usd" not in CURRENCIES


@pytest.mark.parametrize("code, message", [
    ("usd", "'usd' is not an ISO 4217 currency code: write USD (three upper-case letters)"),
    ("US$", "'US$' is not an ISO 4217 currency code (three upper-case letters such as USD, EUR, JPY)"),
    ("840", "'840' is the numeric ISO 4217 code of USD: write USD"),
    ("ABC", "'ABC' is not an ISO 4217 currency code (three upper-case letters such as USD, EUR, JPY)"),
])
def test_focus_billing_currency_is_iso_4217_and_refused_at_its_line(write, code, message):
    path = write("costs.csv", HEADER + ROW.format("USD") + ROW.format(code) + ROW.format(code))
    with pytest.raises(InputError) as caught:
        load_costs([str(path)])
    assert [p.format() for p in caught.value.problems] == [f"{path}:3: E413 BillingCurrency: {message}"]


@pytest.mark.parametrize("currency", ["usd", "US$", "840"])
def test_a_price_table_currency_is_iso_4217(write, currency):
    path = write("prices.csv", TABLE.replace(",USD,", f",{currency},"))
    with pytest.raises(InputError) as caught:
        load_price_table([str(path)])
    (problem,) = caught.value.problems
    assert problem.format().startswith(f"{path}:2: E423 column currency: '{currency}' ")


@pytest.mark.parametrize("price, expected", [("9.6E-2", "0.096"), ("35.2e-7", "0.00000352"), ("0.096", "0.096"), (".5", "0.5")])
def test_a_price_table_reads_numbers_by_the_rule_focus_uses(write, price, expected):
    table = load_price_table([str(write("prices.csv", TABLE.replace("0.096", price)))])
    assert table.rows[("aws", "us-east-1", "m5.large")].price == Decimal(expected)


@pytest.mark.parametrize("price, fragment", [
    ("-1", "'-1' is negative"),
    ("1e30", "'1e30' is out of range"),
    ("0.0000000000001", "'0.0000000000001' has 13 decimal places; an amount has at most 12"),
    ("1_000", "'1_000' is not a decimal number"),
])
def test_a_price_outside_the_rule_is_refused(write, price, fragment):
    path = write("prices.csv", TABLE.replace("0.096", price))
    with pytest.raises(InputError) as caught:
        load_price_table([str(path)])
    (problem,) = caught.value.problems
    assert problem.format().startswith(f"{path}:2: E423 column price: {fragment}")


def test_a_price_table_row_with_an_extra_field_is_an_error(write):
    path = write("prices.csv", TABLE + "aws,us-east-1,m5.xlarge,1,000,USD,hour\n")
    with pytest.raises(InputError) as caught:
        load_price_table([str(path)])
    assert [p.format() for p in caught.value.problems] == [
        f"{path}:3: E422 7 fields, more than the header's 6; quote a field that holds a comma (an unquoted 1,000 is two fields)"]


def test_a_price_table_row_may_leave_out_trailing_fields_it_does_not_read(write):
    text = "provider,region,size,price,currency,unit,notes\naws,us-east-1,m5.large,0.096,USD,hour\n"
    assert load_price_table([str(write("prices.csv", text))]).rows


def test_a_resource_billed_in_eur_is_not_priced_in_usd():
    """vm-spark-01 is billed in EUR in the example export; the example price table prices its sizes in
    USD. Its previous-generation saving is unknown, says why, and no summary shows 0.00 USD for it."""
    args = ["check", "--inventory", str(EXAMPLES / "inventory.json"), "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"),
            "--budgets", str(EXAMPLES / "budgets.yaml"), "--prices", str(EXAMPLES / "prices.csv"),
            "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", "2026-11-27"]
    document = json.loads(CliRunner().invoke(main, [*args, "-f", "json"]).stdout)
    (finding,) = [f for f in document["findings"] if f["policy"] == "previous-generation" and "vm-spark-01" in f["resource"]["id"]]
    assert finding["money"]["monthly_cost"] == {"amount": "256.96", "currency": "EUR"}
    assert finding["money"]["monthly_saving"] is None
    assert finding["evidence"]["saving"] == {
        "status": "unpriced",
        "reason": "the resource is billed in EUR and the only prices found are in another currency (price table "
                  f"{EXAMPLES / 'prices.csv'}:16 in USD; price table {EXAMPLES / 'prices.csv'}:17 in USD): they cannot price it",
        "billing_currency": "EUR",
        "unusable_prices": [{"source": f"price table {EXAMPLES / 'prices.csv'}:16", "currency": "USD"},
                            {"source": f"price table {EXAMPLES / 'prices.csv'}:17", "currency": "USD"}],
    }
    for finding in document["findings"]:
        currencies = {money["currency"] for money in finding["money"].values() if money}
        assert len(currencies) <= 1, finding  # a finding never mixes currencies
    markdown = CliRunner().invoke(main, [*args, "-f", "markdown"]).stdout
    data_platform = next(line for line in markdown.splitlines() if line.startswith("| data\\-platform"))
    assert "0\\.00 USD" not in data_platform, data_platform
