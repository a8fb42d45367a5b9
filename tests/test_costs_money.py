"""Money is read by one rule, exactly, and never silently rounded or overflowed.

* the amount rule (:func:`engine.amounts.read_amount`) and the SQL the FOCUS reader converts money
  text with (:mod:`engine.costs.columns`) agree on every text (a differential test);
* money columns must be numbers: a Parquet ``BOOLEAN BilledCost`` is refused, not read as 1.00;
* ``1e30`` is a decimal number out of range, and the message says so and gives the range;
* amounts that add up to more than the exact sum holds are refused, naming the file and column;
* more than 12 decimal places (CSV text, a Parquet ``DECIMAL(38,20)`` or ``DOUBLE``) are read rounded
  with a warning naming the file and the column;
* price and budget arithmetic runs with enough digits: a 26-digit hourly price keeps its cents.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from decimal import Decimal, localcontext
from fractions import Fraction

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.costs.dialect import DuckDBDialect
from engine.costs.reader import load_costs
from engine.errors import InputError
from engine.evaluator import evaluate
from engine.library import load_library
from engine.pricing import PriceSources, PriceTable
from engine.pricing.estimate import estimate
from engine.pricing.table import PriceRow

D = DuckDBDialect()
HEADER = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd\n"
GOOD = "1,1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z\n"


def focus(write, *billed: str, name: str = "costs.csv"):
    rows = "".join(f"{b},1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z\n" for b in billed)
    return write(name, HEADER + GOOD + rows)


def problems(paths) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_costs([str(p) for p in paths])
    return [p.format() for p in caught.value.problems]


# -- one rule, in Python and in SQL --------------------------------------------------------------

TEXTS = st.one_of(
    st.text(alphabet="0123456789.eE+- _\t\n\r\x0b\x0c\xa0,", min_size=1, max_size=14),
    st.text(alphabet="0123456789.-", min_size=1, max_size=20),
    st.builds(lambda m, e: f"{m}e{e}", st.decimals(allow_nan=False, allow_infinity=False, places=3), st.integers(-40, 40)),
    st.builds(lambda f, e: f".{f}e{e}", st.text(alphabet="0123456789", min_size=1, max_size=20), st.integers(15, 40)),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.builds(lambda sign, i, f, e: f"{sign}{i}{'.' + f if f else ''}{e}", st.sampled_from(["", "-", "+"]),
              st.text(alphabet="0123456789", min_size=1, max_size=30), st.text(alphabet="0123456789", max_size=45),
              st.sampled_from(["", "e-45", "e-13", "e-1", "e0", "e3", "E12", "e25", "e40"])),
    st.sampled_from(["1e30", "99999999999999999999999999", "100000000000000000000000000", "0.0000000000005", "1000e-15",
                     "35.29615924650000", "0.38191648489875", "1_000", "NaN", "Infinity", "1e-400", ".5", "5.", "+.5e1", "-0",
                     "100000000000000000000000000.000e-1", "0.0000000000000000000000000000000000000000001e40", ".01E27",
                     ".0151159793971e27", "1e26", "0e99999999999999999999999", "1e-99999999999999999999999"]),
)


@settings(max_examples=600, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=30))
def test_the_sql_reads_money_text_by_the_amount_rule(texts):
    from engine.amounts import AmountError, decimal_places, read_amount
    from engine.costs.columns import OUTSIDE_RULE, ROUNDED, from_text
    from engine.costs.focus import DECIMAL

    read = from_text("v", DECIMAL, D)
    rows = duckdb.connect().execute(f"SELECT v, {read.check}, {read.bad}, {read.safe} FROM (SELECT unnest(?) AS v)", [texts]).fetchall()
    for text, check, bad, value in rows:
        try:
            exact = read_amount(text, more_decimals=True)
        except AmountError as error:
            assert bad, (text, str(error))
            if value is not None:  # DuckDB casts it: the check must refuse it (else the cast fails, an error too)
                assert check == OUTSIDE_RULE or "out of range" in str(error), text
            continue
        assert not bad and check in (0, ROUNDED), text
        assert (check == ROUNDED) == (decimal_places(exact) > 12), text
        with localcontext() as context:
            context.prec = 100
            assert value == exact.quantize(Decimal("1e-12"), rounding="ROUND_HALF_UP"), text  # DuckDB: half away from zero


# -- types, range, overflow ------------------------------------------------------------------------

def test_a_boolean_parquet_billedcost_is_refused_naming_the_file_and_column(tmp_path):
    path = tmp_path / "costs.parquet"
    duckdb.sql(
        "COPY (SELECT true AS BilledCost, 1.0 AS EffectiveCost, 'USD' AS BillingCurrency, 'Usage' AS ChargeCategory,"
        " TIMESTAMPTZ '2026-05-01 00:00:00+00' AS ChargePeriodStart, TIMESTAMPTZ '2026-05-01 01:00:00+00' AS ChargePeriodEnd)"
        f" TO '{path}' (FORMAT parquet)")
    assert problems([path]) == [f"{path}: E412 column BilledCost is BOOLEAN: money is a decimal number"
                                " (a DECIMAL, integer or floating-point column, or text)"]


def test_1e30_is_a_decimal_number_out_of_range_and_the_message_gives_the_range(write):
    path = focus(write, "1e30")
    assert problems([path]) == [
        f"{path}:3: E412 column BilledCost: '1e30' is out of range: an amount has at most 26 digits before the decimal point"
        " (less than 10^26 in absolute value; costwarden sums money exactly as DECIMAL(38,12))"]


@pytest.mark.parametrize("text", ["1_000", "NaN", "1,5"])
def test_money_outside_the_rule_is_refused_even_where_duckdb_would_parse_it(write, text):
    path = focus(write, f'"{text}"')
    (problem,) = problems([path])
    assert problem.startswith(f"{path}:3: E412 column BilledCost: '{text}' is not a decimal number")


def test_amounts_that_add_up_beyond_the_exact_sum_are_refused_naming_the_file_and_column(write):
    nines = "9" * 26
    path = focus(write, nines, nines)
    assert problems([path]) == [f"{path}: E413 column BilledCost: the amounts add up to more than costwarden sums exactly"
                                " (less than 10^26 in absolute value)"]
    half = "5" + "0" * 25
    several = [focus(write, half, name="a.csv"), focus(write, half, name="b.csv")]  # each fits; together they do not
    assert problems(several) == [f"{several[1]}: E413 column BilledCost: the amounts of this file and the ones before it add up"
                                 " to more than costwarden sums exactly (less than 10^26 in absolute value)"]


def test_a_26_digit_cost_is_summed_and_forecast_exactly(write):
    """The forecast (actual × period ÷ elapsed) of a 26-digit actual, to the cent: Python's default 28
    digits would lose the last digits of the product."""
    big = "12345678901234567890123456.789"
    path = write("costs.csv", HEADER + f"{big},1,USD,Usage,2026-05-01T00:00:00Z,2026-05-01T01:00:00Z\n")
    policies = write("p.yaml", BUDGET)
    library = load_library([str(policies)])
    result = evaluate(library, None, costs=load_costs([str(path)]), as_of="2026-05-11T00:00:00Z", budgets=library.budgets)
    (finding,) = result.findings
    expected = Fraction(Decimal(big)) * 31 * 24  # 31 days in May; the data ends after its first hour
    cents = round(expected * 100)
    assert finding.evidence["actual"] == big
    assert finding.evidence["forecast"] == f"{cents // 100}.{cents % 100:02d}"


BUDGET = """\
apiVersion: costwarden/v1
kind: Policy
id: b
title: t
severity: low
type: budget
spec: {budgets: x, scope: all, thresholds: [{on: forecast, percent: 100}]}
---
apiVersion: costwarden/v1
kind: Budgets
id: x
currency: USD
default: 1
"""


# -- more than 12 decimal places: rounded, with a warning --------------------------------------------

def test_csv_money_beyond_12_decimals_is_read_rounded_with_a_warning_naming_file_and_column(write):
    path = focus(write, "0.1234567890125", "35.29615924650000", "1.5e-13", "2")
    costs = load_costs([str(path)])
    assert costs.warnings == [f"{path}: column BilledCost: 2 values with more than 12 decimal places, read rounded to 12"
                              " (half away from zero; costwarden keeps 12 decimal places)"]
    values = sorted(v for (v,) in costs.query("SELECT BilledCost FROM focus"))
    assert values == sorted(Decimal(v) for v in ("1", "0.123456789013", "35.2961592465", "0.000000000000", "2"))


def test_exact_money_gives_no_warning(write):
    assert load_costs([str(focus(write, "0.123456789012", "35.2E-7", "-12345678901234567890123456"))]).warnings == []


@pytest.mark.parametrize("sql_type, value, warned", [
    ("DECIMAL(38,20)", "0.12345678901234567890", True),
    ("DECIMAL(38,20)", "0.12345678901200000000", False),
    ("DOUBLE", "1.2345678901234567e-05", True),
    ("DOUBLE", "0.1", False),
    ("DECIMAL(18,6)", "123.456789", False),
])
def test_parquet_money_beyond_12_decimals_is_read_rounded_with_a_warning(tmp_path, sql_type, value, warned):
    path = tmp_path / "costs.parquet"
    duckdb.sql(
        f"COPY (SELECT CAST('{value}' AS {sql_type}) AS BilledCost, 1.0 AS EffectiveCost, 'USD' AS BillingCurrency,"
        " 'Usage' AS ChargeCategory, TIMESTAMP '2026-05-01 00:00:00' AS ChargePeriodStart,"
        f" TIMESTAMP '2026-05-01 01:00:00' AS ChargePeriodEnd) TO '{path}' (FORMAT parquet)")
    costs = load_costs([str(path)])
    assert bool(costs.warnings) == warned, costs.warnings
    if warned:
        assert costs.warnings[0].startswith(f"{path}: column BilledCost: 1 value with more than 12 decimal places")
    (billed,) = costs.query("SELECT BilledCost FROM focus")[0]
    assert billed == Decimal(value).quantize(Decimal("1e-12"), rounding="ROUND_HALF_UP")


# -- price arithmetic ---------------------------------------------------------------------------------

def test_a_26_digit_price_keeps_its_cents():
    """730 × (12345678901234567890123456.5 − 0.192): 29 significant digits, exact."""
    big = Decimal("12345678901234567890123456.5")
    table = PriceTable({("aws", "us-east-1", "m5.2xlarge"): PriceRow(big, "USD", "hour", "prices.csv", 2),
                        ("aws", "us-east-1", "m5.xlarge"): PriceRow(Decimal("0.192"), "USD", "hour", "prices.csv", 3)})
    resource = {"id": "i-1", "provider": "aws", "region": "us-east-1", "class": "compute.instance", "size": "m5.2xlarge",
                "properties": {}}
    found = estimate(resource, "m5.2xlarge", "m5.xlarge", PriceSources([table]), datetime(2026, 6, 1, tzinfo=timezone.utc))
    assert found.monthly_saving.amount == (Fraction(big) - Fraction("0.192")) * 730


def test_random_prices_multiply_exactly():
    rng = random.Random(7)
    for _ in range(200):
        price = Decimal(f"{rng.randrange(10**26)}.{rng.randrange(10**12):012d}")
        table = PriceTable({("aws", "*", "a"): PriceRow(price, "USD", "hour", "p.csv", 2)})
        found = estimate({"id": "x", "provider": "aws", "region": "r", "class": "compute.instance", "size": "a", "properties": {}},
                         "a", None, PriceSources([table]), datetime(2026, 6, 1, tzinfo=timezone.utc))
        assert found.monthly_cost.amount == Fraction(price) * 730
