"""Baselines: the findings an estate had when it adopted costwarden, so that CI fails only on new ones.

A baseline file (``schemas/baseline.schema.json``) is JSON: a format ``version``, the
``fingerprint_version`` (the recipe of :func:`engine.findings.fingerprint_of` its fingerprints were
made with) and one entry per finding, on one line each, sorted by policy and subject so that a
change reads well in a diff::

    {"fingerprint": "…", "policy": "required-allocation-tags", "kind": "violation",
     "resource": {"provider": "aws", "id": "i-0abc"}, "message": "missing tag cost-center"}

An entry holds everything its fingerprint is made of (policy, kind, resource provider and id, or
the scope and period), so each fingerprint is recomputed with the current recipe when the file is
read: a file written with an older recipe still works (``baseline update`` rewrites it with the
current one); a file of a newer recipe is refused (``E472``); with the current recipe, an entry
whose fingerprint is not the one of its own context was edited by hand (``E473``).

* :func:`apply_baseline`: the result's open findings found in the baseline become ``baselined``;
  entries the run looked at and no longer finds are *fixed*; those it did not look at (their
  policy was not evaluated, their resource was not in the input) are *unchecked*.
* :func:`created_entries` / :func:`updated_entries`: what ``baseline create`` writes (every open
  finding) and what ``baseline update`` keeps (the ratchet: fixed entries and those an exemption
  now covers go, new findings come in only with ``allow_growth``).

Problems reading a file: ``E401`` unreadable, ``E105`` too large, ``E470`` not JSON (line and
column), ``E2xx`` not what the schema says (line, column and pointer), ``E472``, ``E473``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

import orjson

from engine.documents import schemas
from engine.documents.json_positions import located
from engine.errors import InputError, Problem
from engine.files import read_bounded
from engine.exemptions.marking import marked
from engine.findings import FINGERPRINT_VERSION, BaselineReport, Finding, Result, finding_kind, fingerprint_of

BASELINE_VERSION = 1
SCHEMA = "baseline.schema.json"
MAX_BYTES = 512 * 1024 * 1024
MESSAGE_CHARS = 200  # of a finding's message kept in its entry, for review


@dataclass(frozen=True)
class Baseline:
    file: str
    fingerprint_version: str  # the recipe the file was written with
    entries: dict  # fingerprint (current recipe) -> entry (its "fingerprint" also the current recipe's)


def entry_of(finding: Finding) -> dict:
    """A finding's baseline entry: its fingerprint and what the fingerprint is made of, and its message."""
    entry = {"fingerprint": finding.fingerprint, "policy": finding.policy, "kind": finding_kind(finding.evidence)}
    if finding.resource is not None:
        entry["resource"] = {"provider": finding.resource.get("provider"), "id": finding.resource.get("id")}
    else:
        scope = finding.scope or {}
        period = scope.get("period") or {}
        entry["scope"] = {"dimension": scope.get("dimension"), "value": scope.get("value"), "currency": scope.get("currency"),
                          "period": {"start": period.get("start"), "end": period.get("end")}}
    message = finding.message
    entry["message"] = message if len(message) <= MESSAGE_CHARS else message[:MESSAGE_CHARS - 1] + "…"
    return entry


def entry_fingerprint(entry: dict) -> str:
    """The entry's fingerprint with the current recipe, from its context."""
    return fingerprint_of(entry["policy"], entry["kind"], entry.get("resource"), entry.get("scope"))


def _order(entry: dict) -> tuple:
    resource, scope = entry.get("resource"), entry.get("scope")
    if resource is not None:
        subject = ("resource", str(resource.get("provider")), str(resource.get("id")))
    else:
        period = scope.get("period") or {}
        subject = ("scope", str(scope.get("dimension")), str(scope.get("value")), str(scope.get("currency")), str(period.get("start")))
    return (entry["policy"], subject, entry["kind"], entry["fingerprint"])


def baseline_text(entries) -> str:
    """The baseline file: one entry per line, sorted, each with its keys in one order (byte-identical for equal entries)."""
    lines = [json.dumps(entry, ensure_ascii=False, separators=(", ", ": "), default=str) for entry in sorted(entries, key=_order)]
    body = ",\n".join(f"    {line}" for line in lines)
    findings = f"[\n{body}\n  ]" if lines else "[]"
    return (f'{{\n  "version": {BASELINE_VERSION},\n  "fingerprint_version": "{FINGERPRINT_VERSION}",\n'
            f'  "findings": {findings}\n}}\n')


def read_baseline(path: str) -> Baseline:
    """A baseline file, validated; every entry's fingerprint recomputed with the current recipe. Raises InputError."""
    data = read_bounded(path, MAX_BYTES, "baseline file", missing_hint="make one with: costwarden baseline create --output FILE")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
        raise InputError([Problem("E470", f"not a baseline file: not valid JSON ({error.msg if hasattr(error, 'msg') else error})",
                                  path, line, column, hint="a baseline is written by costwarden baseline create")]) from None
    problems = _located(path, data, document)
    if problems:
        raise InputError(problems)
    version = document["fingerprint_version"]
    if int(version) > int(FINGERPRINT_VERSION):
        raise InputError([Problem("E472", f"the baseline's fingerprints are of recipe {version}, newer than this costwarden's"
                                  f" ({FINGERPRINT_VERSION})", path, hint="upgrade costwarden, or make a new baseline with this one")])
    entries: dict[str, dict] = {}
    mismatched = []
    for index, entry in enumerate(document["findings"]):
        fingerprint = entry_fingerprint(entry)
        if version == FINGERPRINT_VERSION and entry["fingerprint"] != fingerprint:
            mismatched.append(index)
        entries.setdefault(fingerprint, {**entry, "fingerprint": fingerprint})
    if mismatched:
        doc = located(path, data, document)
        raise InputError([doc.problem("E473", "the entry's fingerprint is not the one of its policy, kind and subject"
                                      " (was it edited by hand?)", f"/findings/{index}/fingerprint",
                                      "change findings with costwarden baseline update, not by hand") for index in mismatched])
    return Baseline(path, version, entries)


def _located(path: str, data: bytes, document) -> list[Problem]:
    """The schema's problems with the document, at their line and column when the file can tell."""
    if plainly_valid(document) or schemas.validator(SCHEMA).is_valid(document):
        return []
    return schemas.validate(located(path, data, document), document, SCHEMA, [])


_FINGERPRINT = re.compile("^[0-9a-f]{32}$")
_DIGITS = re.compile("^[0-9]+$")
_ENTRY_KEYS = frozenset({"fingerprint", "policy", "kind", "resource", "scope", "message"})
_SCOPE_KEYS = frozenset({"dimension", "value", "currency", "period"})
_KINDS = frozenset({"violation", "note"})


def plainly_valid(document) -> bool:
    """Whether ``document`` is valid under ``baseline.schema.json``, checked as plain Python: a baseline
    can hold 100,000 entries, and jsonschema takes seconds over them. True only when the schema would
    say valid (a test holds the two in step on generated documents); when False, the schema says why."""
    if document.__class__ is not dict or document.keys() != {"version", "fingerprint_version", "findings"}:
        return False
    version, findings = document["version"], document["fingerprint_version"]
    if version.__class__ is not int or version != BASELINE_VERSION or findings.__class__ is not str or not _DIGITS.search(findings):
        return False
    entries = document["findings"]
    if entries.__class__ is not list:
        return False
    for entry in entries:
        if entry.__class__ is not dict or not entry.keys() <= _ENTRY_KEYS:
            return False
        fingerprint, policy, kind, message = entry.get("fingerprint"), entry.get("policy"), entry.get("kind"), entry.get("message")
        if fingerprint.__class__ is not str or not _FINGERPRINT.search(fingerprint) or policy.__class__ is not str or not policy \
                or message.__class__ is not str or kind.__class__ is not str or kind not in _KINDS:
            return False
        resource, scope = entry.get("resource", _ABSENT), entry.get("scope", _ABSENT)
        if (resource is _ABSENT) == (scope is _ABSENT):
            return False
        if resource is not _ABSENT:
            if resource.__class__ is not dict or resource.keys() != {"provider", "id"} or not _texts(resource.values()):
                return False
        else:
            if scope.__class__ is not dict or scope.keys() != _SCOPE_KEYS:
                return False
            period = scope["period"]
            if period.__class__ is not dict or period.keys() != {"start", "end"} or not _texts(period.values()) \
                    or not _texts((scope["dimension"], scope["value"], scope["currency"])):
                return False
    return True


_ABSENT = object()


def _texts(values) -> bool:
    return all(value is None or value.__class__ is str for value in values)


def apply_baseline(result: Result, baseline: Baseline, *, resources=None) -> Result:
    """``result`` with its open findings found in ``baseline`` marked ``baselined``, and the baseline reported.

    An entry is *fixed* when the run looked at it and did not find it: its policy was evaluated
    without an evaluation error on the subject, and a resource entry's resource is among
    ``resources`` (the run's input; None: not known, every resource counts as looked at). The
    others not found are *unchecked*.
    """
    known = baseline.entries
    present: set[str] = set()
    findings = []
    for finding in result.findings:
        fingerprint = finding.fingerprint
        if fingerprint in known:
            present.add(fingerprint)
            if finding.status == "open":
                finding = marked(finding, "baselined")
        findings.append(finding)
    fixed, unchecked = _fixed(result, known, present, resources)
    return replace(result, findings=tuple(findings), baseline=BaselineReport(
        file=baseline.file, fingerprint_version=baseline.fingerprint_version, entries=len(known),
        baselined=sum(1 for f in findings if f.status == "baselined"), new=sum(1 for f in findings if f.status == "open"),
        fixed=tuple(sorted(fixed, key=_order)), unchecked=len(unchecked), fingerprints=frozenset(known)))


def _fixed(result: Result, known: dict, present: set, resources) -> tuple[list[dict], list[dict]]:
    """The entries not found: (fixed, unchecked)."""
    evaluated = {policy.id for policy in result.policies}
    failed_policies = {error.policy for error in result.errors if error.resource is None}
    failed = {(error.policy, error.resource) for error in result.errors}
    missing = [entry for fingerprint, entry in known.items() if fingerprint not in present]
    wanted = {(entry["resource"].get("provider"), entry["resource"].get("id")) for entry in missing if entry.get("resource") is not None}
    seen = _present(resources, wanted) if resources is not None else None
    fixed, unchecked = [], []
    for entry in missing:
        policy = entry["policy"]
        resource = entry.get("resource")
        looked = policy in evaluated and policy not in failed_policies
        if looked and resource is not None:
            key = (resource.get("provider"), resource.get("id"))
            looked = (policy, key[1]) not in failed and (seen is None or key in seen)
        (fixed if looked else unchecked).append(entry)
    return fixed, unchecked


def _present(resources, wanted: set) -> set:
    """The (provider, id) of ``wanted`` that are among ``resources`` (one pass, no key made for the others)."""
    if not wanted:
        return set()
    ids = {rid for _, rid in wanted}
    return {key for r in resources if r.get("id") in ids and (key := (r.get("provider"), r.get("id"))) in wanted}


def created_entries(result: Result) -> list[dict]:
    """What ``baseline create`` writes: an entry per open finding (exempted ones are left to their exemption)."""
    return _unique(entry_of(finding) for finding in result.findings if finding.status == "open")


@dataclass(frozen=True)
class Update:
    """What ``baseline update`` makes of a baseline: the entries to write, and why the others went."""

    entries: list[dict]
    kept: int
    fixed: int  # removed: looked at and gone
    exempted: int  # removed: an exemption covers the finding now
    dropped: int  # removed: not looked at, with drop_unchecked
    added: int  # new findings taken in (allow_growth)
    refused: int  # new findings left out (no allow_growth)


def updated_entries(baseline: Baseline, result: Result, *, resources=None, allow_growth: bool = False,
                    drop_unchecked: bool = False) -> Update:
    """The ratchet: the entries still found (or not looked at), never more unless ``allow_growth``.

    ``result`` is the run's result with exemptions applied and without the baseline.
    """
    applied = apply_baseline(result, baseline, resources=resources)
    status = {finding.fingerprint: finding.status for finding in applied.findings}
    fixed = {entry["fingerprint"] for entry in applied.baseline.fixed}
    kept, counts = [], {"fixed": 0, "exempted": 0, "dropped": 0}
    for fingerprint, entry in baseline.entries.items():
        state = status.get(fingerprint)
        if state == "exempted":
            counts["exempted"] += 1
        elif state is not None:
            kept.append(entry)
        elif fingerprint in fixed:
            counts["fixed"] += 1
        elif drop_unchecked:
            counts["dropped"] += 1
        else:
            kept.append(entry)
    new = created_entries(applied)
    entries = kept + new if allow_growth else kept
    return Update(entries=entries, kept=len(kept), added=len(new) if allow_growth else 0,
                  refused=0 if allow_growth else len(new), **counts)


def _unique(entries) -> list[dict]:
    seen: dict[str, dict] = {}
    for entry in entries:
        seen.setdefault(entry["fingerprint"], entry)
    return list(seen.values())
