"""`costwarden report --history`: a report per month and one in the middle of November, one history file. The
spend per period has one column per period (the latest run of each), the change from October comes from the
history when November's export holds no October row, and each KPI's series is a line chart with its values as
text. Amounts are checked against a hand-written DuckDB query over the exports."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from html import unescape

import pytest

from tests.report_fixtures import EXAMPLES, FOCUS, Page, money, query, run, section, spend_of

COMMON = ("--policies", EXAMPLES.parent / "policies", "--inventory", EXAMPLES / "inventory.json", "--budgets",
          EXAMPLES / "budgets.yaml", "--prices", EXAMPLES / "prices.csv", "--ownership", EXAMPLES / "ownership.yaml")


def october_export(path) -> None:
    """The November export moved a month back, its usage of the 20th and later left out (so October's spend differs)."""
    with FOCUS.open(newline="") as source, path.open("w", newline="") as target:
        rows = csv.reader(source)
        writer = csv.writer(target, lineterminator="\n")
        header = next(rows)
        writer.writerow(header)
        start = header.index("ChargePeriodStart")
        for row in rows:
            if int(row[start][8:10]) >= 20:
                continue
            writer.writerow([cell.replace("2026-11-", "2026-10-").replace("2026-12-01", "2026-11-01") for cell in row])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trend")
    october_export(folder / "focus-2026-10.csv")
    history = folder / "history.duckdb"
    for name, costs, clock in (("2026-10", folder / "focus-2026-10.csv", ("--period", "2026-10")),
                               ("mid", FOCUS, ("--as-of", "2026-11-15")),
                               ("2026-11", FOCUS, ("--as-of", "2026-11-27"))):
        result = run("report", *COMMON, "--costs", costs, *clock, "--history", history, "--output", folder / name)
        assert result.exit_code == 1, result.output
    return folder


def descriptions(html: str) -> dict[str, str]:
    """``{chart id: its <desc>}``: what a screen reader says of each chart."""
    return {chart: unescape(text) for chart, text in re.findall(r'<desc id="([^"]+)-desc">(.*?)</desc>', html)}


def test_spend_per_period_has_one_column_per_period_and_the_change_comes_from_the_history(runs):
    october = spend_of("search", path=runs / "focus-2026-10.csv", start="2026-10-01", end="2026-11-01")["USD"]
    november = spend_of("search", start="2026-11-01", end="2026-11-27")["USD"]
    assert october != november
    html = (runs / "2026-11" / "owners" / "search.html").read_text()
    chart = descriptions(html)["owner-search-spend-1"]
    assert chart.startswith("Column chart, 2 columns in order.")  # the mid-November run is not a column of its own
    assert f"2026-10: {money(october, 'USD')}" in chart
    assert f"2026-11 to 26 Nov: {money(november, 'USD')}" in chart  # the period so far, labelled with its last day
    page = Page(html).text
    change = november - october
    arrow = "▲ up" if change > 0 else "▼ down"
    percent = (Decimal(100) * change / abs(october)).quantize(Decimal("0.1"), rounding="ROUND_HALF_EVEN")
    assert f"Change from 2026-10 (EffectiveCost){arrow} {money(abs(change), 'USD')} ({percent}%)" in page
    assert "The change is from 2026-10 as the history run as of 2026-11-01T00:00:00Z measured it" in page
    index = Page((runs / "2026-11" / "index.html").read_text()).text
    showback = section(index, "Showback and chargeback per owner and currency", "that the ownership chain assigns to no team")
    assert f"{money(november, 'USD')}{money(october, 'USD')}{arrow} {money(abs(change), 'USD')}" in showback
    summary = (runs / "2026-11" / "summary.md").read_text()
    assert f"| Search | {money(november, 'USD')} | {money(october, 'USD')} |" in summary


def test_the_mid_month_run_shows_november_so_far_beside_october(runs):
    chart = descriptions((runs / "mid" / "owners" / "search.html").read_text())["owner-search-spend-1"]
    november = spend_of("search", start="2026-11-01", end="2026-11-15")["USD"]
    assert chart.startswith("Column chart, 2 columns in order.") and f"2026-11 to 14 Nov: {money(november, 'USD')}" in chart


def test_each_kpi_is_a_line_chart_over_the_runs_with_its_values_as_text(runs):
    html = (runs / "2026-11" / "owners" / "payments.html").read_text()
    charts = {chart: text for chart, text in descriptions(html).items() if "-kpi-" in chart}
    assert sorted(charts) == sorted(f"owner-payments-kpi-{kpi}" for kpi in
                                    ("tag_coverage", "forecast_variance", "commitment_coverage", "savings_share", "open_findings"))
    for chart, text in charts.items():
        assert text.startswith("Line chart over 3 points (2026-11-01 to 2026-11-27)")
        assert re.search(rf'<svg [^>]*id="{chart}"[^>]*role="img"[^>]*aria-labelledby="{chart}-title {chart}-desc"', html)
    # payments' tag coverage by cost in each month, against the export: its rows above 0 with team and cost-center
    coverage = charts["owner-payments-kpi-tag_coverage"]

    def covered(path, start, end) -> Decimal:
        [(tagged, total)] = query("SELECT sum(cost) FILTER (WHERE team_tag IS NOT NULL AND cost_center IS NOT NULL), sum(cost) "
                                  "FROM rows WHERE owner = 'payments' AND cost > 0 AND BillingCurrency = 'USD'", path, start, end)
        return (100 * tagged / total).quantize(Decimal("0.1"), rounding="ROUND_HALF_EVEN")

    october = covered(runs / "focus-2026-10.csv", "2026-10-01", "2026-11-01")
    assert f"USD: 2026-11-01 {october}%, 2026-11-15 " in coverage
    assert coverage.endswith(f"2026-11-27 {covered(FOCUS, '2026-11-01', '2026-11-27')}%.")
    page = Page(html).text
    assert "The KPIs over the runs" in page
    assert f"2026-11-01: {october}% USD" in section(page, "FinOps scorecard", "The KPIs over the runs")  # the table says it too


def test_without_earlier_runs_there_is_no_kpi_chart(runs):
    html = (runs / "2026-10" / "owners" / "payments.html").read_text()
    assert not [chart for chart in descriptions(html) if "-kpi-" in chart]
    assert "The KPIs over the runs" not in Page(html).text
