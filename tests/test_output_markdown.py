"""Markdown, rendered by GitHub's own renderer (cmark-gfm with its table, autolink and strikethrough
extensions; raw HTML let through and no tag filter, stricter than GitHub): values from snapshots come out as the same text, never as
markup, links, mentions or references; the verdict, the counts and the dollars are right; the body is bounded."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from html.parser import HTMLParser

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from engine import api
from engine.amounts import show
from engine.findings import Finding, Money, Result
from engine.outputs import FORMATS
from engine.outputs.escaping import ZERO_WIDTH_SPACE, markdown_html, markdown_text, printable
from engine.outputs.labels import subject
from engine.outputs.markdown_format import MAX_CHARS
from tests.output_cases import HOSTILE, error_result, example_result, hostile_result, with_statuses

# what the renderer writes itself; anything else would come from a value
TAGS = {"h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "details", "summary", "sub", "br"}
STRONG = re.compile(r"Fails|Passes|Error|By owner|Findings by owner|Warnings|Evaluation errors|Not evaluated|\d+ more findings? not shown")
# what GitHub turns into a notification, a reference or a link in rendered text
MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
REFERENCE = re.compile(r"#\d|\bGH-\d", re.IGNORECASE)
LINK = re.compile(r"://|\bwww\.", re.IGNORECASE)


class Page(HTMLParser):
    """The rendered HTML: its tags and attributes, the text of every <strong>, and every table's rows of cell texts."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.strong: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._strong: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "strong":
            self._strong = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "strong":
            self.strong.append("".join(self._strong))
            self._strong = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._strong is not None:
            self._strong.append(data)


def rendered(markdown: str) -> Page:
    """As GitHub renders it, but stricter: raw HTML let through and no tag filter, so any HTML a value made would show."""
    return Page(cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG,
        extensions=["table", "autolink", "strikethrough"]))


def check_inert(page: Page) -> None:
    """Only the renderer's own markup; every table row as wide as its header; no mention, reference or link."""
    assert {tag for tag, _ in page.tags} <= TAGS, {tag for tag, _ in page.tags} - TAGS
    for tag, attrs in page.tags:
        assert all(name == "align" and tag in ("td", "th") for name, _ in attrs), (tag, attrs)
    assert all(STRONG.fullmatch(text) for text in page.strong), page.strong
    for table in page.tables:
        assert all(len(row) == len(table[0]) for row in table), table
    text = "".join(page.text)
    assert not MENTION.search(text) and not REFERENCE.search(text) and not LINK.search(text)


def finding_rows(page: Page) -> list[list[str]]:
    return [row for table in page.tables if table[0][:2] == ["severity", "policy"] for row in table[1:]]


def test_hostile_values_render_as_the_same_text_and_nothing_else():
    result = hostile_result()
    markdown = api.render(result, "markdown")
    page = rendered(markdown)
    check_inert(page)
    rows = finding_rows(page)
    assert len(rows) == len(result.findings)
    messages = {row[5].replace(ZERO_WIDTH_SPACE, "") for row in rows}
    subjects = {row[2].replace(ZERO_WIDTH_SPACE, "") for row in rows}
    for finding in result.findings:  # the text a reader sees is the value, control characters shown escaped
        assert printable(finding.message, 300) in messages
        assert printable(subject(finding), 150) in subjects
    text = "".join(page.text).replace(ZERO_WIDTH_SPACE, "")
    for value in HOSTILE:
        assert printable(value) in text


@pytest.mark.parametrize("value", HOSTILE)
def test_each_escaper_alone_keeps_a_value_inert(value):
    page = rendered(f"| a |\n|---|\n| {markdown_text(value)} |\n\n{markdown_text(value)}\n\n- {markdown_text(value)}\n")
    check_inert(page)
    assert [row[0].replace(ZERO_WIDTH_SPACE, "") for row in page.tables[0][1:]] == [printable(value)]
    html = rendered(f"<details><summary>{markdown_html(value)}</summary>\n\nx\n\n</details>\n")
    check_inert(html)
    assert "".join(html.text).replace(ZERO_WIDTH_SPACE, "").startswith(printable(value))


def test_the_verdict_follows_the_exit_code():
    result = example_result()
    assert api.render(result, "markdown").startswith(
        "### costwarden fails\n\n**Fails** at \\-\\-fail\\-on info: 10 open findings of enforced policies at or above info \\(exit code 1\\)\\.")
    passing = rendered(FORMATS["markdown"](result, version="1", fail_on="critical"))
    assert passing.strong[0] == "Passes" and "no open finding of an enforced policy at or above critical" in "".join(passing.text)


def test_evaluation_errors_make_the_error_verdict_and_are_listed(tmp_path):
    result = error_result(tmp_path)
    page = rendered(api.render(result, "markdown"))
    check_inert(page)
    text = "".join(page.text)
    assert "costwarden could not evaluate every policy" in text and "1 evaluation error" in text
    assert "E501 policy fn, resource i-1" in text and "Not evaluated (3)" in text


def test_counts_per_severity_and_per_owner_with_money_per_currency():
    result = with_statuses(example_result())
    page = rendered(api.render(result, "markdown"))
    check_inert(page)
    (severity_table,) = [t for t in page.tables if t[0][0] == "severity" and t[0][1] == "findings"]
    failing = result.failing()
    for row in severity_table[1:]:
        found = [f for f in result.findings if f.severity == row[0]]
        assert row[1:] == [str(len(found)), str(sum(f.status == "open" for f in found)), str(sum(f in failing for f in found))]
    (owner_table,) = [t for t in page.tables if t[0][0] == "owner"]
    rows = {row[0].split(" (")[0]: row for row in owner_table[1:]}
    assert set(rows) == {f.owner for f in result.findings}
    for owner, row in rows.items():  # money summed here per currency, each resource's monthly cost once
        mine = [f for f in result.findings if f.owner == owner]
        assert row[1:3] == [str(len(mine)), str(sum(f.status == "open" for f in mine))]
        seen, cost = set(), {}
        for f in mine:
            key = (f.resource or {}).get("id")
            if f.monthly_cost is not None and key not in seen:
                seen.add(key)
                cost[f.monthly_cost.currency] = cost.get(f.monthly_cost.currency, Decimal(0)) + f.monthly_cost.amount
        if cost:
            assert "monthly cost " + ", ".join(show(cost[c], c) for c in sorted(cost)) in row[8]
    assert "EUR" in rows["data-platform"][8] and "USD" in rows["data-platform"][8]  # two currencies, never added


def test_findings_are_grouped_by_owner_in_details_blocks():
    result = example_result()
    markdown = api.render(result, "markdown")
    page = rendered(markdown)
    summaries = [s for s in re.findall(r"<summary>(.*?)</summary>", markdown)]
    assert len(summaries) == len({f.owner for f in result.findings}) == markdown.count("</details>")
    assert len(finding_rows(page)) == len(result.findings)
    first = finding_rows(page)[0]
    assert first[3] == "open, failing" and first[0] == "high"  # the failing, most severe findings first


def many_findings(count: int) -> Result:
    findings = tuple(Finding(policy=f"p{i % 7}", severity="medium", enforcement="enforce", message="x" * 250 + f" {i}",
                             owner=f"team-{i % 40}", owner_source="default", resource={"id": f"res-{i:06d}", "provider": "aws"},
                             evidence={}, monthly_saving=Money(Decimal(i), "USD")) for i in range(count))
    return Result(findings=findings, errors=(), policies=(), as_of="2026-11-27T00:00:00Z", resources_evaluated=count)


@pytest.mark.parametrize("max_chars", [MAX_CHARS, 65_536, 8_000])
def test_the_body_is_bounded_and_says_how_many_findings_it_left_out(max_chars):
    result = many_findings(5000)
    markdown = FORMATS["markdown"](result, version="1", max_chars=max_chars)
    assert len(markdown) <= max_chars
    page = rendered(markdown)
    check_inert(page)
    shown = len(finding_rows(page))
    assert 0 < shown < 5000
    assert f"{5000 - shown} more findings not shown" in page.strong
    assert markdown.count("<details>") == markdown.count("</details>")


def test_a_result_that_fits_has_no_more_line():
    markdown = api.render(many_findings(3), "markdown")
    assert "not shown" not in markdown and len(finding_rows(rendered(markdown))) == 3


def test_no_findings():
    result = replace(example_result(), findings=())
    page = rendered(api.render(result, "markdown"))
    check_inert(page)
    assert page.strong[0] == "Passes" and "No findings." in "".join(page.text)


def test_a_max_chars_too_small_for_the_headline_is_refused():
    with pytest.raises(ValueError, match="max_chars must be at least 4,000"):
        FORMATS["markdown"](example_result(), version="1", max_chars=1000)
