"""Every output format shows the statuses (open, exempted with its exemption, baselined), the exemptions'
states and the baseline's counts and fixed entries; each output validated or read back by an independent reader."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from functools import lru_cache

import pytest
from junitparser import JUnitXml, Skipped

from engine import api
from engine.documents.schemas import validator
from engine.outputs.escaping import ZERO_WIDTH_SPACE
from tests.output_cases import AS_OF, EXAMPLES, HOSTILE, sarif_document
from tests.test_output_github import commands
from tests.test_output_junit import parse
from tests.test_output_markdown import LINK, MENTION, REFERENCE, TAGS, rendered

I1 = "arn:aws:ec2:us-east-1:111111111111:instance/i-0a1b2c3d4e5f60001"
I4 = "arn:aws:ec2:eu-west-1:222222222222:instance/i-0a1b2c3d4e5f60004"
VOL11 = "arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1b2c3d4e5f60011"
NEW = "arn:aws:ec2:eu-west-1:222222222222:instance/i-0new0000000000001"
APPROVER = "@org/team <b>lead</b> =cmd"  # free text: escaped wherever it lands
EXEMPTIONS = {  # id -> (fields, the state it must have as of 2026-11-27)
    "active": ({"policies": ["required-allocation-tags"], "resources": {"ids": [I4]}, "expires": "2027-06-01", "approver": "lead@example.com"},
               "active"),
    "expiring": ({"policies": ["team-monthly-budget"], "scopes": ["search"], "expires": "2026-12-01", "ticket": "FIN-1"}, "expiring"),
    "expired": ({"labels": ["rightsizing"], "resources": {"globs": ["*"]}, "expires": "2026-11-26", "ticket": "FIN-2",
                 "approver": APPROVER}, "expired"),
    "unused": ({"policies": ["required-allocation-tags"], "resources": {"ids": [I1]}, "expires": "2027-01-01", "ticket": "FIN-3"}, "unused"),
    "unchecked": ({"policies": ["zero-usage"], "resources": {"ids": ["i-gone"]}, "expires": "2027-01-01", "ticket": "FIN-4"},
                  "unchecked"),
}


@lru_cache(maxsize=1)
def gated():
    """The example estate with one volume fixed and one untagged instance added, after exemptions of every
    state and a baseline made from the estate before: every status, every state, a fixed entry."""
    import tempfile
    from pathlib import Path

    library = api.load_policies(None)
    args = dict(ownership=api.load_ownership(str(EXAMPLES / "ownership.yaml")), as_of=AS_OF,
                costs=api.load_costs([str(EXAMPLES / "costs" / "focus-2026-11.csv")]),
                budgets=api.load_budgets([str(EXAMPLES / "budgets.yaml")]), prices=api.load_prices([str(EXAMPLES / "prices.csv")]))
    data = json.loads((EXAMPLES / "inventory.json").read_text())
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "before.json").write_text(json.dumps(data))
        before = api.load_inventory([str(folder / "before.json")]).resources
        (folder / "baseline.json").write_text(api.baseline_text(api.evaluate(library, before, **args)))
        next(r for r in data["resources"] if r["id"] == VOL11)["tags"]["cost-center"] = "CC-1001"
        data["resources"].append({"id": NEW, "type": "AWS::EC2::Instance", "provider": "aws", "account": "222222222222",
                                  "region": "eu-west-1", "size": "m5.large", "state": "running", "tags": {}})
        (folder / "after.json").write_text(json.dumps(data))
        after = api.load_inventory([str(folder / "after.json")]).resources
        texts = []
        for id_, (fields, _) in EXEMPTIONS.items():
            texts.append(json.dumps({"apiVersion": "costwarden/v1", "kind": "Exemption", "id": id_, "reason": f"reason of {id_}", **fields}))
        (folder / "exemptions.yaml").write_text("\n---\n".join(texts))
        exemptions = api.load_exemptions([str(folder / "exemptions.yaml")], library=library)
        baseline = api.load_baseline(folder / "baseline.json")
    result = api.evaluate(library, after, **args)
    result = api.apply_exemptions(result, exemptions, resources=after)
    return api.apply_baseline(result, baseline, resources=after)


def test_the_run_has_every_status_every_state_and_a_fixed_entry():
    result = gated()
    assert {report.id: report.state for report in result.exemptions} == {k: state for k, (_, state) in EXEMPTIONS.items()}
    statuses = {f.status for f in result.findings}
    assert statuses == {"open", "exempted", "baselined"}
    assert {f.resource["id"] for f in result.findings if f.status == "open"} == {NEW}
    assert [entry["resource"]["id"] for entry in result.baseline.fixed] == [VOL11]
    assert result.exit_code() == 1 and all(f.resource["id"] == NEW for f in result.failing())


def test_json_validates_and_carries_it_all():
    document = json.loads(api.render(gated(), "json"))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator("findings.schema.json").iter_errors(document)] == []
    summary = document["summary"]
    assert summary["open"] + summary["exempted"] + summary["baselined"] == summary["findings"]
    assert {r["id"]: r["state"] for r in document["exemptions"]} == {k: state for k, (_, state) in EXEMPTIONS.items()}
    assert document["baseline"]["fixed"][0]["resource"]["id"] == VOL11 and document["baseline"]["new"] == summary["open"]
    exempted = [f for f in document["findings"] if f["status"] == "exempted"]
    assert {f["exemption"]["id"] for f in exempted} == {"active", "expiring"}


def test_sarif_suppressions_baseline_states_notifications_and_properties():
    result = gated()
    document = sarif_document(result)
    (run,) = document["runs"]
    by_status = {}
    for entry in run["results"]:
        by_status.setdefault(entry["properties"]["status"], []).append(entry)
    assert all("suppressions" not in e and e["baselineState"] == "new" for e in by_status["open"])
    assert all(e["baselineState"] == "unchanged" and e["suppressions"][0]["status"] == "accepted" for e in by_status["baselined"])
    active = next(e for e in by_status["exempted"] if e["properties"]["exemption"]["id"] == "active")
    (suppression,) = active["suppressions"]
    assert suppression["justification"].startswith("exemption active: reason of active (until 2027-06-01; approved by ")
    assert suppression["location"]["physicalLocation"]["region"] == {"startLine": 1}
    notes = run["invocations"][0]["toolConfigurationNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes if n["descriptor"]["id"].startswith("exemption-")] == [
        ("exemption-expired", "warning"), ("exemption-expiring", "warning"), ("exemption-unused", "note"), ("exemption-unchecked", "note")]
    assert run["properties"]["baseline"]["fixed"][0]["resource"]["id"] == VOL11
    assert [e["id"] for e in run["properties"]["exemptions"]] == sorted(EXEMPTIONS)


def test_junit_reads_back_with_the_exemption_and_baseline_suites():
    result = gated()
    text = api.render(result, "junit")
    root = parse(text)
    suites = {suite.get("name"): suite for suite in root}
    exemptions = {case.get("name"): case for case in suites["exemptions"].findall("testcase")}
    assert exemptions["active"].find("skipped") is None and exemptions["active"].find("system-out") is not None
    assert exemptions["expired"].find("skipped").get("message").startswith("exemption expired: no longer applies (last day 2026-11-26")
    (fixed,) = suites["baseline"].findall("testcase")
    assert fixed.get("name") == f"fixed: required-allocation-tags on {VOL11}"
    assert {p.get("name"): p.get("value") for p in suites["baseline"].find("properties")}["fixed"] == "1"
    failures = int(root.get("failures"))
    assert failures == len(result.failing()) > 0  # red exactly when the exit code is 1: the new findings only
    xml = JUnitXml.fromstring(text.encode())
    reasons = [r.message for suite in xml for case in suite for r in case.result if isinstance(r, Skipped)]
    assert any(m.startswith("exempted by active (reason of active; until 2027-06-01)") for m in reasons)
    assert any(m.startswith("baselined: ") for m in reasons)


def test_github_counts_them_and_annotates_only_open_findings():
    result = gated()
    found = commands(api.render(result, "github"))
    *annotations, (_, _, summary) = found
    opened = [f for f in result.findings if f.status == "open"]
    assert len(annotations) == len(opened) and all(NEW in data for _, _, data in annotations)
    assert summary.endswith(f"; 5 exemptions: 1 active, 1 expiring, 1 expired, 1 unused, 1 unchecked; baseline {result.baseline.file}:"
                            f" {result.baseline.baselined} baselined, {len(opened)} new, 1 fixed")


def test_markdown_lists_the_states_and_the_fixed_entry_inertly():
    page = rendered(api.render(gated(), "markdown"))
    assert {tag for tag, _ in page.tags} <= TAGS
    text = "".join(page.text)
    assert "Exemptions" in page.strong and "Baseline" in page.strong
    assert "5 exemptions: 1 active, 1 expiring, 1 expired, 1 unused, 1 unchecked." in text
    assert "expired: expired — no longer applies (last day 2026-11-26, 1 day ago)" in text
    assert f"fixed: required-allocation-tags on {VOL11}: missing tag cost-center" in text
    assert not MENTION.search(text) and f"@{ZERO_WIDTH_SPACE}org/team <b>lead</b>" in text  # the approver, as text
    statuses = {row[3] for table in page.tables if table[0][:2] == ["severity", "policy"] for row in table[1:]}
    assert {"exempted by active", "exempted by expiring", "baselined", "open, failing"} <= statuses


def test_text_shows_the_exemption_on_each_row_and_the_sections():
    text = api.render(gated(), "text", shorten=False)
    assert "[exempted by active] missing tags team, cost-center, environment" in text
    lines = text.splitlines()
    assert "5 exemptions: 1 active, 1 expiring, 1 expired, 1 unused, 1 unchecked" in lines
    states = [line.split()[0] for line in lines[lines.index("5 exemptions: 1 active, 1 expiring, 1 expired, 1 unused, 1 unchecked") + 2:][:4]]
    assert states == ["expired", "expiring", "unused", "unchecked"]
    assert f"  fixed: required-allocation-tags on {VOL11}: missing tag cost-center" in lines


def test_csv_has_the_status_and_the_exemption_of_each_row():
    result = gated()
    rows = list(csv.DictReader(io.StringIO(api.render(result, "csv"), newline="")))
    assert [(row["fingerprint"], row["status"], row["exemption_id"]) for row in rows] == [
        (f.fingerprint, f.status, (f.exemption or {}).get("id", "")) for f in result.findings]


@pytest.mark.parametrize("name", ["text", "json", "sarif", "junit", "github", "markdown", "csv"])
def test_every_format_is_deterministic_with_exemptions_and_a_baseline(name):
    assert api.render(gated(), name) == api.render(gated(), name)


def test_hostile_text_in_an_exemption_stays_data_in_every_format(tmp_path):
    """An exemption's reason, approver and ticket are free text: they land escaped."""
    result = gated()
    hostile = HOSTILE[0] + " " + HOSTILE[3]
    text = json.dumps({"apiVersion": "costwarden/v1", "kind": "Exemption", "id": "odd", "reason": hostile, "approver": HOSTILE[2],
                       "ticket": HOSTILE[1], "policies": ["zero-usage"], "resources": {"ids": ["i-gone"]}, "expires": "2026-01-01"})
    (tmp_path / "odd.yaml").write_text(text)
    odd = api.apply_exemptions(result, api.load_exemptions([str(tmp_path / "odd.yaml")]))
    notes = sarif_document(odd)["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    (note,) = [n for n in notes if n["properties"].get("id") == "odd"]
    assert (note["properties"]["reason"], note["properties"]["approver"]) == (hostile, HOSTILE[2])  # data, in a property bag
    junit = ET.fromstring(api.render(odd, "junit").encode())
    assert junit.find(".//testsuite[@name='exemptions']/testcase[@name='odd']/skipped") is not None
    page = rendered(api.render(odd, "markdown"))
    text = "".join(page.text)
    assert {tag for tag, _ in page.tags} <= TAGS and not MENTION.search(text) and not LINK.search(text) and not REFERENCE.search(text)
    assert "ticket =HYPERLINK" in text
