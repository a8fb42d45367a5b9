"""Hostile values from snapshots in every output of the report: they show as text and do nothing.

Two ways in: (1) an estate evaluated live whose tag values, resource names and ids and team names
carry script, markup, links and formulas; (2) a findings document (`report --findings`) where every
text field a report shows, owner ids included, is hostile. The HTML is read back with Python's HTML
parser (as a browser tokenizes it), the Markdown rendered with GitHub's renderer letting raw HTML
through, and the hostile text must be found, whole, as text.
"""

from __future__ import annotations

import json
import re

import cmarkgfm
from cmarkgfm.cmark import Options

from tests.report_fixtures import EXAMPLES, Page, check_json, run

HOSTILE = ['<script>alert(1)</script>', 'javascript:alert(1)', '=HYPERLINK("https://evil.example","click")',
           '"><img src=x onerror=alert(1)>', "[click](javascript:alert(1))", "@here #1 <!channel>", "</td></tr></table><h1>x"]
SAFE_PAGE = re.compile(r"(\.\./index\.html|owners/[a-z0-9-]+\.html|#owner-[a-z0-9-]+)\Z")


def check_html(page: Page, *, texts: list[str]) -> None:
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"script", "img", "iframe", "object", "embed", "form"}
    assert len(page.tags("h1")) <= 1  # the page's own heading only: "<h1>x" stayed text
    for tag, attrs in page.elements:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            if name in attrs:
                assert name == "href" and SAFE_PAGE.match(attrs[name]), (tag, attrs)
    meta = [attrs for attrs in page.tags("meta") if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert meta and "default-src 'none'" in meta[0]["content"]
    for text in texts:
        assert text in page.text, text


def rendered_markdown(text: str) -> Page:
    return Page(cmarkgfm.markdown_to_html_with_extensions(text, options=Options.CMARK_OPT_UNSAFE,
                                                          extensions=["table", "autolink", "strikethrough"]))


def check_markdown(text: str, *, texts: list[str]) -> None:
    page = rendered_markdown(text)
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"script", "img", "iframe"}
    assert len(page.tags("h1")) == 1
    for href in page.links():
        assert SAFE_PAGE.match(href), href
    plain = page.text.replace("\u200b", "")
    for value in texts:
        assert value.replace("\u200b", "") in plain, value


def test_a_hostile_findings_document(tmp_path):
    assert check_json(tmp_path / "f.json").exit_code == 1
    document = json.loads((tmp_path / "f.json").read_text())
    owner = HOSTILE[3]
    per_owner: dict = {}  # each owner's findings get every hostile value in turn, whatever the findings' order
    for index, finding in enumerate(document["findings"]):
        turn = per_owner[finding["owner"]] = per_owner.get(finding["owner"], -1) + 1
        value = HOSTILE[turn % len(HOSTILE)]
        finding["owner"] = owner if finding["owner"] == "search" else finding["owner"]
        finding["message"] = f"{value} message"
        if finding["resource"]:
            finding["resource"]["id"] = f"{value} id {index}"
            finding["resource"]["name"] = f"{value} name"
        finding["policy"] = value
    for entry in document["summary"]["by_owner"]:
        if entry["owner"] == "search":
            entry["owner"], entry["name"] = owner, HOSTILE[0]
            entry["contacts"] = [HOSTILE[1]]
    document["warnings"] = HOSTILE
    (tmp_path / "f.json").write_text(json.dumps(document))
    result = run("report", "--findings", tmp_path / "f.json", "--output", tmp_path / "out")
    assert result.exit_code == 1, result.output
    pages = sorted((tmp_path / "out").rglob("*.html"))
    assert len(pages) == 5 and all(SAFE_PAGE.match(p.relative_to(tmp_path / "out").as_posix()) or p.name == "index.html"
                                   for p in pages)
    for path in pages:
        check_html(Page(path.read_text()), texts=[])
    index = Page((tmp_path / "out" / "index.html").read_text())
    check_html(index, texts=HOSTILE + [f"{HOSTILE[0]} ({owner})"])
    hostile_owner = [p for p in pages if p.parent.name == "owners" and p.stem not in ("finops", "payments", "data-platform")]
    assert len(hostile_owner) == 1
    page = Page(hostile_owner[0].read_text())
    check_html(page, texts=[f"{HOSTILE[0]} ({owner})", HOSTILE[1], *(f"{value} message" for value in HOSTILE)])
    check_markdown((tmp_path / "out" / "summary.md").read_text(), texts=[HOSTILE[0], HOSTILE[2]])


def test_a_hostile_estate_evaluated(tmp_path):
    inventory = json.loads((EXAMPLES / "inventory.json").read_text())
    for index, resource in enumerate(inventory["resources"]):
        value = HOSTILE[index % len(HOSTILE)]
        resource["name"] = value
        resource["id"] = f"{resource['id']}{value}"
        resource.setdefault("tags", {})["environment"] = value  # allowed-environment-values quotes it
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    ownership = (EXAMPLES / "ownership.yaml").read_text().replace("name: Search", f"name: '{HOSTILE[3]}'")
    (tmp_path / "ownership.yaml").write_text(ownership)
    result = run("report", "--policies", EXAMPLES.parent / "policies", "--inventory", tmp_path / "inventory.json",
                 "--costs", EXAMPLES / "costs" / "focus-2026-11.csv", "--ownership", tmp_path / "ownership.yaml",
                 "--period", "2026-11", "--output", tmp_path / "out")
    assert result.exit_code == 1, result.output
    document = json.loads((tmp_path / "out" / "findings.json").read_text())
    messages = [f["message"] for f in document["findings"] if f["owner"] == "search"]
    assert any(HOSTILE[0] in message for message in messages)
    page = Page((tmp_path / "out" / "owners" / "search.html").read_text())
    check_html(page, texts=[f"{HOSTILE[3]} (search)", *messages])
    index = Page((tmp_path / "out" / "index.html").read_text())
    check_html(index, texts=[f"{HOSTILE[3]} (search)"])
    assert index.text.count(HOSTILE[3]) >= 4  # the ranking, a chart's description, the showback and scorecard tables
    check_markdown((tmp_path / "out" / "summary.md").read_text(), texts=[HOSTILE[3]])
