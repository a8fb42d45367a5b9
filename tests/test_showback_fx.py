"""Exchange-rate files (every problem located) and consolidated totals (a separate, labelled figure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.costs.reader import load_costs
from engine.errors import InputError
from engine.library import load_ownership
from engine.showback import chargeback, consolidate, load_rates, report_window, showback
from tests import independent_sql as q
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "costs" / "focus-2026-11.csv"


def problems(write, text: str | bytes) -> list[tuple]:
    path = write("rates.csv", text)
    with pytest.raises(InputError) as caught:
        load_rates(path)
    return [(p.code, p.line, p.column, p.message) for p in caught.value.problems]


def test_every_problem_of_a_rates_file_is_located(write):
    found = problems(write, (
        "date,from,to,rate\n"
        "2026-1-01,EUR,usd,-1\n"
        '2026-01-01,"EUR,USD,1\n'
        "2026-01-01,EUR,USD,1.1\n"
        "2026-01-01,EUR,USD,1.2\n"
        "2026-01-01,USD,USD,1.2\n"
        "2026-01-02,GBP,USD\n"
        '2026-02-30,GBP,USD,"1e3,5"\n'
    ))
    assert found == [
        ("E482", 2, 1, "column date: '2026-1-01' is not a day YYYY-MM-DD"),
        ("E482", 2, 15, "column to: 'usd' is not an ISO 4217 currency code: write USD (three upper-case letters)"),
        ("E482", 2, 19, "column rate: '-1' is not above 0 (one from unit is worth rate to units)"),
        ("E482", 3, None, "a quoted field is not closed"),
        ("E483", 5, 1, "a second EUR to USD rate for 2026-01-01 (the first is on line 4)"),
        ("E482", 6, 16, "a rate converts between two currencies (from and to are both USD)"),
        ("E482", 7, None, "3 fields, the header names 4"),
        ("E482", 8, 1, "column date: '2026-02-30' is not a day YYYY-MM-DD"),
        ("E482", 8, 20, "column rate: '1e3,5' is not a decimal number (write it like 12.5, -0.25 or 9.6E-2)"),
    ]


def test_currencies_and_rates_follow_the_rules_of_every_money_input(write):
    """A currency is an ISO 4217 code of the list (engine.amounts.currency_problem), a rate a number above 0 by the
    amount rule (engine.amounts.read_amount): the same texts are accepted and refused, with the same messages, as
    a price table's currency and price."""
    from engine.amounts import AmountError, currency_problem, read_amount

    currencies = ["USD", "XYZ", "usd", " EUR", "978", "EURO", ""]
    rates = ["1.0562", "9.6E-2", " 1.1 ", "+2", "1e3", "0.000000000001", "0.0000000000001", "1e26", "1,1", "1.2.3", "", "0", "-1",
             "NaN", "0x10"]
    rows = [f"2026-11-30,{c},JPY,1" for c in currencies] + [f"2026-11-30,EUR,USD,{r}" if "," not in r else f'2026-11-30,EUR,USD,"{r}"'
                                                           for r in rates]
    found = {(line, column): message for _, line, column, message in problems(write, "date,from,to,rate\n" + "\n".join(rows) + "\n")
             if column is not None}
    for line, text in enumerate(currencies, start=2):
        wrong = currency_problem(text)
        assert found.get((line, 12)) == (f"column from: {wrong}" if wrong else None), text
    for line, text in enumerate(rates, start=2 + len(currencies)):
        try:
            wrong = None if read_amount(text) > 0 else f"{text!r} is not above 0 (one from unit is worth rate to units)"
        except AmountError as error:
            wrong = str(error)
        assert found.get((line, 20)) == (f"column rate: {wrong}" if wrong else None), text
    accepted = load_rates(write("rates.csv", "date,from,to,rate\n2026-11-30,EUR,USD,9.6E-2\n2026-11-29,EUR,USD, 1.1 \n"))
    assert accepted.rates[("EUR", "USD")] == [(dt.date(2026, 11, 29), Decimal("1.1")), (dt.date(2026, 11, 30), Decimal("0.096"))]


def test_the_header_names_the_four_columns(write):
    assert problems(write, "day,from,to,rate,x\n2026-01-01,EUR,USD,1\n") == [
        ("E481", 1, None, "missing column date"),
        ("E481", 1, 1, "unknown column 'day'"),
        ("E481", 1, 18, "unknown column 'x'"),
    ]
    assert problems(write, "") == [("E481", 1, None, "no header: the first line names the columns date,from,to,rate")]
    assert problems(write, "date,from,to,rate\n") == [("E481", 1, None, "no rate in the file (a header and no rows)")]
    assert problems(write, b"date,from,to,rate\n2026-01-01,EUR,USD,\xff\n") == [("E480", 2, None, "not UTF-8 text (byte 38)")]


def test_columns_in_any_order_and_quoted_fields(write):
    rates = load_rates(write("rates.csv", 'Rate,TO,from,date\n"1.05",USD,EUR,2026-11-30\n'))
    assert rates.rate("EUR", "USD", dt.date(2026, 12, 31)) == (Decimal("1.05"), dt.date(2026, 11, 30))
    assert rates.rate("EUR", "USD", dt.date(2026, 11, 29)) is None
    assert rates.rate("USD", "EUR", dt.date(2026, 12, 31)) is None


def test_a_missing_file_or_a_folder(tmp_path):
    for path, message in ((tmp_path / "none.csv", "cannot read the rates file: no such file"),
                          (tmp_path, "cannot read the rates file: it is a folder, not a file"),
                          ("/dev/zero", "cannot read the rates file: it is a character device, not a file")):
        with pytest.raises(InputError) as caught:
            load_rates(path)
        assert [(p.code, p.message) for p in caught.value.problems] == [("E480", message)]


@pytest.fixture
def spend():
    ownership = load_ownership(str(ROOT / "examples" / "ownership.yaml"))
    return showback(load_costs([str(EXAMPLE)]), ownership, report_window(dt.datetime(2026, 11, 30, 12)))


def test_consolidated_totals_use_the_rate_of_the_window_close(write, spend):
    rates = load_rates(write("rates.csv", "date,from,to,rate\n2026-10-31,EUR,USD,1.0843\n2026-11-30,EUR,USD,1.0562\n2026-12-31,EUR,USD,2\n"))
    result = consolidate(spend, rates)
    assert result.currency == "USD" and result.date == dt.date(2026, 11, 30)
    assert result.label == "consolidated in USD at the rates of 2026-11-30"
    totals = q.budget_actuals(EXAMPLE, dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 30, 12), measure="EffectiveCost",
                              charge_categories=q.ALL_CHARGE_CATEGORIES)
    expected = totals[(None, "USD")] + totals[(None, "EUR")] * Decimal("1.0562")
    assert result.total == expected  # exact: amount x rate, nothing rounded
    assert sum(result.owners.values()) == result.total
    assert [r.to_dict() for r in result.rates] == [{"from": "EUR", "to": "USD", "date": "2026-11-30", "rate": "1.0562"}]
    # the amounts in their own currencies are untouched
    assert set(spend.totals) == {"EUR", "USD"} and spend.totals["EUR"] == totals[(None, "EUR")]
    # a chargeback consolidates the same way and to the same total
    assert consolidate(chargeback(spend), rates).total == result.total


def test_a_conversion_keeps_every_digit(write, tmp_path):
    """amount × rate is exact even beyond the 28 digits of Python's default decimal context (checked with fractions)."""
    from fractions import Fraction

    huge = "98765432109876.543210987654"  # 26 significant digits, 12 decimal places
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if ",EUR," in line and ",Usage," in line)
    fields = lines[index].split(",")
    fields[14] = huge  # EffectiveCost
    lines[index] = ",".join(fields)
    costs_file = tmp_path / "focus.csv"
    costs_file.write_text("".join(lines), encoding="utf-8")
    ownership = load_ownership(str(ROOT / "examples" / "ownership.yaml"))
    end = dt.datetime(2026, 11, 30, 12)
    spend = showback(load_costs([str(costs_file)]), ownership, report_window(end))
    rates = load_rates(write("rates.csv", "date,from,to,rate\n2026-11-30,EUR,USD,1.234567890123\n"))
    result = consolidate(spend, rates)
    totals = q.budget_actuals(costs_file, dt.datetime(2026, 11, 1), end, measure="EffectiveCost",
                              charge_categories=q.ALL_CHARGE_CATEGORIES)
    expected = Fraction(totals[(None, "USD")]) + Fraction(totals[(None, "EUR")]) * Fraction("1.234567890123")
    assert Fraction(result.total) == expected
    assert sum(map(Fraction, result.owners.values())) == expected


def test_an_as_of_inside_the_month_takes_the_rate_of_that_day(write):
    ownership = load_ownership(str(ROOT / "examples" / "ownership.yaml"))
    spend = showback(load_costs([str(EXAMPLE)]), ownership, report_window(dt.datetime(2026, 11, 15, 6)))
    rates = load_rates(write("rates.csv", "date,from,to,rate\n2026-11-14,EUR,USD,1.1\n2026-11-15,EUR,USD,1.2\n2026-11-16,EUR,USD,1.3\n"))
    assert consolidate(spend, rates).date == dt.date(2026, 11, 15)
    assert consolidate(spend, rates).rates[0].rate == Decimal("1.2")


def test_a_missing_rate_is_an_error_never_a_sum_of_two_currencies(write, spend):
    rates = load_rates(write("rates.csv", "date,from,to,rate\n2026-12-01,EUR,USD,1.1\n2026-11-01,USD,EUR,0.9\n"))
    with pytest.raises(InputError) as caught:
        consolidate(spend, rates, "USD")
    assert [(p.code, p.message) for p in caught.value.problems] == [("E484", "no EUR to USD rate on or before 2026-11-30 (the file has the other direction only)")]
    with pytest.raises(InputError) as caught:
        consolidate(spend, rates)
    assert caught.value.problems[0].message == "the rates convert to EUR, USD: say which currency to consolidate in"
    in_euros = consolidate(spend, rates, "EUR")
    assert in_euros.total == spend.totals["EUR"] + spend.totals["USD"] * Decimal("0.9")


def test_the_currency_to_consolidate_in_is_an_iso_4217_code(write, spend):
    rates = load_rates(write("rates.csv", "date,from,to,rate\n2026-11-30,EUR,USD,1.1\n"))
    with pytest.raises(InputError) as caught:
        consolidate(spend, rates, "usd")
    assert [(p.code, p.message) for p in caught.value.problems] == [
        ("E484", "the currency to consolidate in: 'usd' is not an ISO 4217 currency code: write USD (three upper-case letters)")]
