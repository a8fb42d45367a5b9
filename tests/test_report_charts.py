"""Inline SVG charts: well-formed, accessible (title, desc with the values, role=img), safe with hostile
labels, self-contained, deterministic, and sensible on edge cases (no data, zeros, credits, huge
amounts, long labels, 200 owners). Every SVG made here is parsed with xml.etree."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.amounts import show
from engine.report import charts
from engine.report.charts import Series, column_chart, horizontal_bar, line_chart, progress_bar, stacked_bar
from engine.report.charts_text import text_width
from engine.report.formatting import format_compact, format_money

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & \"quoted\" ]]> <!-- \x01\x1b end"
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]


@dataclass(frozen=True)
class Money:  # the shape of engine.findings.Money
    amount: Decimal
    currency: str


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def title_and_desc(root: ET.Element) -> tuple[str, str]:
    chart_id = root.get("id")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.get("id") == f"{chart_id}-title" and desc.get("id") == f"{chart_id}-desc"
    return title.text or "", desc.text or ""


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def every_chart(chart_id: str = "c", label: str = "team-data") -> list[str]:
    return [
        horizontal_bar([label, "web"], [Decimal("12345.675"), Decimal("-20")], chart_id=f"{chart_id}-bar", title=f"Spend of {label}", currency="USD"),
        column_chart(MONTHS, [8200, 9100, 10400, 9700, 12050.5, 7000], chart_id=f"{chart_id}-col", title=label, currency="USD", budget=Decimal(10000)),
        stacked_bar([label, "web"], [Series("critical", [1, 2]), Series(label, [3, 0])], chart_id=f"{chart_id}-stack", title=label),
        line_chart(MONTHS, [Series(label, [60, 70, None, 80, 85, 90.5]), Series("coverage", [1, 2, 3, 4, 5, 6])], chart_id=f"{chart_id}-line", title=label, unit="%"),
        progress_bar(Decimal("7250"), Decimal("10000"), chart_id=f"{chart_id}-progress", title=label, currency="USD", target=80),
    ]


def test_every_chart_is_well_formed_accessible_and_self_contained():
    for svg in every_chart():
        root = parse(svg)
        title, desc = title_and_desc(root)
        assert title and desc
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        assert not tags & {"script", "style", "image", "foreignObject", "a", "use"}
        assert not any(name.startswith("on") for element in root.iter() for name in element.attrib)
        references = re.findall(r"url\(([^)]*)\)", svg)
        assert all(ref.startswith("#") for ref in references)
        assert "href" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_description_lists_the_values_and_the_bars_carry_them_as_text():
    root = parse(horizontal_bar(["data-platform", "web", "credits"], [Decimal("12345.675"), Decimal("8000"), Decimal("-2500.10")],
                                chart_id="spend", title="Spend per owner", currency="USD"))
    title, desc = title_and_desc(root)
    assert title == "Spend per owner"
    assert desc == ("Horizontal bar chart, 3 bars, largest first. data-platform: 12,345.68 USD; web: 8,000.00 USD; "
                    "credits: -2,500.10 USD.")
    shown = texts(root)
    for text in ("data-platform", "12,345.68 USD", "8,000.00 USD", "-2,500.10 USD", "below zero (credit)"):
        assert text in shown
    mark_titles = [t.text for g in root.iter(f"{SVG}g") for t in g.findall(f"{SVG}title")]
    assert "credits: -2,500.10 USD" in mark_titles


def test_hostile_labels_are_escaped_everywhere():
    for svg in every_chart(label=HOSTILE):
        root = parse(svg)  # well-formed despite <, &, quotes, ]]>, --, control characters
        assert "<script" not in svg and "]]>" not in svg
        assert not any(element.tag.endswith("script") for element in root.iter())
        title, desc = title_and_desc(root)
        expected = "<script>alert('x')</script> & \"quoted\" ]]> <!-- \ufffd\ufffd end"
        assert expected in title + desc + " ".join(texts(root))


def test_output_is_byte_identical_across_runs_and_processes():
    first = every_chart()
    assert every_chart() == first
    code = ("import sys; from tests.test_report_charts import every_chart; sys.stdout.write('\\n'.join(every_chart()))")
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2")
    }
    assert outputs == {"\n".join(first)}


def test_ids_are_unique_when_several_charts_share_a_page():
    page = "".join(every_chart("owner-1") + every_chart("owner-2"))
    root = ET.fromstring(f'<div xmlns:svg="http://www.w3.org/2000/svg">{page}</div>')
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)) and len(ids) > 20
    for svg in ET.fromstring(f"<div>{page}</div>"):  # each pattern reference resolves inside its own chart
        own = {element.get("id") for element in svg.iter()}
        for ref in re.findall(r"url\(#([^)]*)\)", ET.tostring(svg, encoding="unicode")):
            assert ref in own and ref.startswith(svg.get("id") + "-")


@pytest.mark.parametrize("bad", ["", "1chart", "a b", "a\"b", "x" * 65, None])
def test_a_chart_id_must_be_a_safe_name(bad):
    with pytest.raises(ValueError, match="chart_id"):
        horizontal_bar(["a"], [1], chart_id=bad, title="t")


def test_one_chart_never_mixes_currencies():
    with pytest.raises(ValueError, match="EUR amount on a USD axis"):
        horizontal_bar(["a", "b"], [Money(Decimal(1), "USD"), Money(Decimal(2), "EUR")], chart_id="m", title="t")
    with pytest.raises(ValueError, match="EUR amount on a USD axis"):
        column_chart(["2025-01"], [Decimal(5)], chart_id="m", title="t", currency="USD", budget=Money(Decimal(9), "EUR"))
    with pytest.raises(ValueError, match="EUR amount on a USD axis"):
        progress_bar(Money(Decimal(1), "USD"), Money(Decimal(2), "EUR"), chart_id="m", title="t")
    with pytest.raises(ValueError, match="three capital letters"):
        horizontal_bar(["a"], [1], chart_id="m", title="t", currency="usd")
    # money objects name the axis's currency themselves
    root = parse(horizontal_bar(["a"], [Money(Decimal("1.5"), "EUR")], chart_id="m", title="t"))
    assert "1.50 EUR" in texts(root)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN"), "12", True, None])
def test_values_must_be_finite_numbers(bad):
    with pytest.raises(ValueError):
        horizontal_bar(["a"], [bad], chart_id="v", title="t")


@pytest.mark.parametrize(
    "svg",
    [
        horizontal_bar([], [], chart_id="e1", title="Spend per owner"),
        column_chart([], [], chart_id="e2", title="Spend per owner", budget=Decimal(5)),
        stacked_bar([], [], chart_id="e3", title="Spend per owner"),
        line_chart(MONTHS, [Series("x", [None] * 6)], chart_id="e4", title="Spend per owner"),
    ],
)
def test_no_data_gives_a_placeholder(svg):
    root = parse(svg)
    title, desc = title_and_desc(root)
    assert title == "Spend per owner" and desc == "No data."
    assert "No data" in texts(root)


def test_one_value_and_all_zeros_give_a_sensible_axis():
    root = parse(horizontal_bar(["only"], [Decimal("42.5")], chart_id="one", title="t", currency="USD"))
    assert "42.50 USD" in texts(root)
    root = parse(horizontal_bar(["a", "b"], [0, 0], chart_id="zero", title="t", currency="USD"))
    assert texts(root).count("0.00 USD") == 2
    assert {"0", "1"} <= set(texts(root))  # an axis from 0 to 1, not a division by zero
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("stroke") == charts.TEXT]
    assert widths == [0, 0]


def test_negative_values_extend_left_of_the_zero_line():
    root = parse(horizontal_bar(["spend", "credit"], [Decimal(300), Decimal(-100)], chart_id="neg", title="t"))
    bars = {g.find(f"{SVG}title").text.split(":")[0]: g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None and g.find(f"{SVG}title") is not None}
    zero_lines = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "1.5"]
    zero_x = float(zero_lines[0].get("x1"))
    spend, credit = bars["spend"], bars["credit"]
    assert float(spend.get("x")) == pytest.approx(zero_x, abs=0.01)
    assert float(credit.get("x")) + float(credit.get("width")) == pytest.approx(zero_x, abs=0.01)
    assert float(credit.get("width")) * 3 == pytest.approx(float(spend.get("width")), abs=0.05)
    assert "-100" in texts(root) and "-100" in " ".join(texts(root))


def test_huge_amounts_stay_exact_in_the_labels():
    huge = Decimal("123456789012345678901234567890.125")
    root = parse(horizontal_bar(["a"], [huge], chart_id="huge", title="t", currency="USD"))
    assert "123,456,789,012,345,678,901,234,567,890.12 USD" in texts(root)  # half-even: .125 -> .12


def test_long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_the_title():
    long_label = "platform-engineering-shared-services-observability-team"
    root = parse(horizontal_bar([long_label], [10], chart_id="long", title="t"))
    assert any(t.endswith("\u2026") and long_label.startswith(t[:-1]) and text_width(t) <= charts.MAX_LABEL_W for t in texts(root))
    assert long_label not in texts(root)
    assert f"{long_label}: 10" in [t.text for t in root.iter(f"{SVG}title")]


def test_200_owners_show_the_top_15_and_one_others_bar_with_their_sum():
    owners = [f"team-{i:03d}" for i in range(200)]
    amounts = [Decimal(i * 7 % 200) + Decimal("0.01") * i for i in range(200)]
    root = parse(horizontal_bar(owners, amounts, chart_id="many", title="Spend per owner", currency="USD"))
    ranked = sorted(zip(owners, amounts), key=lambda pair: (-pair[1], pair[0]))
    rest = sum(amount for _, amount in ranked[15:])
    _, desc = title_and_desc(root)
    assert desc.count(": ") == 16
    assert f"Others (185): {format_money(rest, 'USD')}." in desc
    shown = texts(root)
    assert [label for label in shown if label.startswith("team-")] == [owner for owner, _ in ranked[:15]]
    assert "Others (185)" in shown


def test_series_differ_by_pattern_not_only_by_colour():
    series = [Series(f"s{i}", [i + 1, 1]) for i in range(8)]
    svg = stacked_bar(["a", "b"], series, chart_id="pat", title="t")
    root = parse(svg)
    patterns = {p.get("id"): p for p in root.iter(f"{SVG}pattern")}
    assert len(patterns) == 7  # every style but the first (plain) has its own pattern
    marks = set()
    for pattern in patterns.values():
        shape = ET.tostring(pattern, encoding="unicode")
        shape = re.sub(r'(fill|stroke)="#[0-9A-Fa-f]{6}"', "", shape)
        shape = re.sub(r'id="[^"]*"', "", shape)
        marks.add(shape)
    assert len(marks) == 7  # in grayscale, the marks alone tell the series apart
    legend_names = [t for t in texts(root) if re.fullmatch(r"s\d", t)]
    assert legend_names == [f"s{i}" for i in range(8)]


def test_more_than_8_stack_series_keep_the_7_largest_and_sum_the_rest():
    series = [Series(f"service-{i}", [Decimal(i), Decimal(2 * i)]) for i in range(10)]
    root = parse(stacked_bar(["a", "b"], series, chart_id="ten", title="t", currency="USD"))
    _, desc = title_and_desc(root)
    assert "segments: service-3, service-4, service-5, service-6, service-7, service-8, service-9, Other (3)." in desc
    assert "b: total 90.00 USD (" in desc and "Other (3) 6.00 USD" in desc  # 2 × (0 + 1 + 2)
    with pytest.raises(ValueError, match="at most 8 series"):
        line_chart(["a"], [Series(f"k{i}", [1]) for i in range(9)], chart_id="lines", title="t")


def test_a_missing_point_breaks_the_line():
    root = parse(line_chart(MONTHS, [Series("coverage", [60, 70, None, 80, 85, 90])], chart_id="gap", title="t", unit="%"))
    paths = [p.get("d") for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert len(paths) == 1 and paths[0].count("M") == 2
    _, desc = title_and_desc(root)
    assert "coverage: 2025-01 60.0%, 2025-02 70.0%, 2025-03 no value, 2025-04 80.0%" in desc
    assert "coverage 90.0%" in texts(root)  # the line is labelled at its end


def test_a_line_chart_of_small_counts_keeps_its_axis_caption_and_first_label_inside():
    """Single-digit ticks leave little room left of the axis: the caption ("findings", written right-aligned left of
    the axis) and the first x label (centred on the axis) must still start inside the chart (estimated widths)."""
    root = parse(line_chart(["2026-11-01", "2026-11-15", "2026-11-27"], [Series("open findings", [4, 4, 3])], chart_id="few",
                            title="t", unit="findings"))
    for text in root.iter(f"{SVG}text"):
        words = "".join(text.itertext())
        width = len(words) * 7.0 * float(text.get("font-size", 12)) / 12
        x = float(text.get("x"))
        left = {"end": x - width, "middle": x - width / 2}.get(text.get("text-anchor"), x)
        assert left >= 0, (words, left)


def test_columns_over_the_budget_are_named_and_patterned():
    root = parse(column_chart(MONTHS[:3], [Decimal(9000), Decimal(10500), Decimal(10000)], chart_id="bud", title="t",
                              currency="USD", budget=Decimal(10000)))
    _, desc = title_and_desc(root)
    assert "Budget 10,000.00 USD. 1 of 3 over budget." in desc
    assert "2025-02: 10,500.00 USD (over the budget of 10,000.00 USD)" in desc
    fills = [r.get("fill") for g in root.iter(f"{SVG}g") for r in g.findall(f"{SVG}rect") if g.find(f"{SVG}title") is not None]
    assert fills[0] == fills[2] != fills[1] and fills[1].startswith("url(#bud-")
    assert "budget 10,000.00 USD" in texts(root)


def test_a_progress_bar_over_100_percent_and_one_of_nothing():
    root = parse(progress_bar(Decimal(13000), Decimal(10000), chart_id="burn", title="Budget burn", currency="USD"))
    _, desc = title_and_desc(root)
    assert desc == "Progress bar: 130.0% (13,000.00 USD of 10,000.00 USD)."
    assert {"130.0%", "100%", "above 100%"} <= set(texts(root))
    root = parse(progress_bar(Decimal(5), Decimal(0), chart_id="none", title="Tag coverage", currency="USD"))
    assert title_and_desc(root)[1] == "n/a: the whole is 0.00 USD."


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=4))
def test_money_reads_as_the_engine_messages_show_it(amount):
    engine_text = show(amount, "USD")
    # one difference, on purpose: an amount that rounds to zero reads "0.00", never "-0.00"
    expected = "0.00 USD" if engine_text == "-0.00 USD" else engine_text
    assert format_money(amount, "USD") == expected


def test_a_tiny_credit_does_not_read_as_minus_zero():
    assert format_money(Decimal("-0.004"), "USD") == "0.00 USD"
    assert format_money(Decimal("-0.005"), "USD") == "0.00 USD"  # half-even
    assert format_money(Decimal("-0.015"), "USD") == "-0.02 USD"


def test_compact_axis_labels():
    assert [format_compact(Decimal(v)) for v in ("0", "2.5", "1500", "-2000000", "12500", "1E+9", "0.25")] == [
        "0", "2.5", "1.5k", "-2M", "12.5k", "1B", "0.25",
    ]


def test_the_example_in_the_contributor_docs_runs():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "contributing-report-charts.md").read_text(encoding="utf-8")
    code = page.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec(compile(code, "docs/contributing-report-charts.md", "exec"), scope)
    root = parse(scope["svg"])
    assert title_and_desc(root) == ("Spend per owner", "Horizontal bar chart, 2 bars, largest first. data: 12,345.68 USD; web: -20.00 USD.")
