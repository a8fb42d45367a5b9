"""A findings document (what ``check --format json`` writes) read back into a :class:`~engine.findings.Result`.

``costwarden report --findings FILE`` builds its pages from such a file instead of evaluating, and
``--previous FILE`` / ``--history FILE`` read earlier runs the same way. The result holds what the
document holds: the findings (with their money as exact ``Decimal``), errors, warnings, skipped
policies, exemption reports, the baseline report, the period, and per owner and per policy what the
summary says (a team's name and contacts; a policy's title, type, severity, enforcement and labels).
Rendered again as JSON it is the document it was read from (a test holds the two byte-identical).

Problems: ``E401`` unreadable, ``E105`` too large, ``E474`` not JSON (line and column), ``E2xx``
not what ``schemas/findings.schema.json`` says (line, column and pointer), ``E475`` a newer
``schema_version`` or ``fingerprint_version`` than this costwarden's.

The document is checked as plain Python first (:func:`plainly_valid`, the parts the reader uses):
jsonschema takes seconds over 100,000 findings. When that check fails, the schema says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import orjson

from engine.documents import schemas
from engine.documents.json_positions import located
from engine.errors import InputError, Problem
from engine.files import read_bounded
from engine.findings import (FINDINGS_SCHEMA_VERSION, FINGERPRINT_VERSION, MONEY, READABLE_SCHEMA_VERSIONS, STATUSES, BaselineReport,
                             EvaluationError, ExemptionReport, Finding, Money, Result, newer_schema_version)
from engine.ownership import Team
from engine.severity import SEVERITY_RANK

SCHEMA = "findings.schema.json"
MAX_BYTES = 1024 * 1024 * 1024
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")
_ENFORCEMENTS = frozenset({"audit", "enforce"})
_HINT = "a findings document is what costwarden check --format json writes"


@dataclass(frozen=True)
class PolicyRecord:
    """A policy as a findings document's summary describes it (``summary.by_policy``)."""

    id: str
    title: str
    type: str
    severity: str
    enforcement: str
    labels: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "type": self.type, "severity": self.severity,
                "enforcement": self.enforcement, "labels": list(self.labels)}


def read_findings(path: str) -> Result:
    """The findings document at ``path`` as a Result. Raises InputError."""
    data = _read(path)
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise InputError([Problem("E474", f"not a findings document: not valid JSON ({error.msg})", path,
                                  getattr(error, "lineno", None), getattr(error, "colno", None), hint=_HINT)]) from None
    if document.__class__ is dict and newer_schema_version(document.get("schema_version")):
        raise InputError([located(path, data, document).problem(
            "E475", f"findings of schema version {document['schema_version']}, newer than this costwarden's ({FINDINGS_SCHEMA_VERSION})",
            "/schema_version", "upgrade costwarden")])
    if not plainly_valid(document):
        problems = schemas.validate(located(path, data, document), document, SCHEMA, [])
        raise InputError(problems or [Problem("E474", "not a findings document costwarden can read", path, hint=_HINT)])
    if int(document.get("fingerprint_version") or FINGERPRINT_VERSION) > int(FINGERPRINT_VERSION):
        raise InputError([Problem("E475", f"the findings' fingerprints are of recipe {document['fingerprint_version']}, newer "
                                  f"than this costwarden's ({FINGERPRINT_VERSION})", path, hint="upgrade costwarden")])
    return result_of(document)


def _read(path: str) -> bytes:
    return read_bounded(path, MAX_BYTES, "findings document", missing_hint="write one with: costwarden check --format json --output FILE")


def result_of(document: dict) -> Result:
    """A findings document (valid, as :func:`plainly_valid` says) as a Result."""
    summary = document["summary"]
    teams = {entry["owner"]: Team(entry["owner"], entry["name"], contacts=tuple(entry["contacts"]))
             for entry in summary["by_owner"]}
    policies = tuple(PolicyRecord(p["id"], p["title"], p["type"], p["severity"], p["enforcement"], tuple(p["labels"]))
                     for p in summary["by_policy"])
    baseline = document.get("baseline")
    return Result(
        findings=tuple(_finding(item) for item in document["findings"]),
        errors=tuple(EvaluationError(**{key: error[key] for key in _ERROR_FIELDS}) for error in document["errors"]),
        policies=policies,
        as_of=document["as_of"],
        resources_evaluated=summary["resources_evaluated"],
        warnings=tuple(document["warnings"]),
        teams=teams,
        cost_rows_evaluated=summary["cost_rows_evaluated"],
        skipped=tuple((item["policy"], item["reason"]) for item in summary["policies_skipped"]),
        exemptions=tuple(ExemptionReport(**{key: report[key] for key in _EXEMPTION_KEYS}) for report in document.get("exemptions") or ()),
        baseline=BaselineReport(**{**{key: baseline[key] for key in _BASELINE_KEYS}, "fixed": tuple(baseline["fixed"])}) if baseline else None,
        period=document.get("period"),
        # the document counts them (summary.not_judged) and lists them among the warnings; which ones is not kept
        not_judged=(("", "", ()),) * summary.get("not_judged", 0),
    )


def _finding(item: dict) -> Finding:
    money = {name: Money(Decimal(value["amount"]), value["currency"]) for name, value in item["money"].items() if value is not None}
    return Finding(item["policy"], item["severity"], item["enforcement"], item["message"], item["owner"], item["owner_source"],
                   item["resource"], item["evidence"], scope=item["scope"], status=item["status"], title=item["title"],
                   location=item.get("location"), exemption=item.get("exemption"), **money)


# --- the plain check: what result_of reads, as the schema says it -------------------------------------

def plainly_valid(document) -> bool:
    """Whether what :func:`result_of` reads is there with the types the schema gives it. True only when
    the schema agrees on those parts; when False, the schema says why."""
    if document.__class__ is not dict or document.get("schema_version") not in READABLE_SCHEMA_VERSIONS:
        return False
    summary, findings, errors, warnings = (document.get(key) for key in ("summary", "findings", "errors", "warnings"))
    if not (_is(document.get("as_of"), str) and _is(document.get("tool"), dict) and _is(summary, dict) and _is(findings, list)
            and _is(errors, list) and _is(warnings, list) and all(_is(w, str) for w in warnings)):
        return False
    if document.get("tool", {}).get("name") != "costwarden" or not _is(document["tool"].get("version"), str):
        return False
    recipe = document.get("fingerprint_version", FINGERPRINT_VERSION)
    if not _is(recipe, str) or not recipe.isdigit():  # the schema says a string; digits, for the comparison read_findings makes
        return False
    return (_summary_ok(summary) and all(_finding_ok(f) for f in findings) and all(_error_ok(e) for e in errors)
            and _period_ok(document.get("period")) and _exemptions_ok(document.get("exemptions", []))
            and _baseline_ok(document.get("baseline")))


def _is(value, kind) -> bool:
    return value.__class__ is kind


def _count(value) -> bool:
    return value.__class__ is int and value >= 0


def _text_or_none(value) -> bool:
    return value is None or value.__class__ is str


_SUMMARY_COUNTS = ("resources_evaluated", "cost_rows_evaluated", "policies_evaluated", "findings", "open", "errors")


def _summary_ok(summary: dict) -> bool:
    if not all(_count(summary.get(key)) for key in _SUMMARY_COUNTS):
        return False
    if "not_judged" in summary and not _count(summary["not_judged"]):
        return False
    skipped, owners, policies = summary.get("policies_skipped"), summary.get("by_owner"), summary.get("by_policy")
    if not (_is(skipped, list) and _is(owners, list) and _is(policies, list)):
        return False
    for item in skipped:
        if not _is(item, dict) or not _is(item.get("policy"), str) or not _is(item.get("reason"), str):
            return False
    for entry in owners:
        if not _is(entry, dict) or not _is(entry.get("owner"), str) or not _is(entry.get("name"), str):
            return False
        contacts = entry.get("contacts")
        if not _is(contacts, list) or not all(_is(c, str) for c in contacts):
            return False
        if not all(_money_list_ok(entry.get(name)) for name in MONEY) or not all(key in entry for key in ("findings", "open", "by_severity")):
            return False
    for policy in policies:
        if not _is(policy, dict) or not all(_is(policy.get(key), str) for key in ("id", "title", "type")):
            return False
        if policy.get("severity") not in SEVERITY_RANK or policy.get("enforcement") not in _ENFORCEMENTS:
            return False
        labels = policy.get("labels")
        if not _is(labels, list) or not all(_is(label, str) for label in labels):
            return False
        if not all(_money_list_ok(policy.get(name)) for name in MONEY) or "findings" not in policy:
            return False
    return True


def _money_ok(value) -> bool:
    return (_is(value, dict) and value.keys() == {"amount", "currency"} and _is(value["amount"], str)
            and _AMOUNT.match(value["amount"]) is not None and _is(value["currency"], str) and _CURRENCY.match(value["currency"]) is not None)


def _money_list_ok(value) -> bool:
    return _is(value, list) and all(_money_ok(item) for item in value)


_RESOURCE_KEYS = ("id", "type", "class", "provider", "account", "region", "name")


def _finding_ok(item) -> bool:
    if not _is(item, dict):
        return False
    for key in ("fingerprint", "policy", "title", "message", "owner", "owner_source"):
        if not _is(item.get(key), str):
            return False
    if item.get("severity") not in SEVERITY_RANK or item.get("enforcement") not in _ENFORCEMENTS or item.get("status") not in STATUSES:
        return False
    if not _is(item.get("evidence"), dict) or "resource" not in item or "scope" not in item:
        return False
    resource, scope = item["resource"], item["scope"]
    if resource is not None:
        if not _is(resource, dict) or not all(key in resource for key in _RESOURCE_KEYS) or not all(
                _text_or_none(resource[key]) for key in _RESOURCE_KEYS) or not _is(resource["id"], str):
            return False
    if scope is not None and not _is(scope, dict):
        return False
    money = item.get("money")
    if not _is(money, dict) or not money.keys() <= MONEY.keys():
        return False
    if not all(value is None or _money_ok(value) for value in money.values()):
        return False
    location, exemption = item.get("location"), item.get("exemption")
    return (location is None or _is(location, dict)) and (exemption is None or _is(exemption, dict))


_ERROR_KEYS = ("code", "policy", "message")
_ERROR_FIELDS = frozenset({"code", "policy", "resource", "path", "message", "file", "line", "column"})


def _error_ok(error) -> bool:
    if not _is(error, dict) or not all(_is(error.get(key), str) for key in _ERROR_KEYS) or not error.keys() >= _ERROR_FIELDS:
        return False
    return all(_text_or_none(error.get(key)) for key in ("resource", "path", "file")) and all(
        error.get(key) is None or _is(error.get(key), int) for key in ("line", "column"))


def _period_ok(period) -> bool:
    return period is None or (_is(period, dict) and all(_is(period.get(key), str) for key in ("label", "given", "start", "end")))


_EXEMPTION_KEYS = frozenset({"id", "state", "expires", "days_left", "reason", "approver", "ticket", "matched", "file", "line"})


def _exemptions_ok(reports) -> bool:
    if not _is(reports, list):
        return False
    for report in reports:
        if not _is(report, dict) or not report.keys() >= _EXEMPTION_KEYS:
            return False
        if not all(_is(report[key], str) for key in ("id", "state", "expires", "reason")):
            return False
        if not _is(report["days_left"], int) or not _count(report["matched"]):
            return False
    return True


_BASELINE_KEYS = frozenset({"file", "fingerprint_version", "entries", "baselined", "new", "fixed", "unchecked"})


def _baseline_ok(baseline) -> bool:
    if baseline is None:
        return True
    return (_is(baseline, dict) and baseline.keys() >= _BASELINE_KEYS and _is(baseline["file"], str)
            and _is(baseline["fingerprint_version"], str) and _is(baseline["fixed"], list)
            and all(_count(baseline[key]) for key in ("entries", "baselined", "new", "unchecked")))
