"""JUnit XML (GitLab merge request test reports, Jenkins ``junit``, Azure DevOps): a suite per policy.

* one ``<testsuite>`` per evaluated policy (by id), with the policy's severity, enforcement, type
  and file as ``<properties>``;
* one ``<testcase>`` per finding, named by its resource or scope, ``classname`` = the policy id:
  a ``<failure>`` (``type`` = severity) when the finding fails the run at ``fail_on`` — open, of an
  enforced policy, at or above the floor —, a ``<skipped>`` with the reason otherwise (exempted,
  baselined, an audit policy, below ``fail_on``): the report is red exactly when the exit code is 1,
  and the findings that do not fail the run stay listed (a passing case would hide them);
* one passing ``<testcase name="no findings">`` for a policy without findings — the cases are
  findings, not resources: 100k compliant resources make one case;
* one ``<testcase>`` with an ``<error>`` (``type`` = the E-code) per evaluation error;
* with a priced plan (change policies), a suite ``cost of the change`` without cases: a property per
  row of the change's table (owner: added, removed, net per month, unpriced, budget before → after);
* a suite with a ``<skipped>`` case per policy that was not evaluated (its input was not given);
* with exemptions, a suite ``exemptions``: a case per exemption, passing when it is active, else
  ``<skipped>`` with what its state means (expired, expiring, unused, unchecked);
* with a baseline, a suite ``baseline`` with its counts as properties and a passing case per fixed
  entry (``fixed: POLICY on SUBJECT``).

Counts (``tests``, ``failures``, ``errors``, ``skipped``) are on every suite and on ``<testsuites>``.
No ``time``: the run does not time policies, and the output is the same for the same inputs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import orjson

from engine.findings import EvaluationError, Finding, Result
from engine.outputs import change_table
from engine.outputs.escaping import xml_text
from engine.outputs.labels import check_fail_on, dollars, subject
from engine.outputs.periods import period_words
from engine.outputs.locations import finding_location
from engine.outputs.statuses import baseline_summary, entry_subject, exemption_backing, exemption_note, status_label


def render(result: Result, *, version: str, color: bool = False, shorten: bool = True, fail_on: str = "info") -> str:
    check_fail_on(fail_on)
    failing = {id(finding) for finding in result.failing(fail_on)}
    policies = {policy.id: policy for policy in result.policies}
    by_policy: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_policy.setdefault(finding.policy, []).append(finding)
    errors: dict[str, list[EvaluationError]] = {}
    for error in result.errors:
        errors.setdefault(error.policy, []).append(error)

    root = ET.Element("testsuites", {"name": "costwarden"})
    for policy_id in sorted(set(policies) | set(by_policy) | set(errors)):
        policy = policies.get(policy_id)
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(policy_id)})
        properties = ET.SubElement(suite, "properties")
        if policy is not None:
            described = [("title", policy.title), ("severity", policy.severity), ("enforcement", policy.enforcement),
                         ("type", policy.type), ("file", policy.file), ("line", policy.line)]
        else:
            first = by_policy[policy_id][0] if policy_id in by_policy else None
            described = [("title", first.title), ("severity", first.severity), ("enforcement", first.enforcement)] if first else []
        for name, value in [*described, ("as_of", result.as_of), ("period", period_words(result))]:
            if value is not None and value != "":
                ET.SubElement(properties, "property", {"name": name, "value": xml_text(value)})
        for finding in by_policy.get(policy_id, ()):
            case = _case(suite, policy_id, subject(finding), finding_location(finding, policies))
            details = _details(finding, result)
            if id(finding) in failing:
                ET.SubElement(case, "failure", {"message": xml_text(finding.message), "type": finding.severity}).text = details
            else:
                reason = _not_failing(finding, fail_on)
                ET.SubElement(case, "skipped", {"message": xml_text(f"{reason}: {finding.message}")}).text = details
        for error in errors.get(policy_id, ()):
            case = _case(suite, policy_id, f"evaluation error {error.code}" + (f" on {error.resource}" if error.resource else ""),
                         {"file": error.file, "line": error.line} if error.file else None)
            ET.SubElement(case, "error", {"message": xml_text(error.message), "type": error.code}).text = xml_text(error.format())
        if policy_id not in by_policy and policy_id not in errors:
            _case(suite, policy_id, "no findings", None)
        _count(suite)
    if result.change:  # the cost of the change: a row of the table per property, no test cases
        suite = ET.SubElement(root, "testsuite", {"name": "cost of the change"})
        properties = ET.SubElement(suite, "properties")
        for row in change_table.rows(result):
            value = "; ".join(f"{name} {cell}" for name, cell in zip(change_table.HEADER[1:], row[1:]) if cell)
            ET.SubElement(properties, "property", {"name": xml_text(row[0]), "value": xml_text(value)})
        _count(suite)
    if result.skipped:
        suite = ET.SubElement(root, "testsuite", {"name": "not evaluated"})
        for policy_id, reason in result.skipped:
            case = _case(suite, policy_id, "not evaluated", None)
            ET.SubElement(case, "skipped", {"message": xml_text(reason)})
        _count(suite)
    if result.exemptions:
        suite = ET.SubElement(root, "testsuite", {"name": "exemptions"})
        for report in result.exemptions:
            where = {"file": report.file, "line": report.line} if report.file else None
            case = _case(suite, "exemptions", report.id, where)
            backing = exemption_backing(report)
            text = xml_text(f"{report.state}: {exemption_note(report)}\nreason: {report.reason}" + (f"\n{backing}" if backing else ""))
            if report.state == "active":
                ET.SubElement(case, "system-out").text = text
            else:
                ET.SubElement(case, "skipped", {"message": xml_text(f"exemption {report.state}: {exemption_note(report)}")}).text = text
        _count(suite)
    if result.baseline is not None:
        report = result.baseline
        suite = ET.SubElement(root, "testsuite", {"name": "baseline"})
        properties = ET.SubElement(suite, "properties")
        for name, value in (("file", report.file), ("fingerprint_version", report.fingerprint_version), ("entries", report.entries),
                            ("baselined", report.baselined), ("new", report.new), ("fixed", len(report.fixed)),
                            ("unchecked", report.unchecked)):
            ET.SubElement(properties, "property", {"name": name, "value": xml_text(value)})
        for entry in report.fixed:
            case = _case(suite, entry["policy"], f"fixed: {entry['policy']} on {entry_subject(entry)}", None)
            ET.SubElement(case, "system-out").text = xml_text(f"{entry['message']}\nfingerprint: {entry['fingerprint']}")
        if not report.fixed:
            _case(suite, "baseline", xml_text(baseline_summary(result)), None)
        _count(suite)
    _count(root, suites=True)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case(suite: ET.Element, classname: str, name: str, where: dict | None) -> ET.Element:
    attributes = {"name": xml_text(name), "classname": xml_text(classname)}
    if where is not None:
        attributes["file"] = xml_text(where["file"])
        if where.get("line"):
            attributes["line"] = str(where["line"])
    return ET.SubElement(suite, "testcase", attributes)


def _not_failing(finding: Finding, fail_on: str) -> str:
    if finding.status == "exempted" and finding.exemption:
        exemption = finding.exemption
        return f"{status_label(finding)} ({exemption.get('reason')}; until {exemption.get('expires')})"
    if finding.status != "open":
        return finding.status  # exempted, baselined
    if finding.enforcement != "enforce":
        return "audit policy (reported, never fails the run)"
    return f"below --fail-on {fail_on}"


def _details(finding: Finding, result: Result) -> str:
    team = result.teams.get(finding.owner)
    owner = f"{finding.owner} ({team.name})" if team is not None and team.name != finding.owner else finding.owner
    lines = [
        f"policy: {finding.policy} ({finding.title})" if finding.title else f"policy: {finding.policy}",
        f"severity: {finding.severity}, enforcement: {finding.enforcement}, status: {status_label(finding)}",
        f"subject: {subject(finding)}",
        f"owner: {owner} (from {finding.owner_source})",
    ]
    money = dollars(finding)
    if money:
        lines.append(f"dollars: {money}")
    if finding.location:
        lines.append("location: " + ":".join(str(finding.location[k]) for k in ("file", "line", "column") if finding.location.get(k)))
    lines.append(f"fingerprint: {finding.fingerprint}")
    lines.append("evidence: " + orjson.dumps(finding.evidence, default=str).decode("utf-8"))
    return xml_text("\n".join(lines))


def _count(element: ET.Element, suites: bool = False) -> None:
    """tests, failures, errors and skipped of a suite (or, summed, of all suites)."""
    if suites:
        totals = [sum(int(suite.get(name)) for suite in element) for name in ("tests", "failures", "errors", "skipped")]
    else:
        cases = element.findall("testcase")
        totals = [len(cases)] + [sum(1 for case in cases if case.find(kind) is not None) for kind in ("failure", "error", "skipped")]
    for name, total in zip(("tests", "failures", "errors", "skipped"), totals):
        element.set(name, str(total))
