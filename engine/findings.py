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

from engine.policy import SEVERITY_RANK

FINDINGS_SCHEMA_VERSION = "1"
RESOURCE_FIELDS = ("id", "type", "class", "provider", "account", "region", "name")


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def to_dict(self) -> dict:
        return {"amount": format(self.amount, "f"), "currency": self.currency}


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
    scope: dict | None = None  # cost findings: {dimension, value, period: {start, end}}
    monthly_cost: Money | None = None
    monthly_saving: Money | None = None
    overspend: Money | None = None
    status: str = "open"  # open | exempted | baselined
    title: str = ""

    @property
    def fingerprint(self) -> str:
        if self.resource is not None:
            subject = f"resource|{self.resource.get('provider')}|{self.resource.get('id')}"
        else:
            scope = self.scope or {}
            period = scope.get("period") or {}
            subject = f"scope|{scope.get('dimension')}|{scope.get('value')}|{period.get('start')}|{period.get('end')}"
        return hashlib.sha256(f"{self.policy}|{subject}".encode()).hexdigest()[:32]

    def sort_key(self) -> tuple:
        resource = self.resource or {}
        scope = self.scope or {}
        return (self.policy, str(resource.get("provider")), str(resource.get("id")), str(scope.get("value")))

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
            "money": {
                "monthly_cost": _money(self.monthly_cost),
                "monthly_saving": _money(self.monthly_saving),
                "overspend": _money(self.overspend),
            },
        }


def _money(value: Money | None) -> dict | None:
    return value.to_dict() if value is not None else None


def resource_ref(resource: dict) -> dict:
    get = resource.get  # RESOURCE_FIELDS written out: a dict display is twice as fast as a comprehension
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
        owners: dict[str, dict] = {}
        for finding in self.findings:
            entry = owners.setdefault(
                finding.owner,
                {"owner": finding.owner, "findings": 0, "open": 0, "by_severity": {}, "monthly_cost": {}, "monthly_saving": {}, "overspend": {}},
            )
            entry["findings"] += 1
            if finding.status == "open":
                entry["open"] += 1
            entry["by_severity"][finding.severity] = entry["by_severity"].get(finding.severity, 0) + 1
            for name in ("monthly_cost", "monthly_saving", "overspend"):
                money = getattr(finding, name)
                if money is not None:
                    totals = entry[name]
                    totals[money.currency] = totals.get(money.currency, Decimal(0)) + money.amount
        out = []
        for owner in sorted(owners):
            entry = owners[owner]
            for name in ("monthly_cost", "monthly_saving", "overspend"):
                entry[name] = [{"amount": format(v, "f"), "currency": c} for c, v in sorted(entry[name].items())]
            entry["by_severity"] = {s: entry["by_severity"][s] for s in sorted(entry["by_severity"], key=SEVERITY_RANK.get, reverse=True)}
            team = self.teams.get(owner)
            entry["name"] = team.name if team is not None else owner
            entry["contacts"] = list(team.contacts) if team is not None else []
            out.append(entry)
        return out

    def policy_summary(self) -> list[dict]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.policy] = counts.get(finding.policy, 0) + 1
        return [
            {**policy.to_dict(), "findings": counts.get(policy.id, 0)}
            for policy in sorted(self.policies, key=lambda p: p.id)
        ]

    def to_dict(self, tool_version: str) -> dict:
        return {
            "schema_version": FINDINGS_SCHEMA_VERSION,
            "tool": {"name": "costwarden", "version": tool_version},
            "as_of": self.as_of,
            "summary": {
                "resources_evaluated": self.resources_evaluated,
                "policies_evaluated": len(self.policies),
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
