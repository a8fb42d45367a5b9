"""`check --period`: the forms it takes, the period each cost policy evaluates, the period in every
format's header, no silent pass (a period without cost rows is exit code 2, E505), stale data.

The example FOCUS export (examples/costs/focus-2026-11.csv) holds November 2026: daily usage rows
up to 2026-11-27, a monthly tax and purchase, a credit on the 15th. Totals are checked against a
DuckDB query written here over the CSV as text.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.costs.periods import parse_report_period, policy_period
from tests.conftest import ROOT
from tests.output_cases import validate_sarif

COSTS = ROOT / "examples" / "costs" / "focus-2026-11.csv"
NOW = datetime(2026, 7, 10, 5, 0)


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def check(*args):
    return CliRunner().invoke(main, ["check", "--policies", "policies", "--costs", str(COSTS.relative_to(ROOT)),
                                     *[str(arg) for arg in args]])


# --- the forms and the period each policy evaluates -------------------------------------------------------

@pytest.mark.parametrize("text, label, start, end", [
    ("2026-05", "2026-05", "2026-05-01", "2026-06-01"),
    ("2026-Q2", "2026-Q2", "2026-04-01", "2026-07-01"),
    ("2026-q4", "2026-Q4", "2026-10-01", "2027-01-01"),
    ("2026", "2026", "2026-01-01", "2027-01-01"),
    ("2026-05-01..2026-05-15", "2026-05-01..2026-05-15", "2026-05-01", "2026-05-16"),
    ("2026-02-28..2026-03-01", "2026-02-28..2026-03-01", "2026-02-28", "2026-03-02"),
    ("last-month", "2026-06", "2026-06-01", "2026-07-01"),
    ("this-month", "2026-07", "2026-07-01", "2026-08-01"),
    ("last-quarter", "2026-Q2", "2026-04-01", "2026-07-01"),
    ("this-quarter", "2026-Q3", "2026-07-01", "2026-10-01"),
    ("last-year", "2025", "2025-01-01", "2026-01-01"),
    ("this-year", "2026", "2026-01-01", "2027-01-01"),
])
def test_the_forms_of_a_period(text, label, start, end):
    period = parse_report_period(text, NOW)
    assert (period.label, f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}") == (label, start, end)


def test_last_month_in_january_is_december():
    period = parse_report_period("last-month", datetime(2027, 1, 3, tzinfo=timezone.utc))
    assert (period.label, period.start, period.end) == ("2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1))


@pytest.mark.parametrize("text, message", [
    ("2026-13", "month 13 is not 01 to 12"),
    ("2026-Q5", "is not one of YYYY-MM, YYYY-QN, YYYY"),
    ("May 2026", "is not one of"),
    ("2026-05-10..2026-05-01", "the range ends (2026-05-01) before it starts (2026-05-10)"),
    ("2026-02-30..2026-03-01", "day is out of range for month"),
])
def test_what_is_not_a_period(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_report_period(text, NOW)


@pytest.mark.parametrize("text, kind, fiscal, start, end, until", [
    ("2026-05", "month", 1, "2026-05-01", "2026-06-01", "2026-06-01"),
    ("2026-05", "quarter", 1, "2026-04-01", "2026-07-01", "2026-06-01"),  # a shorter range: the quarter up to May's end
    ("2026-05", "year", 1, "2026-01-01", "2027-01-01", "2026-06-01"),
    ("2026-05", "year", 4, "2026-04-01", "2027-04-01", "2026-06-01"),  # fiscal year from April
    ("2026-Q2", "month", 1, "2026-06-01", "2026-07-01", "2026-07-01"),  # a longer range: its last month
    ("2026-05-01..2026-05-15", "month", 1, "2026-05-01", "2026-06-01", "2026-05-16"),
    ("2026", "month", 1, "2026-07-01", "2026-08-01", "2026-07-10 05:00"),  # not ended: stops at the clock
])
def test_the_period_a_policy_evaluates(text, kind, fiscal, start, end, until):
    report = parse_report_period(text, NOW)
    period = policy_period(kind, fiscal, min(report.end, NOW), report)
    assert f"{period.start:%Y-%m-%d}" == start and f"{period.end:%Y-%m-%d}" == end
    assert f"{period.until:%Y-%m-%d %H:%M}".removesuffix(" 00:00") == until


# --- through the CLI ------------------------------------------------------------------------------------

def independent_total(first: str, stop: str, currency: str = "USD") -> tuple[Decimal, int]:
    """Sum of EffectiveCost > 0 and row count of rows in ``currency`` starting in [first, stop), over the CSV read as text."""
    sql = (f"SELECT sum(CAST(EffectiveCost AS DECIMAL(38, 10))), count(*) FROM read_csv('{COSTS}', all_varchar=true) "
           f"WHERE ChargePeriodStart >= '{first}' AND ChargePeriodStart < '{stop}' AND CAST(EffectiveCost AS DECIMAL(38, 10)) > 0 "
           f"AND BillingCurrency = '{currency}'")
    ((total, rows),) = duckdb.sql(sql).fetchall()
    return total, rows


def coverage_finding(document: dict) -> dict:
    return next(f for f in document["findings"] if f["policy"] == "allocation-tag-coverage")


def test_a_month_is_as_of_its_end_and_reports_the_whole_month():
    result = check("--period", "2026-11", "-f", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["as_of"] == "2026-12-01T00:00:00Z"
    assert document["period"] == {"label": "2026-11", "given": "2026-11", "start": "2026-11-01T00:00:00Z",
                                  "end": "2026-12-01T00:00:00Z"}
    finding = coverage_finding(document)
    assert finding["scope"]["period"] == {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    assert finding["scope"]["currency"] == "USD"
    total, rows = independent_total("2026-11-01", "2026-12-01")
    assert Decimal(finding["evidence"]["total_cost"]) == total and finding["evidence"]["rows"] == rows
    # usage data stops on the 27th: four days before the period's end
    assert ("the cost data for 2026-11 ends 2026-11-27 00:00 UTC, 4 days before 2026-12-01 00:00 UTC, where "
            "allocation-tag-coverage, commitment-utilization, compute-commitment-coverage stop: the export looks stale "
            "(more than 3 days behind)") in document["warnings"]
    quiet = json.loads(check("--period", "2026-11", "--stale-after", "4", "-f", "json").stdout)
    assert not [w for w in quiet["warnings"] if "stale" in w]


def test_a_range_shorter_than_the_policy_period_evaluates_it_up_to_the_range_end():
    result = check("--period", "2026-11-01..2026-11-15", "-f", "json")
    document = json.loads(result.stdout)
    assert document["as_of"] == "2026-11-16T00:00:00Z"
    finding = coverage_finding(document)
    assert finding["scope"]["period"] == {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    total, rows = independent_total("2026-11-01", "2026-11-16")
    assert Decimal(finding["evidence"]["total_cost"]) == total and finding["evidence"]["rows"] == rows
    assert total < independent_total("2026-11-01", "2026-12-01")[0]


def test_the_same_findings_as_the_equivalent_as_of():
    """--period 2026-11-01..2026-11-20 and --as-of 2026-11-21 see the same rows: the same findings (the budget's
    forecast aside, which divides by the time elapsed until the as-of instant: the same here too)."""
    by_period = json.loads(check("--period", "2026-11-01..2026-11-20", "-f", "json").stdout)
    by_as_of = json.loads(check("--as-of", "2026-11-21", "-f", "json").stdout)
    assert by_period["findings"] == by_as_of["findings"]
    assert by_period["as_of"] == by_as_of["as_of"] == "2026-11-21T00:00:00Z"


@pytest.mark.parametrize("fmt, shown", [
    ("text", "as of 2026-12-01T00:00:00Z, period 2026-11 (2026-11-01 to 2026-11-30)"),
    ("markdown", "period 2026\\-11 \\(2026\\-11\\-01 to 2026\\-11\\-30\\)"),
    ("github", "period 2026-11 (2026-11-01 to 2026-11-30)"),
    ("junit", '<property name="period" value="2026-11 (2026-11-01 to 2026-11-30)" />'),
    ("sarif", '"description": "2026-11 (2026-11-01 to 2026-11-30)"'),
    ("json", '"label": "2026-11"'),
    ("csv", ",2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,"),  # CSV has rows only: each cost finding's period
])
def test_every_format_shows_the_period(fmt, shown):
    result = check("--period", "2026-11", "--stale-after", "5", "-f", fmt)
    assert result.exit_code == 1, result.output
    assert shown in result.stdout
    if fmt == "sarif":
        validate_sarif(json.loads(result.stdout))


def test_a_period_without_cost_rows_is_an_error_naming_it_and_what_the_data_covers(tmp_path):
    out = tmp_path / "findings.json"
    result = check("--period", "2026-10", "-f", "json", "-o", out)
    assert result.exit_code == 2, result.output
    message = ("E505 policy allocation-tag-coverage: no cost rows in 2026-10: the cost data covers "
               "2026-11-01 to 2026-11-30")
    assert message in result.stderr
    document = json.loads(out.read_text())  # the report is written, with its errors
    # the three cost policies that ran; the budget policy is skipped (no --budgets), not an error
    assert sorted(e["policy"] for e in document["errors"]) == ["allocation-tag-coverage", "commitment-utilization",
                                                               "compute-commitment-coverage"]
    assert {e["code"] for e in document["errors"]} == {"E505"}
    assert {"policy": "team-monthly-budget", "reason": "no Budgets document 'team-monthly' (give it with --budgets)"} \
        in document["summary"]["policies_skipped"]
    assert document["findings"] == [] and not [w for w in document["warnings"] if "no cost rows" in w]


def test_no_silent_pass_without_period_either():
    """An as-of date whose month the export does not hold used to pass with a warning: now exit code 2."""
    result = check("--as-of", "2026-10-15", "-f", "json")
    assert result.exit_code == 2
    assert "no cost rows in 2026-10 up to 2026-10-15: the cost data covers 2026-11-01 to 2026-11-30" in result.stderr


def test_stale_data_is_a_warning_not_an_error(write):
    rows = list(csv.DictReader(io.StringIO(COSTS.read_text())))
    early = [row for row in rows if row["ChargePeriodStart"] < "2026-11-11"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(early)
    costs = write("early.csv", out.getvalue())
    result = CliRunner().invoke(main, ["check", "--policies", "policies", "--costs", str(costs), "--as-of", "2026-11-21",
                                       "--policy", "allocation-tag-coverage", "-f", "json"])
    assert result.exit_code == 1
    warnings = json.loads(result.stdout)["warnings"]
    assert ("the cost data for 2026-11 up to 2026-11-21 ends 2026-11-11 00:00 UTC, 10 days before 2026-11-21 00:00 UTC, "
            "where allocation-tag-coverage stops: the export looks stale (more than 3 days behind)") in warnings
    result = CliRunner().invoke(main, ["check", "--policies", "policies", "--costs", str(costs), "--as-of", "2026-11-21",
                                       "--policy", "allocation-tag-coverage", "--stale-after", "10", "-f", "json"])
    assert not json.loads(result.stdout)["warnings"]


def test_last_month_is_relative_to_the_clock():
    today = datetime.now(timezone.utc)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    result = check("--period", "last-month", "-f", "json")
    document = json.loads(result.stdout) if result.stdout else None
    assert document is not None, result.output
    assert document["period"]["label"] == f"{year}-{month:02d}" and document["period"]["given"] == "last-month"


@pytest.mark.parametrize("args, message", [
    (["--period", "2026-11", "--as-of", "2026-11-27"], "--period and --as-of cannot be used together"),
    (["--period", "2999-01"], "--period 2999-01: the period has not started yet (2999-01 (2999-01-01 to 2999-01-31))"),
    (["--period", "2026-13"], "--period: period '2026-13': month 13 is not 01 to 12"),
    (["--period", "2026-11", "--stale-after", "-1"], "-1 is not in the range x>=0"),
])
def test_period_usage_errors(args, message):
    result = check(*args)
    assert result.exit_code == 2 and message in result.stderr, result.output
