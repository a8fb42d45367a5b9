"""The report's charts keep their texts apart: no label, value, total, tick, legend or title overlaps
another, leaves the picture, or spills out of the bar it is written on.

Geometry, not pictures: tests/svg_layout.py turns every ``<text>`` of an SVG into the box its glyphs
cover (the fonts' advance widths, the anchor, the baseline shift, the rotation) and the checks compare
boxes. The last tests hold the checker to the browser: headless Chromium measures the same texts, and
the widths the charts are laid out with must be at least what it draws.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.report.charts import Series, column_chart, horizontal_bar, line_chart, progress_bar, stacked_bar
from engine.report.charts_text import text_width
from tests.report_fixtures import Page, report
from tests.svg_layout import SVG, labels, outside, overflowing, overlaps
from tests.test_report_browser import browse

SEVERITIES = ["critical", "high", "medium", "low", "info"]
# owner names as directories hold them: short ids, display names with a qualifier, wide capitals, digits
OWNER_NAMES = ["data", "Payments", "FinOps (central cloud cost team)", "Platform Engineering", "WWW-MEDIA-OPERATIONS",
               "team-000123456789", "Équipe données", "データ基盤", "Search", "ml"]


def problems(svg: str) -> dict:
    found = {"overlapping": overlaps(svg), "outside": outside(svg), "overflowing": overflowing(svg)}
    return {kind: items for kind, items in found.items() if items}


def drawn(svg: str) -> list[str]:
    return [label.text for label in labels(ET.fromstring(svg))]


# --- the checker itself finds what it is meant to find ---------------------------------------------------

def test_the_checker_sees_overlaps_turned_text_leaving_the_picture_and_spilling_out_of_a_bar():
    def svg(body: str) -> str:
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" font-size="12">{body}</svg>'

    assert overlaps(svg('<text x="10" y="20">Payments</text><text x="50" y="24">Search</text>')) == [("Payments", "Search")]
    assert overlaps(svg('<text x="10" y="20">Payments</text><text x="80" y="24">Search</text>')) == []
    assert overlaps(svg('<text x="10" y="20">Payments</text><text x="10" y="40">Search</text>')) == []
    # two labels turned -45° whose ends are 10 px apart cross; 30 px apart they do not
    turned = '<text x="{x}" y="50" text-anchor="end" transform="rotate(-45 {x} 50)">2026-05 spend</text>'
    assert overlaps(svg(turned.format(x=100) + turned.format(x=110).replace("2026-05", "2026-06"))) != []
    assert overlaps(svg(turned.format(x=100) + turned.format(x=130).replace("2026-05", "2026-06"))) == []
    # a white halo around a label covers the text next to it
    assert overlaps(svg('<text x="10" y="20">ab</text><text x="25.5" y="20">cd</text>')) == []
    assert overlaps(svg('<text x="10" y="20" stroke="#ffffff" stroke-width="3">ab</text><text x="25.5" y="20">cd</text>')) != []
    assert outside(svg('<text x="295" y="20">Payments</text><text x="5" y="20" text-anchor="end">x</text>')) == ["Payments", "x"]
    assert outside(svg('<text x="200" y="20">Payments</text>')) == []
    bar = '<g><rect x="10" y="10" width="{w}" height="16"/><text x="{mid}" y="18" text-anchor="middle">47,381</text></g>'
    assert overflowing(svg(bar.format(w=30, mid=25))) == ["47,381"]
    assert overflowing(svg(bar.format(w=60, mid=40))) == []


# --- the severity chart of a large estate -----------------------------------------------------------------

def severity_chart(owners: list[str], counts: dict[str, list[int]]) -> str:
    """Open findings per owner by severity, as the report's index draws it (engine/report/html_report.py)."""
    series = [Series(s, counts[s]) for s in reversed(SEVERITIES) if any(counts[s])]
    return stacked_bar(owners, series, chart_id="open-by-severity", title="Open findings per owner, by severity",
                       unit="findings")


def test_the_severity_chart_of_the_100k_resource_benchmark_estate():
    # bench/run_report.py: 100,000 resources, 1M FOCUS rows, 140,186 open findings over 4 owners
    owners = ["FinOps (central cloud cost team)", "Payments", "Data Platform", "Platform Engineering"]
    counts = {"critical": [0, 0, 0, 0], "high": [4091, 1427, 1048, 1], "medium": [47381, 11512, 11076, 0],
              "low": [48811, 3122, 4389, 0], "info": [4575, 1663, 1090, 0]}
    svg = severity_chart(owners, counts)
    assert problems(svg) == {}
    assert {"47,381", "48,811", "Total 104,858 findings", "Total 1 findings"} <= set(drawn(svg))


def test_the_severity_chart_over_200_owners_shows_15_and_others_with_nothing_overlapping():
    owners = [f"{OWNER_NAMES[i % len(OWNER_NAMES)]} {i}" for i in range(200)]
    counts = {s: [(i * 7919 + k * 104729) % (60000 // (k + 1)) for i in range(200)] for k, s in enumerate(SEVERITIES)}
    svg = severity_chart(owners, counts)
    assert problems(svg) == {}
    rows = [t for t in drawn(svg) if t.startswith("Total ")]
    assert len(rows) == 16 and any(t == "Others (185)" for t in drawn(svg))


# --- every kind of chart, on inputs hypothesis makes up -----------------------------------------------------

names = st.one_of(st.sampled_from(OWNER_NAMES), st.text(st.sampled_from("Wm il1-_. 0é費"), min_size=1, max_size=80))
counts = st.integers(min_value=0, max_value=10**7)
money = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e13"), places=2, allow_nan=False, allow_infinity=False)
widths = st.sampled_from([320, 480, 720, 1000])
relaxed = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(st.lists(names, min_size=1, max_size=40, unique=True), st.data(), widths)
def test_stacked_bars_keep_their_texts_apart(owners, data, width):
    chosen = data.draw(st.lists(st.sampled_from(SEVERITIES), min_size=1, max_size=5, unique=True))
    series = [Series(name, data.draw(st.lists(counts, min_size=len(owners), max_size=len(owners)))) for name in chosen]
    svg = stacked_bar(owners, series, chart_id="s", title="Open findings per owner, by severity", unit="findings", width=width)
    assert problems(svg) == {}


@relaxed
@given(st.lists(names, min_size=1, max_size=40, unique=True), st.data(), widths)
def test_horizontal_bars_keep_their_texts_apart(owners, data, width):
    values = data.draw(st.lists(money, min_size=len(owners), max_size=len(owners)))
    svg = horizontal_bar(owners, values, chart_id="h", title="Money at stake per owner (USD)", currency="USD", width=width)
    assert problems(svg) == {}


@relaxed
@given(st.integers(min_value=1, max_value=120), st.sampled_from(["{y}-{m:02d}", "{y}-{m:02d} {name}"]), names, st.data(), widths)
def test_columns_keep_their_texts_apart(count, form, name, data, width):
    periods = [form.format(y=2020 + i // 12, m=i % 12 + 1, name=name) for i in range(count)]
    values = data.draw(st.lists(money, min_size=count, max_size=count))
    budget = data.draw(st.one_of(st.none(), money.map(abs)))
    svg = column_chart(periods, values, chart_id="c", title="Monthly spend vs budget", currency="USD", budget=budget, width=width)
    assert problems(svg) == {}


@relaxed
@given(st.integers(min_value=1, max_value=60), st.lists(names, min_size=1, max_size=8, unique=True), st.data(), widths)
def test_lines_keep_their_texts_apart(count, series_names, data, width):
    runs = [f"run {i + 1} of the monthly compliance report" if i % 3 else f"2026-{i % 12 + 1:02d}" for i in range(count)]
    points = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
    series = [Series(name, data.draw(st.lists(points, min_size=count, max_size=count))) for name in series_names]
    svg = line_chart(runs, series, chart_id="l", title="KPIs over time", unit="%", width=width)
    assert problems(svg) == {}


@relaxed
@given(money.map(abs), money.map(abs), st.one_of(st.none(), st.integers(min_value=0, max_value=150)), names, widths)
def test_progress_bars_keep_their_texts_apart(part, whole, target, name, width):
    svg = progress_bar(part, whole, chart_id="p", title=f"Commitment coverage (SubAccountId {name})", currency="USD",
                       target=target, width=width)
    assert problems(svg) == {}


def test_a_line_over_many_runs_with_long_names_is_drawn_with_its_labels_thinned():
    runs = [f"run {i} of the monthly compliance report" for i in range(24)]
    svg = line_chart(runs, [Series("tag coverage", [50.5 + i for i in range(24)])], chart_id="k", title="KPIs", unit="%")
    shown = [t for t in drawn(svg) if t.startswith("run ")]
    assert 1 < len(shown) < 24 and shown[-1].startswith("run 23 of the monthly")  # the latest run keeps its label
    assert "run 23 of the monthly compliance report" in [t.text for t in ET.fromstring(svg).iter(f"{SVG}title")]
    assert problems(svg) == {}


def test_crowded_columns_turn_their_labels_and_keep_the_latest():
    months = [f"{2016 + i // 12}-{i % 12 + 1:02d}" for i in range(120)]
    svg = column_chart(months, [Decimal(1000 + i) for i in range(120)], chart_id="ten-years", title="Ten years of spend",
                       currency="USD", budget=Decimal(1050))
    root = ET.fromstring(svg)
    turned = [t for t in root.iter(f"{SVG}text") if "rotate(-45" in (t.get("transform") or "")]
    assert 10 < len(turned) < 120 and "".join(turned[-1].itertext()) == "2025-12"
    assert problems(svg) == {}


# --- the report's own pages -----------------------------------------------------------------------------------

def test_every_chart_of_the_example_report_keeps_its_texts_apart(tmp_path):
    out = tmp_path / "report"
    assert report(out).exit_code == 1
    charts = {}
    for page in sorted(out.rglob("*.html")):
        for svg in re.findall(r"<svg\b.*?</svg>", page.read_text(encoding="utf-8"), re.S):
            charts[f"{page.relative_to(out)}#{ET.fromstring(svg).get('id')}"] = svg
    assert len(charts) >= 5
    assert {name: problems(svg) for name, svg in charts.items() if problems(svg)} == {}


# --- the widths against the browser ----------------------------------------------------------------------------

MEASURE = """<script>
const out = [];
for (const text of document.querySelectorAll('svg text')) {
  const svg = text.ownerSVGElement.getBoundingClientRect(), box = text.getBoundingClientRect();
  out.push({text: text.textContent, drawn: text.getComputedTextLength(), left: box.left - svg.left, right: box.right - svg.left,
            turned: text.hasAttribute('transform')});
}
document.getElementById('out').textContent = JSON.stringify(out);
</script>"""


def measured_in_chromium(tmp_path, svgs: list[str]) -> list[dict]:
    page = tmp_path / "measure.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">'
                    + "".join(f"<div>{svg}</div>" for svg in svgs) + f'<pre id="out"></pre>{MEASURE}</body></html>',
                    encoding="utf-8")
    loaded = browse(page.as_uri(), "--dump-dom", "--window-size=1400,3000", "--force-device-scale-factor=1")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    return json.loads(Page(loaded.stdout.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]).text)


def test_the_charts_lay_out_text_at_least_as_wide_as_chromium_draws_it_and_where_the_checker_puts_it(tmp_path):
    sample = "The quick brown fox, 0123456789 (WWW.MEDIA) – 12,345.68 USD; Équipe données_data-platform"
    svgs = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="60" font-family="system-ui, sans-serif" font-size="12">'
        f'<text x="0" y="20">{sample}</text><text x="0" y="45" font-weight="bold" font-size="15">{sample}</text></svg>',
        severity_chart(["FinOps (central cloud cost team)", "Payments", "Data Platform"],
                       {"critical": [0, 0, 0], "high": [4091, 1427, 1048], "medium": [47381, 11512, 11076],
                        "low": [48811, 3122, 4389], "info": [4575, 1663, 1090]}),
        horizontal_bar(["data-platform", "credits & refunds"], [Decimal("12345.675"), Decimal("-2500.10")], chart_id="h",
                       title="Money at stake per owner", currency="EUR"),
        progress_bar(Decimal(13000), Decimal(10000), chart_id="p", title="Budget burn: data", currency="USD", target=80),
        column_chart([f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(36)], [Decimal(1000 + 40 * i) for i in range(36)],
                     chart_id="c", title="Three years of spend", currency="USD", budget=Decimal(2000)),
    ]
    measured = measured_in_chromium(tmp_path, svgs)
    expected = [label for svg in svgs for label in labels(ET.fromstring(svg))]
    assert [m["text"] for m in measured] == [label.text for label in expected]
    placed = 0
    for found, label in zip(measured, expected):
        assert label.width >= found["drawn"] - 0.5, (label.text, label.width, found["drawn"])  # never narrower than drawn
        assert label.width <= found["drawn"] * 1.25 + 1, (label.text, label.width, found["drawn"])  # nor far wider
        if label.width - found["drawn"] < 0.5:  # the same font: the box is where the browser draws the text
            placed += 1
            if label.turned:  # the browser's box is the turned em box, taller than the glyphs': compare middles
                middle = (found["left"] + found["right"]) / 2
                assert middle == pytest.approx((label.left + label.right) / 2, abs=3), label.text
            else:
                assert (found["left"], found["right"]) == (pytest.approx(label.left + label.halo, abs=1),
                                                          pytest.approx(label.right - label.halo, abs=1)), label.text
    assert placed >= len(expected) / 2, "Chromium did not draw with DejaVu Sans (Debian: fonts-dejavu-core): positions not compared"
