"""Findings, evaluation errors and the result of a run — plain frozen dataclasses.

The JSON form (``Result.to_dict``) is described by ``schemas/findings.schema.json`` (v1). Money is
an exact decimal string with a currency. A fingerprint identifies a finding across runs (recipe
:data:`FINGERPRINT_VERSION`, see :func:`fingerprint_of`): it hashes the policy id, the finding's
kind and its subject — the resource (provider + id) or the scope (+ period) — never amounts or
messages, so a baseline can recognise the same finding tomorrow.

A finding's ``status`` is ``open`` as the evaluator makes it; the steps that run after it
(:mod:`engine.exemptions`) mark it ``exempted`` (with the ``exemption`` that applies) or
``baselined``, and record what they found in :attr:`Result.exemptions` and :attr:`Result.baseline`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import attrgetter

import orjson

from engine.amounts import exact
from engine.severity import SEVERITY_RANK

FINDINGS_SCHEMA_VERSION = "1.1"  # MAJOR.MINOR: a minor version only adds fields (schemas/findings.schema.json)
READABLE_SCHEMA_VERSIONS = ("1", "1.1")  # what the readers of findings documents take: 1.1 only added fields to 1


def newer_schema_version(version: object) -> bool:
    """Whether ``version`` (a findings document's ``schema_version``, "MAJOR" or "MAJOR.MINOR") is newer than
    :data:`FINDINGS_SCHEMA_VERSION`; False for what is not a version at all (the schema says what is wrong)."""
    def key(text):
        parts = text.split(".") if text.__class__ is str else ()
        if not 1 <= len(parts) <= 2 or not all(part.isascii() and part.isdigit() for part in parts):
            return None
        return int(parts[0]), int(parts[1]) if len(parts) == 2 else 0
    theirs = key(version)
    return theirs is not None and theirs > key(FINDINGS_SCHEMA_VERSION)
FINGERPRINT_VERSION = "2"  # the recipe of fingerprint_of; baselines record the recipe they were written with
STATUSES = ("open", "exempted", "baselined")
FINDING_KINDS = ("violation", "note")  # see finding_kind
EXEMPTION_STATES = ("active", "expiring", "expired", "unused", "unchecked")  # see ExemptionReport
UNASSIGNED = "unassigned"  # the owner of a finding that nothing assigns to a team (owner_source "none")
_ZERO = Decimal(0)
RESOURCE_FIELDS = ("id", "type", "class", "provider", "account", "region", "name")


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def to_dict(self) -> dict:
        return {"amount": exact(self.amount), "currency": self.currency}


@dataclass(frozen=True)
class MoneyField:
    """A kind of dollars a finding can carry (each finding: one :class:`Money` or none per field)."""

    name: str  # the key in the findings JSON, the CSV columns' prefix, a policy test's money expectations
    label: str  # words for people (text, Markdown, JUnit, GitHub outputs)
    description: str  # what the amount is (the schemas, docs/policy-types.md)
    per_resource: bool = False  # the resource's amount, not the finding's: totals count it once per resource


# Every money field, in the order outputs list them. This table is the one place a field is declared:
# the Finding's attributes, the findings JSON (and the money parts of schemas/findings.schema.json and
# schemas/policy-test.schema.json, written from it by engine.checks.derived), the summaries, the CSV
# columns and the outputs' labels all follow it. Which policy types produce a field is said by their
# CHECKS entry (engine.checks.PolicyType.money).
MONEY: dict[str, MoneyField] = {field.name: field for field in (
    MoneyField("monthly_cost", "monthly cost",
               "what the resource costs per month (730 h x observed hourly cost): inventory findings, with a cost snapshot or a price",
               per_resource=True),
    MoneyField("monthly_saving", "saving/month", "estimated monthly saving of the recommendation"),
    MoneyField("overspend", "overspend", "actual or forecast spend (the larger) above the budget"),
    MoneyField("unallocated_cost", "unallocated", "spend of the scope and period without the allocation tags"),
    MoneyField("uncovered_cost", "on demand", "eligible usage of the scope and period left on demand (EffectiveCost)"),
    MoneyField("unused_commitment_cost", "unused commitment", "commitment paid for in the period and not used (EffectiveCost)"),
    MoneyField("cost_change", "change/month",
               "what a planned change adds to the monthly cost (net of what it removes; priced resources only)"),
)}
MONEY_FIELDS = tuple(MONEY)  # the names, as declared above (modules that lay out columns once, at import)
# The two money fields an inventory check's Violation carries (the first two of MONEY), kept in slots of
# their own: the evaluator sets them on every inventory finding it makes (the hot path); every other
# field is in ``other_money``.
_SLOTTED_MONEY = ("monthly_cost", "monthly_saving")
_NO_MONEY = dict.fromkeys(MONEY)  # copied for a finding without money


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One policy's verdict on one resource or scope.

    Money: one :class:`Money` or None per field of :data:`MONEY`, given as keywords
    (``Finding(..., overspend=Money(...))``) and read as attributes (``finding.overspend``);
    :attr:`money` has those the finding carries.
    """

    policy: str
    severity: str
    enforcement: str
    message: str
    owner: str
    owner_source: str
    resource: dict | None  # a reference: RESOURCE_FIELDS of the resource
    evidence: dict
    scope: dict | None = None  # cost findings: {dimension, value, currency, period: {start, end}}
    monthly_cost: Money | None = None
    monthly_saving: Money | None = None
    status: str = "open"  # open | exempted | baselined
    title: str = ""
    # where the finding points in a file the user has: {"file", "line", "column"} (line, column: 1-based or None),
    # e.g. the .tf file and line of a plan's resource block, or the inventory file and line; None when unknown
    location: dict | None = None
    # (name, Money) of every other MONEY field the finding carries, in MONEY order
    other_money: tuple[tuple[str, Money], ...] = ()
    # status exempted: the exemption that applies, {"id", "reason", "expires", "approver", "ticket"}; else None
    exemption: dict | None = None

    def __init__(self, policy: str, severity: str, enforcement: str, message: str, owner: str, owner_source: str,
                 resource: dict | None, evidence: dict, scope: dict | None = None, monthly_cost: Money | None = None,
                 monthly_saving: Money | None = None, status: str = "open", title: str = "", location: dict | None = None,
                 other_money: tuple = (), exemption: dict | None = None, **money: Money | None):
        unknown = [name for name in money if name not in MONEY]
        if unknown:
            raise TypeError(f"Finding() got an unexpected keyword argument {unknown[0]!r} (money fields: {', '.join(MONEY)})")
        if money:
            given = {**dict(other_money), **money}
            other_money = tuple((name, given[name]) for name in MONEY if given.get(name) is not None)
        setter = object.__setattr__
        for name, value in (("policy", policy), ("severity", severity), ("enforcement", enforcement), ("message", message),
                            ("owner", owner), ("owner_source", owner_source), ("resource", resource), ("evidence", evidence),
                            ("scope", scope), ("monthly_cost", monthly_cost), ("monthly_saving", monthly_saving),
                            ("status", status), ("title", title), ("location", location), ("other_money", other_money),
                            ("exemption", exemption)):
            setter(self, name, value)

    def __getattr__(self, name: str):
        """A money field of MONEY kept in ``other_money``: its Money, or None."""
        if name in MONEY and name not in _SLOTTED_MONEY:
            for key, value in self.other_money:
                if key == name:
                    return value
            return None
        raise AttributeError(f"'Finding' object has no attribute {name!r}")

    @property
    def kind(self) -> str:
        """``note`` or ``violation``: see :func:`finding_kind`."""
        return finding_kind(self.evidence)

    @property
    def money(self) -> dict[str, Money]:
        """The money the finding carries: ``{field: Money}``, in MONEY order (most findings: none)."""
        carried = {}
        if self.monthly_cost is not None:
            carried["monthly_cost"] = self.monthly_cost
        if self.monthly_saving is not None:
            carried["monthly_saving"] = self.monthly_saving
        if self.other_money:
            carried.update(self.other_money)
        return carried

    @property
    def has_money(self) -> bool:
        return self.monthly_cost is not None or self.monthly_saving is not None or bool(self.other_money)

    @property
    def fingerprint(self) -> str:
        """The finding's identity across runs: :func:`fingerprint_of` its policy, kind and subject."""
        return fingerprint_of(self.policy, finding_kind(self.evidence), self.resource, self.scope)

    def sort_key(self) -> tuple:
        """Per policy: priced findings first, largest saving first (recommendations are read in that order;
        grouped by currency, as amounts in two currencies do not compare), then the unpriced ones; ties by
        resource (provider, id). A cost policy's findings (no resource, no saving) by scope value and
        currency. The order is total for a policy's findings, so the JSON output is deterministic."""
        resource = self.resource or {}
        scope = self.scope or {}
        saving = self.monthly_saving
        priced = (0, saving.currency, -saving.amount) if saving is not None else (1, "", _ZERO)
        return (self.policy, *priced, str(resource.get("provider")), str(resource.get("id")), str(scope.get("value")),
                str(scope.get("currency")))

    def to_dict(self) -> dict:
        return {
            "fingerprint": self.fingerprint,
            "policy": self.policy,
            "title": self.title,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "status": self.status,
            "owner": self.owner,
            "owner_source": self.owner_source,
            "resource": self.resource,
            "scope": self.scope,
            "location": self.location,
            "message": self.message,
            "evidence": self.evidence,
            "money": self.money_dict(),
            "exemption": self.exemption,
        }

    def money_dict(self) -> dict:
        """``{field: {amount, currency} | None}`` for every field of MONEY (most findings carry none)."""
        out = _NO_MONEY.copy()
        cost, saving, other = self.monthly_cost, self.monthly_saving, self.other_money
        if cost is not None:
            out["monthly_cost"] = cost.to_dict()
        if saving is not None:
            out["monthly_saving"] = saving.to_dict()
        for name, value in other:
            out[name] = value.to_dict()
        return out


def finding_kind(evidence: dict) -> str:
    """``note`` for a finding that reports a candidate without a recommendation — its evidence says
    ``recommendation: null`` (a rightsizing candidate on too little data, or with no smaller size) —,
    ``violation`` for every other finding. A note and a later recommendation for the same resource
    are two findings: a baseline that holds the note does not hide the recommendation."""
    if evidence.__class__ is dict and "recommendation" in evidence and evidence["recommendation"] is None:
        return "note"
    return "violation"


def fingerprint_of(policy: str, kind: str, resource: dict | None, scope: dict | None) -> str:
    """The fingerprint (recipe ``2``): the first 32 hex digits of the SHA-256 of the JSON array

    * ``[policy, kind, "resource", provider, id]`` for a finding about a resource, or
    * ``[policy, kind, "scope", dimension, value, currency, period start, period end]`` for a cost finding,

    written compactly (no spaces, UTF-8). Nothing else goes in: not the message, the evidence, the
    money, the severity, the owner or where the resource was read, so the fingerprint stays the
    same when unrelated resources are added, files are reordered or amounts change. A plan's
    resource id is its full address, so ``module.a.aws_instance.x`` and ``module.b.aws_instance.x``
    differ. A JSON array keeps the parts apart whatever characters they hold.
    """
    if resource is not None:
        parts = [policy, kind, "resource", resource.get("provider"), resource.get("id")]
    else:
        scope = scope or {}
        period = scope.get("period") or {}
        parts = [policy, kind, "scope", scope.get("dimension"), scope.get("value"), scope.get("currency"),
                 period.get("start"), period.get("end")]
    return hashlib.sha256(orjson.dumps(parts, default=str)).hexdigest()[:32]


def money_totals(findings) -> dict[str, list[dict]]:
    """Each money field summed per currency; a per-resource amount (the monthly cost) counts once per resource,
    however many findings the resource has."""
    totals: dict[str, dict[str, Decimal]] = {name: {} for name in MONEY}
    counted: set = set()  # (field, provider, id) of the per-resource amounts counted
    for finding in findings:
        if not finding.has_money:
            continue
        for name, money in finding.money.items():
            if MONEY[name].per_resource:
                subject = name, (finding.resource or {}).get("provider"), (finding.resource or {}).get("id")
                if subject in counted:
                    continue
                counted.add(subject)
            totals[name][money.currency] = totals[name].get(money.currency, _ZERO) + money.amount
    return {name: [{"amount": exact(v), "currency": c} for c, v in sorted(totals[name].items())] for name in MONEY}


def _fails(status: str, enforcement: str, severity: str, floor: int) -> bool:
    """Whether a finding fails the run: open, of an enforced policy, at or above the floor."""
    return status == "open" and enforcement == "enforce" and SEVERITY_RANK[severity] >= floor


_TALLIED = attrgetter("owner", "severity", "status", "policy", "enforcement")


@dataclass(frozen=True)
class _Tally:
    counts: Counter  # (owner, severity, status, policy, enforcement) -> findings
    monied: list  # the findings that carry any money (the others add nothing to money totals)


def _by(findings: list[Finding], name: str) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(getattr(finding, name), []).append(finding)
    return groups


def resource_ref(resource: dict) -> dict:
    """The :data:`RESOURCE_FIELDS` of a resource, in that order (None for a missing one). The evaluator's
    finding maker writes this rule out for plain dicts (:func:`engine.evaluator.resource_ref_display`)."""
    get = resource.get
    return {field: get(field) for field in RESOURCE_FIELDS}


@dataclass(frozen=True)
class EvaluationError:
    """A policy that could not be evaluated on some resource (makes the run exit 2)."""

    code: str
    policy: str
    message: str
    resource: str | None = None
    path: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "policy": self.policy,
            "resource": self.resource,
            "path": self.path,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }

    def format(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        prefix = f"{where}: " if where else ""
        resource = f", resource {self.resource}" if self.resource is not None else ""  # a cost policy's error names no resource
        return f"{prefix}{self.code} policy {self.policy}{resource}: {self.message}"


@dataclass(frozen=True)
class ExemptionReport:
    """What one exemption did in a run (:attr:`Result.exemptions`). ``state``, one of :data:`EXEMPTION_STATES`:

    * ``expired`` — it expired before the as-of date and no longer applies (``matched``: the findings
      it would have exempted, open again);
    * ``unused`` — in force, it exempted no finding although the run evaluated one of its policies
      over one of its resources (or scopes): remove it if it no longer applies;
    * ``unchecked`` — in force, and the run evaluated none of its policies or none of its resources
      (e.g. a plan that does not touch them), so whether it is still needed is unknown;
    * ``expiring`` — in force, used, and it expires within the warning days;
    * ``active`` — in force and used.
    """

    id: str
    state: str
    expires: str  # YYYY-MM-DD, the last day it applies
    days_left: int  # expires - the as-of date (negative: expired)
    reason: str
    approver: str | None
    ticket: str | None
    matched: int  # findings it exempted (expired: would have exempted)
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "state": self.state, "expires": self.expires, "days_left": self.days_left,
                "reason": self.reason, "approver": self.approver, "ticket": self.ticket, "matched": self.matched,
                "file": self.file, "line": self.line}


@dataclass(frozen=True)
class BaselineReport:
    """What a baseline did in a run (:attr:`Result.baseline`).

    ``baselined`` findings are in it; ``new`` are the open findings that are not. Of its entries,
    ``fixed`` (each a baseline entry: fingerprint, policy, kind, resource or scope, message) were
    looked at and are gone: their policy was evaluated (and, for a resource, the resource was in
    the run's input) and reported nothing; ``unchecked`` counts those the run did not look at.
    """

    file: str
    fingerprint_version: str  # the recipe the file was written with
    entries: int
    baselined: int
    new: int
    fixed: tuple = ()
    unchecked: int = 0
    fingerprints: frozenset = field(default=frozenset(), compare=False, repr=False)  # of its entries, current recipe

    def to_dict(self) -> dict:
        return {"file": self.file, "fingerprint_version": self.fingerprint_version, "entries": self.entries,
                "baselined": self.baselined, "new": self.new, "fixed": list(self.fixed), "unchecked": self.unchecked}


@dataclass(frozen=True)
class Result:
    """Everything a run produced; outputs render it, the CLI maps it to an exit code."""

    findings: tuple[Finding, ...]
    errors: tuple[EvaluationError, ...]
    policies: tuple  # the evaluated engine.policy.Policy objects
    as_of: str
    resources_evaluated: int
    warnings: tuple[str, ...] = ()
    teams: dict = field(default_factory=dict)  # team id -> engine.ownership.Team
    cost_rows_evaluated: int = 0
    skipped: tuple[tuple[str, str], ...] = ()  # (policy id, why) for policies whose input was not given
    exemptions: tuple[ExemptionReport, ...] = ()  # every exemption given, by id (engine.exemptions.apply)
    baseline: BaselineReport | None = None  # the baseline given, if any (engine.exemptions.baseline)
    # the period the run reports on (check --period): {"label", "given", "start", "end"}; None: each cost
    # policy's period holding the as-of instant
    period: dict | None = None
    # (policy id, resource id, paths) for planned resources a policy could not judge: values it reads are
    # known only after apply (engine.judging); listed in warnings too, never findings, no effect on the exit code
    not_judged: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # what a planned change adds to the monthly cost, per owner and resource (engine.change_cost.ChangeCost.to_dict),
    # when a change policy (cost-delta, change-budget) evaluated a plan; else None
    change: dict | None = None

    def failing(self, fail_on: str = "info") -> list[Finding]:
        """Open findings of enforced policies at or above ``fail_on``."""
        return [f for f in self.findings if _fails(f.status, f.enforcement, f.severity, SEVERITY_RANK[fail_on])]

    def exit_code(self, fail_on: str = "info") -> int:
        if self.errors:
            return 2
        floor = SEVERITY_RANK[fail_on]  # as failing(), from the tally of the findings
        failing = any(_fails(status, enforcement, severity, floor) for (_, severity, status, _, enforcement) in self._tally.counts)
        return 1 if failing else 0

    def owner_summary(self) -> list[dict]:
        """Per owner: findings by status and severity, and dollars (per currency)."""
        monied = _by(self._tally.monied, "owner")
        tallies: dict[str, list] = {}  # owner -> [findings, open, {severity: findings}]
        for (owner, severity, status, _, _), count in self._tally.counts.items():
            tally = tallies.setdefault(owner, [0, 0, {}])
            tally[0] += count
            tally[1] += count if status == "open" else 0
            tally[2][severity] = tally[2].get(severity, 0) + count
        out = []
        for owner in sorted(tallies):
            total, opened, by_severity = tallies[owner]
            team = self.teams.get(owner)
            out.append(
                {
                    "owner": owner,
                    "findings": total,
                    "open": opened,
                    "by_severity": {s: by_severity[s] for s in sorted(by_severity, key=SEVERITY_RANK.get, reverse=True)},
                    **money_totals(monied.get(owner, ())),
                    "name": team.name if team is not None else owner,
                    "contacts": list(team.contacts) if team is not None else [],
                }
            )
        return out

    def policy_summary(self) -> list[dict]:
        """Per evaluated policy: its findings and their dollars (per currency)."""
        counts: dict[str, int] = {}
        for (_, _, _, policy, _), count in self._tally.counts.items():
            counts[policy] = counts.get(policy, 0) + count
        monied = _by(self._tally.monied, "policy")
        return [
            {**policy.to_dict(), "findings": counts.get(policy.id, 0), **money_totals(monied.get(policy.id, ()))}
            for policy in sorted(self.policies, key=lambda p: p.id)
        ]

    @cached_property
    def _tally(self) -> "_Tally":
        """The findings counted per (owner, severity, status, policy, enforcement), and those carrying money.

        Two passes over the findings serve every summary and the exit code: at 100k findings a pass
        costs its time in memory reads, whatever it computes.
        """
        return _Tally(Counter(map(_TALLIED, self.findings)), [f for f in self.findings if f.has_money])

    def to_dict(self, tool_version: str, *, with_findings: bool = True) -> dict:
        """The findings document; ``with_findings=False`` leaves its findings list empty (for a
        renderer that writes them a batch at a time)."""
        statuses = Counter()
        for (_, _, status, _, _), count in self._tally.counts.items():
            statuses[status] += count
        return {
            "schema_version": FINDINGS_SCHEMA_VERSION,
            "tool": {"name": "costwarden", "version": tool_version},
            "as_of": self.as_of,
            "fingerprint_version": FINGERPRINT_VERSION,
            "period": self.period,
            "summary": {
                "resources_evaluated": self.resources_evaluated,
                "cost_rows_evaluated": self.cost_rows_evaluated,
                "policies_evaluated": len(self.policies),
                "policies_skipped": [{"policy": policy, "reason": reason} for policy, reason in self.skipped],
                "findings": len(self.findings),
                "open": statuses["open"],
                "exempted": statuses["exempted"],
                "baselined": statuses["baselined"],
                "errors": len(self.errors),
                "not_judged": len(self.not_judged),
                "by_owner": self.owner_summary(),
                "by_policy": self.policy_summary(),
            },
            "findings": [f.to_dict() for f in self.findings] if with_findings else [],
            "errors": [e.to_dict() for e in self.errors],
            "warnings": list(self.warnings),
            "exemptions": [report.to_dict() for report in self.exemptions],
            "baseline": self.baseline.to_dict() if self.baseline is not None else None,
            "change": self.change,
        }
