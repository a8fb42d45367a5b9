"""SARIF 2.1.0 (GitHub code scanning, Azure DevOps, IDE viewers): one run, a rule per policy, a result per finding.

Rules come from the evaluated policies (id, title, description, remediation, labels) with the
default level of their severity (:data:`engine.outputs.levels.LEVELS`) and GitHub's numeric
``security-severity``. Each result carries the finding's fingerprint as a partial fingerprint, a
physical location (the finding's own, else its policy's YAML: :mod:`engine.outputs.locations`), a
logical location (the resource or the scope), and the owner, money and evidence as properties.
Exempted and baselined findings are reported with an external, accepted suppression (an exempted
one's justification names its exemption, and its location is the exemption's document; baselined
ones also with ``baselineState: unchanged``), so viewers list them as suppressed. With a baseline,
every result has a ``baselineState`` (``new`` or ``unchanged``) and the baseline's counts and fixed
entries are run properties. Exemptions that are expired, expiring, unused or unchecked are tool
configuration notifications; every exemption's state is a run property. Evaluation errors are tool
execution notifications, and make ``executionSuccessful`` false. A priced plan (change policies)
is the run property ``change``, as the findings JSON has it.
"""

from __future__ import annotations

import orjson

from engine.findings import Finding, Result
from engine.outputs.escaping import markdown_text, sarif_text
from engine.outputs.labels import subject
from engine.outputs.levels import LEVELS
from engine.outputs.locations import SOURCE_ROOT, artifact_uri, finding_location
from engine.outputs.periods import period_words
from engine.outputs.statuses import NOT_ACTIVE, exemption_backing, exemption_note

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "costwarden/v1"  # partialFingerprints key: our fingerprint (policy + resource or scope + period)
_SUPPRESSED = {
    "exempted": "an exemption applies to this finding",
    "baselined": "the finding is in the baseline",
}


def render(result: Result, *, version: str, color: bool = False, shorten: bool = True) -> str:
    return render_bytes(result, version=version).decode("utf-8")


def render_bytes(result: Result, *, version: str) -> bytes:
    return orjson.dumps(sarif_log(result, version=version), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
                        default=str)


def sarif_log(result: Result, *, version: str) -> dict:
    """The SARIF log as plain data."""
    policies = {policy.id: policy for policy in result.policies}
    rules = [_rule(policy) for policy in sorted(result.policies, key=lambda p: p.id)]
    for finding in result.findings:  # findings of a policy the result does not list (made through the API)
        if finding.policy not in policies:
            policies[finding.policy] = None
            rules.append(_rule_of_finding(finding))
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    uses_source_root = False

    def location(where: dict | None, logical: list | None = None) -> dict:
        nonlocal uses_source_root
        out: dict = {}
        if where is not None:
            uri, base = artifact_uri(where["file"])
            artifact = {"uri": uri, "uriBaseId": base} if base else {"uri": uri}
            uses_source_root = uses_source_root or base is not None
            physical: dict = {"artifactLocation": artifact}
            if where.get("line"):
                region = {"startLine": where["line"]}
                if where.get("column"):
                    region["startColumn"] = where["column"]
                physical["region"] = region
            out["physicalLocation"] = physical
        if logical:
            out["logicalLocations"] = logical
        return out

    baseline = result.baseline
    exemptions = {report.id: report for report in result.exemptions}
    results = []
    for finding in result.findings:
        level = LEVELS[finding.severity].sarif
        fingerprint = finding.fingerprint
        entry: dict = {
            "ruleId": finding.policy,
            "ruleIndex": index[finding.policy],
            "level": level,
            "message": {"text": sarif_text(f"{subject(finding)}: {finding.message}")},
            "locations": [location(finding_location(finding, policies), [_logical_location(finding)])],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        if finding.status in _SUPPRESSED:
            entry["suppressions"] = [_suppression(finding, exemptions, location)]
        if baseline is not None:
            known = finding.status == "baselined" or (finding.status == "exempted" and fingerprint in baseline.fingerprints)
            entry["baselineState"] = "unchanged" if known else "new"
        elif finding.status == "baselined":
            entry["baselineState"] = "unchanged"
        entry["properties"] = _result_properties(finding, fingerprint, result)
        results.append(entry)

    notifications = []
    for error in result.errors:
        notification: dict = {
            "level": "error",
            "message": {"text": sarif_text(f"{error.message} (resource {error.resource})" if error.resource else error.message)},
            "descriptor": {"id": error.code},
        }
        if error.policy in index:
            notification["associatedRule"] = {"id": error.policy, "index": index[error.policy]}
        if error.file:
            notification["locations"] = [location({"file": error.file, "line": error.line, "column": error.column})]
        notification["properties"] = {"policy": error.policy, "resource": error.resource, "path": error.path}
        notifications.append(notification)
    for warning in result.warnings:
        notifications.append({"level": "warning", "message": {"text": sarif_text(warning)}})
    configuration = [
        {"level": "note", "message": {"text": sarif_text(f"policy {policy} was not evaluated: {reason}")},
         "descriptor": {"id": "skipped"}, "properties": {"policy": policy, "reason": reason}}
        for policy, reason in result.skipped
    ]
    for state in NOT_ACTIVE:  # the exemptions worth a look, each at its document
        for report in result.exemptions:
            if report.state != state:
                continue
            notification = {"level": _EXEMPTION_LEVELS[state],
                            "message": {"text": sarif_text(f"exemption {report.id} {state}: {exemption_note(report)}")},
                            "descriptor": {"id": f"exemption-{state}"}}
            if report.file:
                notification["locations"] = [location({"file": report.file, "line": report.line})]
            notification["properties"] = report.to_dict()
            configuration.append(notification)
    invocation: dict = {"executionSuccessful": not result.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    if configuration:
        invocation["toolConfigurationNotifications"] = configuration

    run: dict = {
        "tool": {"driver": {"name": "costwarden", "version": version, "rules": rules}},
        "invocations": [invocation],
    }
    if uses_source_root:
        run["originalUriBaseIds"] = {SOURCE_ROOT: {"description": {"text": "the directory costwarden was run in"}}}
    run["results"] = results
    run["columnKind"] = "unicodeCodePoints"
    run["properties"] = {"as_of": result.as_of, "resources_evaluated": result.resources_evaluated,
                         "cost_rows_evaluated": result.cost_rows_evaluated}
    if result.period:
        run["properties"]["period"] = {**result.period, "description": period_words(result)}
    if result.not_judged:
        run["properties"]["not_judged"] = len(result.not_judged)
    if result.exemptions:
        run["properties"]["exemptions"] = [report.to_dict() for report in result.exemptions]
    if baseline is not None:
        run["properties"]["baseline"] = baseline.to_dict()
    if result.change:  # the priced plan, as the findings JSON has it (docs/change-cost.md)
        run["properties"]["change"] = result.change
    return {"version": "2.1.0", "$schema": SCHEMA_URI, "runs": [run]}


_EXEMPTION_LEVELS = {"expired": "warning", "expiring": "warning", "unused": "note", "unchecked": "note"}


def _suppression(finding: Finding, exemptions: dict, location) -> dict:
    """An accepted external suppression; for an exempted finding, its exemption's reason and document."""
    suppression: dict = {"kind": "external", "status": "accepted", "justification": _SUPPRESSED[finding.status]}
    exemption = finding.exemption if finding.status == "exempted" else None
    if exemption:
        report = exemptions.get(exemption.get("id"))
        backing = exemption_backing(report) if report is not None else ""
        suppression["justification"] = sarif_text(
            f"exemption {exemption.get('id')}: {exemption.get('reason')} (until {exemption.get('expires')}"
            + (f"; {backing}" if backing else "") + ")")
        if report is not None and report.file:
            suppression["location"] = location({"file": report.file, "line": report.line})
        suppression["properties"] = {"exemption": exemption}
    return suppression


def _rule(policy) -> dict:
    level = LEVELS[policy.severity]
    title = policy.title.strip() or policy.id
    description = policy.description.strip()
    remediation = policy.remediation.strip()
    # the policy's own text is Markdown its authors wrote (a reviewed policy document, not snapshot data)
    help_markdown = "\n\n".join(
        part for part in (
            f"**Remediation:** {remediation}" if remediation else "",
            description,
            f"Severity {markdown_text(policy.severity)}, enforcement {markdown_text(policy.enforcement)}, "
            f"policy type {markdown_text(policy.type)}\\.",
        ) if part
    )
    return {
        "id": policy.id,
        "name": _rule_name(policy.id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": description or title},
        "help": {"text": remediation or description or title, "markdown": help_markdown},
        "defaultConfiguration": {"level": level.sarif},
        "properties": {
            "tags": list(policy.labels),
            "security-severity": level.security_severity,
            "severity": policy.severity,
            "enforcement": policy.enforcement,
            "type": policy.type,
        },
    }


def _rule_of_finding(finding: Finding) -> dict:
    """A rule from what a finding knows of its policy (its id, title and severity)."""
    level = LEVELS[finding.severity]
    title = finding.title or finding.policy
    return {
        "id": finding.policy,
        "name": _rule_name(finding.policy),
        "shortDescription": {"text": title},
        "defaultConfiguration": {"level": level.sarif},
        "properties": {"tags": [], "security-severity": level.security_severity, "severity": finding.severity,
                       "enforcement": finding.enforcement},
    }


def _rule_name(policy_id: str) -> str:
    """``required-allocation-tags`` -> ``RequiredAllocationTags`` (SARIF: a name is an identifier, ids a key)."""
    return "".join(part[:1].upper() + part[1:] for part in policy_id.replace("_", "-").split("-") if part) or policy_id


def _logical_location(finding: Finding) -> dict:
    """The resource (its id) or the cost scope the finding is about."""
    if finding.resource is not None:
        return {"name": str(finding.resource.get("id")), "kind": "resource"}
    return {"name": subject(finding)}  # a cost scope: none of SARIF's kinds fits


def _result_properties(finding: Finding, fingerprint: str, result: Result) -> dict:
    team = result.teams.get(finding.owner)
    properties = {
        "fingerprint": fingerprint,
        "title": finding.title,
        "severity": finding.severity,
        "enforcement": finding.enforcement,
        "status": finding.status,
        "owner": finding.owner,
        "owner_name": team.name if team is not None else finding.owner,
        "owner_source": finding.owner_source,
        "resource": finding.resource,
        "scope": finding.scope,
        "money": {name: money for name, money in finding.money_dict().items() if money is not None},
        "evidence": finding.evidence,
    }
    if finding.location is not None:
        properties["location"] = finding.location
    if finding.exemption is not None:
        properties["exemption"] = finding.exemption
    return properties
