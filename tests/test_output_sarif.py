"""SARIF 2.1.0: valid against the official schema, rules from policies, a located result per finding."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from engine import api
from engine.findings import MONEY_FIELDS, Result
from engine.outputs.locations import artifact_uri
from engine.outputs.sarif_format import FINGERPRINT_KEY
from tests.conftest import ROOT
from tests.output_cases import (AS_OF, HOSTILE, error_result, example_result, hostile_result, realdata_result,
                                sarif_document, with_statuses)

# written out here, not imported: the mapping docs/outputs.md promises
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}


def unescape(text: str) -> str:
    """A SARIF viewer's reading of a plain-text message (as CodeQL's tools unescape them)."""
    return re.sub(r"\\([\\\[\]])", r"\1", text)


def run_of(result):
    (run,) = sarif_document(result)["runs"]
    return run


def test_the_example_run_has_a_rule_per_policy_and_a_result_per_finding():
    result = example_result()
    run = run_of(result)
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(policy.id for policy in result.policies)
    assert len(run["results"]) == len(result.findings) == 33
    for policy, rule in zip(sorted(result.policies, key=lambda p: p.id), rules):
        assert rule["shortDescription"]["text"] == policy.title
        assert rule["fullDescription"]["text"] == policy.description.strip()
        assert rule["help"]["text"] == policy.remediation.strip()
        assert "**Remediation:**" in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == LEVEL[policy.severity]
        assert rule["properties"]["tags"] == list(policy.labels)
        assert rule["properties"]["severity"] == policy.severity
    for finding, entry in zip(result.findings, run["results"]):
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"] == finding.policy
        assert entry["level"] == LEVEL[finding.severity]
        assert entry["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}
        assert unescape(entry["message"]["text"]).endswith(finding.message)
        properties = entry["properties"]
        assert (properties["owner"], properties["owner_source"], properties["status"]) == (finding.owner, finding.owner_source, "open")
        for name in MONEY_FIELDS:  # exact decimal strings with their currency, only the money the finding has
            money = getattr(finding, name)
            assert properties["money"].get(name) == (None if money is None else {"amount": money.to_dict()["amount"], "currency": money.currency})
    priced = next(e for e in run["results"] if "monthly_saving" in e["properties"]["money"])
    assert re.fullmatch(r"-?\d+(\.\d+)?", priced["properties"]["money"]["monthly_saving"]["amount"])
    skipped = [{"level": "note", "message": {"text": f"policy {policy} was not evaluated: {reason}"}, "descriptor": {"id": "skipped"},
                "properties": {"policy": policy, "reason": reason}} for policy, reason in result.skipped]
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": [
        {"level": "warning", "message": {"text": warning}} for warning in result.warnings],
        **({"toolConfigurationNotifications": skipped} if skipped else {})}]
    assert run["properties"]["as_of"] == "2026-11-27T00:00:00Z"


def test_evidence_is_the_findings_json_evidence():
    result = example_result()
    findings = json.loads(api.render(result, "json"))["findings"]
    run = run_of(result)
    assert [entry["properties"]["evidence"] for entry in run["results"]] == [finding["evidence"] for finding in findings]


def test_security_severity_orders_as_the_severities_and_within_githubs_bands():
    policy = api.load_policies(None).get("required-allocation-tags")
    policies = tuple(replace(policy, id=f"p-{severity}", severity=severity) for severity in LEVEL)
    run = run_of(Result(findings=(), errors=(), policies=policies, as_of=AS_OF, resources_evaluated=0))
    scores = {rule["properties"]["severity"]: float(rule["properties"]["security-severity"]) for rule in run["tool"]["driver"]["rules"]}
    assert {rule["properties"]["severity"]: rule["defaultConfiguration"]["level"] for rule in run["tool"]["driver"]["rules"]} == LEVEL
    assert scores["critical"] > 9.0 and 7.0 <= scores["high"] < 9.0 and 4.0 <= scores["medium"] < 7.0
    assert 0.1 <= scores["info"] < scores["low"] < 4.0


def test_every_result_of_a_real_run_has_a_physical_location_at_its_policy():
    """Cost findings (a scope, no file) and inventory findings without a location point at the policy's YAML;
    the example inventory's findings at their resource's object in the inventory file."""
    result = example_result()
    policies = {policy.id: policy for policy in result.policies}
    for entry, finding in zip(run_of(result)["results"], result.findings):
        (location,) = entry["locations"]
        physical = location["physicalLocation"]
        if finding.location is not None:
            assert physical["artifactLocation"] == {"uri": "examples/inventory.json", "uriBaseId": "%SRCROOT%"}
            assert physical["region"] == {"startLine": finding.location["line"], "startColumn": finding.location["column"]}
        else:
            assert physical["artifactLocation"] == {"uri": artifact_uri(policies[finding.policy].file)[0]}
            assert physical["artifactLocation"]["uri"].startswith("file:///")  # the bundled library: an absolute path
            assert physical["region"] == {"startLine": policies[finding.policy].line}
        (logical,) = location["logicalLocations"]
        if finding.resource is not None:
            assert logical == {"name": finding.resource["id"], "kind": "resource"}
        else:
            assert logical["name"].startswith(("all spend", "team ")), logical
    for entry in run_of(realdata_result())["results"]:
        assert entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_relative_policy_paths_are_relative_uris_from_srcroot(monkeypatch):
    monkeypatch.chdir(ROOT)
    library = api.load_policies(["policies/tagging"])
    inventory = api.load_inventory(["examples/inventory.json"])
    run = run_of(api.evaluate(library, inventory.resources, as_of=AS_OF))
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"description": {"text": "the directory costwarden was run in"}}}
    uris = {entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for entry in run["results"]}
    assert uris and all((ROOT / uri).is_file() for uri in uris), uris
    assert all(entry["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for entry in run["results"])


def test_a_findings_own_location_wins_over_its_policy_and_is_percent_encoded():
    result = hostile_result()
    run = run_of(result)
    located = [(f, e) for f, e in zip(result.findings, run["results"]) if f.location]
    assert len(located) == 10
    for finding, entry in located:
        physical = entry["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["artifactLocation"]["uri"].startswith("modules/") and " " not in physical["artifactLocation"]["uri"]
        assert physical["region"] == {"startLine": finding.location["line"], "startColumn": 3}
        assert entry["properties"]["location"] == finding.location


@pytest.mark.parametrize("path, uri, base", [
    ("policies/tags.yaml", "policies/tags.yaml", "%SRCROOT%"),
    ("./a b/c%d.yaml", "a%20b/c%25d.yaml", "%SRCROOT%"),
    ("a:b/c.yaml", "a%3Ab/c.yaml", "%SRCROOT%"),  # not read as a URI scheme
    ("/srv/policies/x y.yaml", "file:///srv/policies/x%20y.yaml", None),
    ("C:\\policies\\x.yaml", "file:///C:/policies/x.yaml", None),
    ("\\\\server\\share\\x.yaml", "file://server/share/x.yaml", None),
    ("modules\\main.tf", "modules/main.tf", "%SRCROOT%"),
])
def test_artifact_uris(path, uri, base):
    assert artifact_uri(path) == (uri, base)


def test_exempted_and_baselined_findings_are_suppressed_externally():
    result = with_statuses(example_result())
    for finding, entry in zip(result.findings, run_of(result)["results"]):
        assert entry["properties"]["status"] == finding.status
        if finding.status == "open":
            assert "suppressions" not in entry and "baselineState" not in entry
        else:
            (suppression,) = entry["suppressions"]
            assert suppression["kind"] == "external" and suppression["status"] == "accepted"
            assert suppression["justification"]
            assert entry.get("baselineState") == ("unchanged" if finding.status == "baselined" else None)


def test_evaluation_errors_are_error_notifications_at_the_policy_line(tmp_path):
    result = error_result(tmp_path)
    run = run_of(result)
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error" and notification["descriptor"] == {"id": "E501"}
    rules = run["tool"]["driver"]["rules"]
    assert rules[notification["associatedRule"]["index"]]["id"] == notification["associatedRule"]["id"] == "fn"
    assert notification["locations"][0]["physicalLocation"]["region"] == {"startLine": 8, "startColumn": 12}
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (tmp_path / "fn.yaml").as_uri()
    assert "keys()" in notification["message"]["text"] and notification["properties"]["resource"] == "i-1"
    skipped = {n["properties"]["policy"] for n in invocation["toolConfigurationNotifications"]}
    assert skipped == {policy for policy, _ in result.skipped} and "allocation-tag-coverage" in skipped


def test_hostile_values_stay_data():
    result = hostile_result()
    run = run_of(result)
    assert len(run["results"]) == len(result.findings)
    for finding, entry in zip(result.findings, run["results"]):
        text = unescape(entry["message"]["text"])
        assert text.endswith(": " + finding.message)  # every character kept, JSON does the escaping
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", entry["message"]["text"])  # no embedded link left unescaped
        assert entry["properties"]["owner"] == finding.owner
    # the finding of a policy the result does not list gets a rule of its own, and no physical location
    api_made = run["results"][-1]
    assert run["tool"]["driver"]["rules"][api_made["ruleIndex"]]["id"] == "api-made-<b>policy</b>"
    assert "physicalLocation" not in api_made["locations"][0]
    assert {unescape(n["message"]["text"]) for n in run["invocations"][0]["toolExecutionNotifications"]} == {HOSTILE[6], HOSTILE[3]}

