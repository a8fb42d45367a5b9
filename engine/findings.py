"""Findings, evaluation errors and the result of a run — plain frozen dataclasses.

The JSON form (``Result.to_dict``) is described by ``schemas/findings.schema.json`` (v1). Money is
an exact decimal string with a currency. A fingerprint identifies a finding across runs: it hashes
the policy id with the resource (provider + id) or the scope (+ period) — never amounts or
messages — so a baseline can recognise the same finding tomorrow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from engine.costs.amounts import exact
from engine.policy import SEVERITY_RANK

FINDINGS_SCHEMA_VERSION = "1"
_ZERO = Decimal(0)
RESOURCE_FIELDS = ("id", "type", "class", "provider", "account", "region", "name")
# The dollars a finding can carry (each Money or None):
#   monthly_cost            what the resource costs per month (inventory findings, with --costs)
#   monthly_saving          estimated monthly saving of the recommendation
#   overspend               spend (actual or forecast, the larger) above the budget
#   unallocated_cost        the scope's spend in the period without the allocation tags
#   uncovered_cost          eligible usage in the period left on demand (EffectiveCost)
#   unused_commitment_cost  commitment paid for in the period and not used (EffectiveCost)
MONEY_FIELDS = ("monthly_cost", "monthly_saving", "overspend", "unallocated_cost", "uncovered_cost", "unused_commitment_cost")
_MONEY_OF = attrgetter(*MONEY_FIELDS)  # finding -> its MONEY_FIELDS, in one call
_NO_MONEY = (None,) * len(MONEY_FIELDS)
_NO_MONEY_DICT = dict.fromkeys(MONEY_FIELDS)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def to_dict(self) -> dict:
        return {"amount": exact(self.amount), "currency": self.currency}


@dataclass(frozen=True, slots=True)
class Finding:
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
    overspend: Money | None = None
    unallocated_cost: Money | None = None
    uncovered_cost: Money | None = None
    unused_commitment_cost: Money | None = None
    status: str = "open"  # open | exempted | baselined
    title: str = ""

    @property
    def fingerprint(self) -> str:
        if self.resource is not None:
            subject = f"resource|{self.resource.get('provider')}|{self.resource.get('id')}"
        else:
            scope = self.scope or {}
            period = scope.get("period") or {}
            subject = f"scope|{scope.get('dimension')}|{scope.get('value')}|{scope.get('currency')}|{period.get('start')}|{period.get('end')}"
        return hashlib.sha256(f"{self.policy}|{subject}".encode()).hexdigest()[:32]

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
            "message": self.message,
            "evidence": self.evidence,
            "money": self.money_dict(),
        }

    def money_dict(self) -> dict:
        """``{field: {amount, currency} | None}`` for every money field (most findings carry none)."""
        values = _MONEY_OF(self)
        if values == _NO_MONEY:
            return _NO_MONEY_DICT.copy()
        return {name: value.to_dict() if value is not None else None for name, value in zip(MONEY_FIELDS, values)}


def money_totals(findings) -> dict[str, list[dict]]:
    """Each money field summed per currency; a resource's monthly cost counts once, however many findings it has."""
    totals: dict[str, dict[str, Decimal]] = {name: {} for name in MONEY_FIELDS}
    costed: set = set()
    for finding in findings:
        values = _MONEY_OF(finding)
        if values == _NO_MONEY:
            continue
        for name, money in zip(MONEY_FIELDS, values):
            if money is None:
                continue
            if name == "monthly_cost":
                subject = (finding.resource or {}).get("provider"), (finding.resource or {}).get("id")
                if subject in costed:
                    continue
                costed.add(subject)
            totals[name][money.currency] = totals[name].get(money.currency, Decimal(0)) + money.amount
    return {name: [{"amount": exact(v), "currency": c} for c, v in sorted(totals[name].items())] for name in MONEY_FIELDS}


def resource_ref(resource: dict) -> dict:
    """The :data:`RESOURCE_FIELDS` of a resource, in that order (None for a missing one)."""
    # RESOURCE_FIELDS written out: a dict display is twice as fast as a comprehension, and on a plain
    # dict holding them all (every canonical resource) subscripts are a third faster than get()
    if resource.__class__ is dict:
        try:
            return {"id": resource["id"], "type": resource["type"], "class": resource["class"],
                    "provider": resource["provider"], "account": resource["account"], "region": resource["region"],
                    "name": resource["name"]}
        except KeyError:
            pass
    get = resource.get
    return {"id": get("id"), "type": get("type"), "class": get("class"), "provider": get("provider"),
            "account": get("account"), "region": get("region"), "name": get("name")}


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
        return f"{prefix}{self.code} policy {self.policy}, resource {self.resource}: {self.message}"


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

    def failing(self, fail_on: str = "info") -> list[Finding]:
        """Open findings of enforced policies at or above ``fail_on``."""
        floor = SEVERITY_RANK[fail_on]
        return [
            f
            for f in self.findings
            if f.status == "open" and f.enforcement == "enforce" and SEVERITY_RANK[f.severity] >= floor
        ]

    def exit_code(self, fail_on: str = "info") -> int:
        if self.errors:
            return 2
        return 1 if self.failing(fail_on) else 0

    def owner_summary(self) -> list[dict]:
        """Per owner: findings by status and severity, and dollars (per currency)."""
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.owner, []).append(finding)
        out = []
        for owner in sorted(groups):
            findings = groups[owner]
            by_severity: dict[str, int] = {}
            for finding in findings:
                by_severity[finding.severity] = by_severity.get(finding.severity, 0) + 1
            team = self.teams.get(owner)
            out.append(
                {
                    "owner": owner,
                    "findings": len(findings),
                    "open": sum(1 for f in findings if f.status == "open"),
                    "by_severity": {s: by_severity[s] for s in sorted(by_severity, key=SEVERITY_RANK.get, reverse=True)},
                    **money_totals(findings),
                    "name": team.name if team is not None else owner,
                    "contacts": list(team.contacts) if team is not None else [],
                }
            )
        return out

    def policy_summary(self) -> list[dict]:
        """Per evaluated policy: its findings and their dollars (per currency)."""
        groups: dict[str, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.policy, []).append(finding)
        return [
            {**policy.to_dict(), "findings": len(groups.get(policy.id, ())), **money_totals(groups.get(policy.id, ()))}
            for policy in sorted(self.policies, key=lambda p: p.id)
        ]

    def to_dict(self, tool_version: str) -> dict:
        return {
            "schema_version": FINDINGS_SCHEMA_VERSION,
            "tool": {"name": "costwarden", "version": tool_version},
            "as_of": self.as_of,
            "summary": {
                "resources_evaluated": self.resources_evaluated,
                "cost_rows_evaluated": self.cost_rows_evaluated,
                "policies_evaluated": len(self.policies),
                "policies_skipped": [{"policy": policy, "reason": reason} for policy, reason in self.skipped],
                "findings": len(self.findings),
                "open": sum(1 for f in self.findings if f.status == "open"),
                "errors": len(self.errors),
                "by_owner": self.owner_summary(),
                "by_policy": self.policy_summary(),
            },
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in self.errors],
            "warnings": list(self.warnings),
        }
