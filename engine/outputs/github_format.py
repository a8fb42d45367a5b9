"""GitHub Actions workflow commands: an annotation per open finding, then a summary annotation.

``::error file=policies/tags.yaml,line=2,title=required-allocation-tags (high)::i-123 (web): ...``

* the level follows the severity (:data:`engine.outputs.levels.LEVELS`: critical and high
  ``error``, medium and low ``warning``, info ``notice``);
* ``file``/``line``/``col`` come from the finding's location, else its policy's YAML
  (:mod:`engine.outputs.locations`); a finding with neither has no ``file`` (nor ``line``, ``col``);
* data and properties are escaped as GitHub's toolkit escapes them
  (:func:`engine.outputs.escaping.workflow_data`, :func:`~engine.outputs.escaping.workflow_property`),
  so a value from a snapshot can neither end the command nor start another one;
* exempted and baselined findings are not annotated (there is nothing to do about them): the
  summary counts them, and gives the exemptions' states and the baseline's counts (fixed included);
* GitHub shows at most 10 annotations of each level per step, so at most ``per_level`` (10) are
  printed per level, the most severe first (failing findings before audit ones, then in the
  result's order); the summary says how many were left out. The full list is in the other formats.
* with a priced plan (change policies) the summary ends with the net monthly cost of the change per
  owner and for the whole change.
"""

from __future__ import annotations

from engine.findings import Finding, Result
from engine.outputs import change_table
from engine.outputs.escaping import workflow_data, workflow_property
from engine.outputs.labels import check_fail_on, dollars, subject, verdict
from engine.outputs.levels import LEVELS
from engine.outputs.locations import finding_location
from engine.outputs.periods import period_words
from engine.outputs.statuses import baseline_summary, exemption_counts
from engine.severity import SEVERITY_RANK

PER_LEVEL = 10  # annotations GitHub shows per level and step


def render(result: Result, *, version: str, color: bool = False, shorten: bool = True, fail_on: str = "info",
           per_level: int = PER_LEVEL) -> str:
    check_fail_on(fail_on)
    policies = {policy.id: policy for policy in result.policies}
    failing = {id(finding) for finding in result.failing(fail_on)}
    annotated = [finding for finding in result.findings if finding.status == "open"]
    order = sorted(range(len(annotated)),
                   key=lambda i: (-SEVERITY_RANK[annotated[i].severity], id(annotated[i]) not in failing, i))
    shown: dict[str, int] = {}
    left_out: dict[str, int] = {}
    lines = []
    for i in order:
        finding = annotated[i]
        level = LEVELS[finding.severity].github
        # the summary is a notice too: one notice fewer for findings
        room = per_level - 1 if level == "notice" else per_level
        if shown.get(level, 0) >= room:
            left_out[level] = left_out.get(level, 0) + 1
            continue
        shown[level] = shown.get(level, 0) + 1
        lines.append(_command(level, _properties(finding, policies), _message(finding, result)))
    lines.append(_command("notice", {"title": f"costwarden {version}"}, _summary(result, fail_on, left_out)))
    return "\n".join(lines) + "\n"


def _command(level: str, properties: dict, message: str) -> str:
    given = ",".join(f"{name}={workflow_property(value)}" for name, value in properties.items())
    return f"::{level}{' ' + given if given else ''}::{workflow_data(message)}"


def _properties(finding: Finding, policies: dict) -> dict:
    properties: dict = {}
    where = finding_location(finding, policies)
    if where is not None:
        properties["file"] = where["file"]
        if where.get("line"):
            properties["line"] = where["line"]
            if where.get("column"):
                properties["col"] = where["column"]
    audit = "" if finding.enforcement == "enforce" else ", audit"
    properties["title"] = f"{finding.policy} ({finding.severity}{audit})"
    return properties


def _message(finding: Finding, result: Result) -> str:
    team = result.teams.get(finding.owner)
    owner = f"{finding.owner} ({team.name})" if team is not None and team.name != finding.owner else finding.owner
    lines = [f"{subject(finding)}: {finding.message}", f"owner: {owner} (from {finding.owner_source})"]
    money = dollars(finding)
    if money:
        lines.append(money)
    return "\n".join(lines)


def _summary(result: Result, fail_on: str, left_out: dict[str, int]) -> str:
    statuses: dict[str, int] = {}
    for finding in result.findings:
        statuses[finding.status] = statuses.get(finding.status, 0) + 1
    counted = ", ".join(f"{statuses[s]} {s}" for s in ("open", "exempted", "baselined") if statuses.get(s))
    text = f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}" + (f" ({counted})" if counted else "")
    word, reason = verdict(result, fail_on)
    text += f" from {len(result.policies)} policies"
    if result.period:
        text += f", period {period_words(result)}"
    text += f"; {word}: {reason}"
    for part in (exemption_counts(result), baseline_summary(result)):
        if part:
            text += f"; {part}"
    change = change_table.line(result)
    if change:
        text += f"; cost of the change per month: {change}"
    if left_out:
        parts = ", ".join(f"{left_out[level]} {level}" for level in ("error", "warning", "notice") if left_out.get(level))
        text += f"; annotations not shown: {parts} (GitHub shows 10 per level and step; the full list is in the other outputs)"
    return text
