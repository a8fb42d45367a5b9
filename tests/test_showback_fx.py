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
        "2026-02-30,GBP,USD,1e3\n"
    ))
    assert found == [
        ("E482", 2, 1, "date '2026-1-01' is not a day YYYY-MM-DD"),
        ("E482", 2, 15, "to 'usd' is not an ISO 4217 currency code (three capital letters, e.g. USD)"),
        ("E482", 2, 19, "rate '-1' is not a positive decimal (e.g. 1.0562)"),
        ("E482", 3, None, "a quoted field is not closed"),
        ("E483", 5, 1, "a second EUR to USD rate for 2026-01-01 (the first is on line 4)"),
        ("E482", 6, 16, "a rate converts between two currencies (from and to are both USD)"),
        ("E482", 7, None, "3 fields, the header names 4"),
        ("E482", 8, 1, "date '2026-02-30' is not a day YYYY-MM-DD"),
        ("E482", 8, 20, "rate '1e3' is not a positive decimal (e.g. 1.0562)"),
    ]


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
    for path, message in ((tmp_path / "none.csv", "no such file"), (tmp_path, "a rates file is a CSV file, not a folder")):
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
