"""JUnit XML as GitLab and Jenkins read it: testsuites/testsuite/testcase, failure/error/skipped with
message and type, and tests/failures/errors/skipped counts that add up. Read back with junitparser
(an independent reader) and with ElementTree."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from engine import api
from engine.outputs import FORMATS
from engine.outputs.escaping import xml_text
from tests.output_cases import AS_OF, HOSTILE, error_result, example_result, hostile_result, realdata_result, with_statuses

KINDS = ("failure", "error", "skipped")
COUNT_OF = {"tests": "tests", "failure": "failures", "error": "errors", "skipped": "skipped"}  # the attribute of each count


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    check_counts(root)
    return root


def check_counts(root: ET.Element) -> None:
    """Every suite's counts are its cases'; the root's are the suites' sums; a case has at most one outcome."""
    totals = dict.fromkeys(("tests", *KINDS), 0)
    for suite in root:
        assert suite.tag == "testsuite" and suite.get("name")
        cases = suite.findall("testcase")
        outcomes = [[child.tag for child in case if child.tag in KINDS] for case in cases]
        assert all(len(found) <= 1 for found in outcomes)
        counted = {"tests": len(cases), **{kind: sum(kind in found for found in outcomes) for kind in KINDS}}
        assert {name: int(suite.get(COUNT_OF[name])) for name in counted} == counted
        for name in counted:
            totals[name] += counted[name]
        for case in cases:
            assert case.get("name") and case.get("classname")
            for child in case:
                if child.tag in ("failure", "error"):
                    assert child.get("message") is not None and child.get("type")
                if child.tag == "skipped":
                    assert child.get("message")
    assert {name: int(root.get(COUNT_OF[name])) for name in totals} == totals


def test_the_example_run_has_a_suite_per_policy_and_fails_exactly_the_failing_findings():
    result = example_result()
    text = api.render(result, "junit")
    root = parse(text)
    suites = {suite.get("name"): suite for suite in root}
    skipped = suites.pop("not evaluated", None)  # the policies whose input the run was not given (the change policies: no plan)
    assert sorted(suites) == sorted(policy.id for policy in result.policies)
    assert sorted(case.get("classname") for case in (skipped if skipped is not None else ())) == sorted(p for p, _ in result.skipped)
    assert all(case.find("skipped") is not None for case in (skipped if skipped is not None else ()))
    assert int(root.get("failures")) == len(result.failing()) == 10 and int(root.get("errors")) == 0
    by_policy: dict[str, list] = {}
    for finding in result.findings:
        by_policy.setdefault(finding.policy, []).append(finding)
    for policy in result.policies:
        cases = suites[policy.id].findall("testcase")
        findings = by_policy.get(policy.id, [])
        if not findings:  # a policy that found nothing: one passing case
            assert [(c.get("name"), list(c)) for c in cases] == [("no findings", [])]
            continue
        assert len(cases) == len(findings)
        for case, finding in zip(cases, findings):
            (outcome,) = list(case)
            if finding in result.failing():
                assert (outcome.tag, outcome.get("type"), outcome.get("message")) == ("failure", finding.severity, finding.message)
                assert f"fingerprint: {finding.fingerprint}" in outcome.text
            else:  # the example's audit policies: listed, not failing
                assert finding.enforcement == "audit"
                assert outcome.tag == "skipped" and outcome.get("message").startswith("audit policy")
    # junitparser, as CI plugins read it, counts the same
    xml = JUnitXml.fromstring(text)
    cases = [case for suite in xml for case in suite]
    assert sum(isinstance(r, Failure) for case in cases for r in case.result) == 10
    assert sum(isinstance(r, Skipped) for case in cases for r in case.result) == sum(f.enforcement == "audit" for f in result.findings) + len(result.skipped)
    assert len(cases) == int(root.get("tests"))


def test_fail_on_moves_the_findings_below_it_to_skipped():
    result = example_result()
    root = parse(FORMATS["junit"](result, version="1", fail_on="high"))
    assert int(root.get("failures")) == len(result.failing("high")) == 8
    below = [s for s in root.iter("skipped") if s.get("message").startswith("below --fail-on high")]
    assert len(below) == len(result.failing()) - len(result.failing("high"))


def test_exempted_and_baselined_findings_are_skipped_with_their_status():
    result = with_statuses(example_result())
    root = parse(api.render(result, "junit"))
    messages = [s.get("message") for s in root.iter("skipped")]
    for status in ("exempted", "baselined"):
        assert sum(m.startswith(f"{status}: ") for m in messages) == sum(f.status == status for f in result.findings)
    assert int(root.get("failures")) == len(result.failing())


def test_cases_are_findings_not_resources(tmp_path):
    """5,000 compliant resources are one passing case per policy, not 5,000 cases."""
    resources = [{"id": f"i-{n}", "type": "AWS::EC2::Instance", "provider": "aws", "account": "1", "region": "r",
                  "tags": {"team": "a", "cost-center": "CC-1234", "environment": "prod"}} for n in range(5000)]
    (tmp_path / "inventory.json").write_text(json.dumps({"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": resources}))
    library = api.load_policies(["builtin"]).select(labels=("tagging",))
    result = api.evaluate(library, api.load_inventory([str(tmp_path / "inventory.json")]).resources, as_of=AS_OF)
    root = parse(api.render(result, "junit"))
    assert result.resources_evaluated == 5000
    assert int(root.get("tests")) == len(result.findings) + len(result.policies) + len(result.skipped) - len({f.policy for f in result.findings})
    assert int(root.get("tests")) < 20


def test_evaluation_errors_are_error_cases_and_skipped_policies_are_listed(tmp_path):
    result = error_result(tmp_path)
    root = parse(api.render(result, "junit"))
    (error,) = root.iter("error")
    assert error.get("type") == "E501" and "keys()" in error.get("message")
    assert error.text == result.errors[0].format()
    (suite,) = [s for s in root if s.get("name") == "fn"]
    (case,) = suite.findall("testcase")
    assert (case.get("file"), case.get("line")) == (str(tmp_path / "fn.yaml"), "8")
    (not_evaluated,) = [s for s in root if s.get("name") == "not evaluated"]
    assert [c.get("classname") for c in not_evaluated] == [policy for policy, _ in result.skipped]
    xml = JUnitXml.fromstring(api.render(result, "junit"))
    assert sum(isinstance(r, Error) for suite in xml for case in suite for r in case.result) == 1


def test_realdata_run_reads_back():
    result = realdata_result()
    root = parse(api.render(result, "junit"))
    assert int(root.get("tests")) >= len(result.findings) and int(root.get("failures")) == len(result.failing())


@pytest.mark.parametrize("fail_on", ["info", "critical"])
def test_hostile_values_are_well_formed_xml_and_read_back_as_they_were(fail_on):
    result = hostile_result()
    text = FORMATS["junit"](result, version="1", fail_on=fail_on)
    root = parse(text)
    JUnitXml.fromstring(text)
    cases = [case for suite in root for case in suite.findall("testcase") if suite.get("name") != "not evaluated"]
    by_message = {}
    for case in cases:
        for child in case:
            if child.tag in ("failure", "skipped"):
                by_message[case] = child.get("message")
    for finding in result.findings:
        expected = xml_text(finding.message)  # the characters XML cannot carry shown escaped, the rest as it was
        assert any(message is not None and message.endswith(expected) for message in by_message.values()), finding.message
    assert "\x1b" not in text and "\x00" not in text
    assert xml_text("\x1b[31m\x00\ud800\ufffe ok <&>") == "\\x1b[31m\\x00\\ud800\\ufffe ok <&>"
    assert {suite.get("name") for suite in root} >= {"api-made-<b>policy</b>", "required-allocation-tags"}
    (skipped_suite,) = [s for s in root if s.get("name") == "not evaluated"]
    assert [c.get("classname") for c in skipped_suite] == [HOSTILE[0]]
