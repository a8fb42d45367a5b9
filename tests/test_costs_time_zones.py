"""FOCUS timestamps are instants: an offset (``-05:00``) or ``Z`` is applied, no zone means UTC — on
every reading path (CSV with every column or only the required ones, gzip, Parquet with time-zoned,
naive and text timestamps), and the same export written in other offsets gives byte-identical output.

Before this was fixed, a CSV read with the reduced column set that ``check`` loads dropped the
offset (DuckDB pushed ``CAST(col AS TIMESTAMP)`` into its CSV reader, which parses ``-02:00`` as
wall time): the README's example rewritten in ``-05:00`` gave 31 findings instead of 33.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json

import duckdb
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.costs.reader import load_costs
from engine.evaluator import evaluate
from engine.library import load_library
from engine.outputs.json_format import render
from tests.conftest import ROOT
from tests.focus_fixtures import *  # noqa: F403 - pytest fixtures
from tests.focus_fixtures import GENERATED_PERIOD

EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "costs" / "focus-2026-11.csv"
PERIODS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
HEADER = "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,Tags\n"
# 01:00 UTC on 1 November, written three ways; and the end of its hour
ROWS = [
    ("2026-10-31T23:00:00-02:00", "2026-11-01T00:00:00-02:00"),
    ("2026-11-01T06:30:00+05:30", "2026-11-01T07:30:00+05:30"),
    ("2026-11-01 01:00:00", "2026-11-01 02:00:00"),
]
START, END = dt.datetime(2026, 11, 1, 1), dt.datetime(2026, 11, 1, 2)


def offsets_csv(rows=ROWS) -> str:
    return HEADER + "".join(f'1,1,USD,Usage,{start},{end},"{{""team"":""a""}}"\n' for start, end in rows)


def periods(costs) -> set:
    return set(costs.query("SELECT ChargePeriodStart, ChargePeriodEnd FROM focus"))


@pytest.mark.parametrize("columns", [None, []], ids=["every-column", "required-columns-only"])
def test_csv_timestamps_are_instants(write, columns):
    costs = load_costs([str(write("costs.csv", offsets_csv()))], columns=columns)
    assert periods(costs) == {(START, END)}


def test_gzip_timestamps_are_instants(write):
    path = write("costs.csv.gz", gzip.compress(offsets_csv().encode()))
    assert periods(load_costs([str(path)], columns=[])) == {(START, END)}


@pytest.mark.parametrize("sql_type", ["TIMESTAMPTZ", "TIMESTAMP", "VARCHAR"])
def test_parquet_timestamps_are_instants(tmp_path, sql_type):
    """TIMESTAMP WITH TIME ZONE is converted to UTC, a naive TIMESTAMP is UTC, text is read as from CSV."""
    path = tmp_path / "costs.parquet"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/New_York'")  # the writer's session zone must not matter
    # (a naive text cast to TIMESTAMPTZ would take the writer's zone: those rows carry an offset)
    values = {"TIMESTAMPTZ": ROWS[:2], "TIMESTAMP": ROWS[2:], "VARCHAR": ROWS}[sql_type]
    select = " UNION ALL ".join(
        f"SELECT 1.0 AS BilledCost, 1.0 AS EffectiveCost, 'USD' AS BillingCurrency, 'Usage' AS ChargeCategory, "
        f"CAST('{start}' AS {sql_type}) AS ChargePeriodStart, CAST('{end}' AS {sql_type}) AS ChargePeriodEnd"
        for start, end in values
    )
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    assert periods(load_costs([str(path)], columns=[])) == {(START, END)}


def rewrite(source, spell) -> str:
    """The CSV ``source`` with every period timestamp written by ``spell(utc instant, row number)``."""
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    indexes = [rows[0].index(c) for c in PERIODS]
    for number, row in enumerate(rows[1:]):
        for index in indexes:
            instant = dt.datetime.fromisoformat(row[index].replace("Z", "+00:00"))
            row[index] = spell(instant, number)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def offset(hours: float):
    zone = dt.timezone(dt.timedelta(hours=hours))
    return lambda instant, number: instant.astimezone(zone).isoformat()


def naive(instant, number):
    return instant.strftime("%Y-%m-%d %H:%M:%S")


def mixed(instant, number):
    return [offset(-5), offset(5.5), naive, offset(2), offset(0)][number % 5](instant, number)


def check_example(costs_path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [
        "check", "--inventory", str(EXAMPLES / "inventory.json"), "--costs", str(costs_path),
        "--budgets", str(EXAMPLES / "budgets.yaml"), "--prices", str(EXAMPLES / "prices.csv"),
        "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", "2026-11-27", "-f", "json"])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("spell", [offset(-5), offset(2), offset(5.5), offset(-9.5), naive, mixed],
                         ids=["-05:00", "+02:00", "+05:30", "-09:30", "no-zone", "mixed"])
def test_the_example_in_other_offsets_gives_byte_identical_json(write, spell):
    expected = check_example(EXAMPLE)
    assert expected[1].count('"fingerprint"') == 33  # the quick start's findings
    assert check_example(write("focus-2026-11.csv", rewrite(EXAMPLE, spell))) == expected


def test_generated_data_in_offsets_gives_the_same_findings(focus_data, tmp_path):
    policies = tmp_path / "policies.yaml"
    policies.write_text(POLICIES)
    library = load_library([str(policies)])
    as_of = (GENERATED_PERIOD[1] - dt.timedelta(seconds=1)).isoformat() + "Z"

    def findings(path):
        result = evaluate(library, None, costs=load_costs([str(path)]), as_of=as_of, budgets=library.budgets)
        assert not result.errors
        return json.loads(render(result, version="test"))["findings"]

    plain = findings(focus_data.files["gcp"].csv)
    assert len(plain) > 5
    assert findings(focus_data.offsets) == plain


POLICIES = """\
apiVersion: costwarden/v1
kind: Policy
id: coverage
title: t
severity: low
type: tag-coverage
spec: {keys: [{key: owner}, {key: cost-center}], match: normalized, minimum: 100, scope: SubAccountId}
---
apiVersion: costwarden/v1
kind: Policy
id: budget
title: t
severity: low
type: budget
spec:
  budgets: tiny
  scope: tag:environment
  match: normalized
  thresholds: [{on: actual, percent: 1}, {on: forecast, percent: 1}]
---
apiVersion: costwarden/v1
kind: Budgets
id: tiny
currency: USD
default: 1
---
apiVersion: costwarden/v1
kind: Policy
id: commitments
title: t
severity: low
type: commitment
spec: {scope: SubAccountId, utilization: {minimum: 100}, coverage: {minimum: 100}}
"""


def test_an_as_of_date_in_december_9999_gives_a_result_not_an_internal_error(write):
    """The period of December 9999 ends at the last instant Python holds; with no cost row in it, each
    policy says so (E505) instead of failing on a year 10000."""
    path = write("costs.csv", offsets_csv())
    library = load_library([str(write("p.yaml", POLICIES))])
    result = evaluate(library, None, costs=load_costs([str(path)]), as_of="9999-12-15", budgets=library.budgets)
    assert not result.findings
    assert {(e.code, e.message.split(":")[0]) for e in result.errors} == {("E505", "no cost rows in 9999-12 up to 9999-12-15")}
