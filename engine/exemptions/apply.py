"""Exemptions applied to a result: the findings they cover become ``exempted``, and each exemption is reported.

An exemption applies to a finding when

* the finding's policy is one of its ``policies``, or carries one of its ``labels``; and
* for a finding about a resource: the resource is named by its ``resources`` — by ``ids``,
  ``addresses`` (a Terraform plan resource's ``change.address``, or its id) or ``globs`` (on the id
  and the address), any of them — and holds its ``resources.where`` condition when there is one
  (``where`` alone selects by the condition); for a cost finding: the scope's value is one of its
  ``scopes`` (``all``: the finding of a policy without a scope);
* it is in force: the as-of date is on or before ``expires``.

An exempted finding keeps everything but its status (``exempted``) and gains ``exemption`` (id,
reason, expiry, approver, ticket); it never fails the run. When several exemptions apply, the
finding records the first by id, and each of them counts it. Each exemption gets a state, in
:attr:`Result.exemptions <engine.findings.Result.exemptions>` (see
:class:`~engine.findings.ExemptionReport`): ``expired`` (before the as-of date; it no longer
applies), ``unused`` (it exempted nothing although the run evaluated one of its policies on one of
its resources or scopes), ``unchecked`` (the run evaluated none of them: e.g. a plan that does not
touch its resources), ``expiring`` (used, and it expires within ``warning_days``), ``active``.

A ``where`` condition that cannot be evaluated on a resource (a type mismatch) is an evaluation
error ``E520`` naming the exemption, the resource and the path; the exemption does not apply there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from engine.conditions.compiler import EvaluationFailure
from engine.exemptions.documents import Exemption
from engine.exemptions.marking import marked
from engine.findings import EvaluationError, ExemptionReport, Result

DEFAULT_WARNING_DAYS = 14
MAX_ERRORS_PER_EXEMPTION = 20


def as_of_date(result: Result) -> date:
    """The as-of date of a result (its ``as_of`` instant is UTC)."""
    return date.fromisoformat(result.as_of[:10])


def apply_exemptions(result: Result, exemptions, *, resources=None, warning_days: int = DEFAULT_WARNING_DAYS) -> Result:
    """``result`` with the findings ``exemptions`` apply to marked ``exempted`` and every exemption reported.

    ``resources`` are the resources the result was evaluated over (the inventory or the plan's):
    ``addresses`` and ``where`` read them, and they tell ``unused`` from ``unchecked``.
    """
    exemptions = sorted(exemptions, key=lambda exemption: exemption.id)
    if not exemptions:
        return replace(result, exemptions=())
    today = as_of_date(result)
    when = datetime.fromisoformat(result.as_of.replace("Z", "+00:00"))
    matcher = _Matcher(result, exemptions, resources, when)
    in_force = [e for e in exemptions if e.expires >= today]
    expired = [e for e in exemptions if e.expires < today]
    applying = matcher.by_policy(in_force)
    lapsed = matcher.by_policy(expired)
    matched = {exemption.id: 0 for exemption in exemptions}
    findings = []
    for finding in result.findings:
        candidates = applying.get(finding.policy)
        if candidates:
            chosen = None
            for exemption in candidates:
                if matcher.applies(exemption, finding):
                    matched[exemption.id] += 1
                    chosen = chosen or exemption
            if chosen is not None and finding.status != "exempted":
                finding = marked(finding, "exempted", chosen.reference())
        for exemption in lapsed.get(finding.policy, ()):
            if matcher.applies(exemption, finding):
                matched[exemption.id] += 1
        findings.append(finding)
    reports = []
    for exemption in exemptions:
        days_left = (exemption.expires - today).days
        if days_left < 0:
            state = "expired"
        elif not matched[exemption.id]:
            state = "unused" if matcher.looked_at(exemption) else "unchecked"
        else:
            state = "expiring" if days_left <= warning_days else "active"
        reports.append(ExemptionReport(
            id=exemption.id, state=state, expires=exemption.expires.isoformat(), days_left=days_left,
            reason=exemption.reason, approver=exemption.approver, ticket=exemption.ticket, matched=matched[exemption.id],
            file=exemption.file, line=exemption.line))
    return replace(result, findings=tuple(findings), exemptions=tuple(reports), errors=result.errors + tuple(matcher.errors))


class _Matcher:
    """Whether an exemption applies to a finding, with the resources at hand and each ``where`` bound once."""

    def __init__(self, result: Result, exemptions: list[Exemption], resources, when: datetime):
        self.policies = {policy.id: policy for policy in result.policies}
        self.resources = resources
        self.when = when
        self.errors: list[EvaluationError] = []
        self._errors_of: dict[str, int] = {}
        self._predicates = {e.id: e.where.bind(when) for e in exemptions if e.where is not None}
        self._index = None

    def by_policy(self, exemptions: list[Exemption]) -> dict[str, list[Exemption]]:
        """Policy id -> the exemptions naming it (by id or label), by exemption id."""
        out: dict[str, list[Exemption]] = {}
        for exemption in exemptions:
            for policy_id in self.policy_ids(exemption):
                out.setdefault(policy_id, []).append(exemption)
        return out

    def policy_ids(self, exemption: Exemption) -> set[str]:
        ids = set(exemption.policies)
        if exemption.labels:
            wanted = set(exemption.labels)
            ids |= {policy.id for policy in self.policies.values() if wanted.intersection(policy.labels)}
        return ids

    def resource(self, reference: dict) -> dict | None:
        """The evaluated resource behind a finding's resource reference (None when the resources were not given)."""
        if self.resources is None:
            return None
        if self._index is None:
            self._index = {(r.get("provider"), r.get("id")): r for r in self.resources}
        return self._index.get((reference.get("provider"), reference.get("id")))

    def applies(self, exemption: Exemption, finding) -> bool:
        if finding.resource is None:
            scope = finding.scope or {}
            return bool(exemption.scopes) and (
                scope.get("value") in exemption.scopes or ("all" in exemption.scopes and scope.get("dimension") == "all"))
        if not exemption.selects_resources:
            return False
        reference = finding.resource
        resource = self.resource(reference) if (exemption.addresses or exemption.globs or exemption.where) else None
        return self.selects(exemption, resource if resource is not None else reference, finding.policy)

    def selects(self, exemption: Exemption, resource: dict, policy_id: str) -> bool:
        """Whether the exemption's ``resources`` select ``resource`` (a resource, or a finding's reference to one)."""
        if not exemption.names(resource.get("id"), _address(resource)):
            return False
        predicate = self._predicates.get(exemption.id)
        if predicate is None:
            return True
        try:
            return bool(predicate(resource))
        except EvaluationFailure as failure:
            self._error(exemption, resource, policy_id, failure)
            return False

    def _error(self, exemption: Exemption, resource: dict, policy_id: str, failure: EvaluationFailure) -> None:
        count = self._errors_of.get(exemption.id, 0)
        self._errors_of[exemption.id] = count + 1
        if count >= MAX_ERRORS_PER_EXEMPTION:
            return
        # the condition was compiled at its place in the document: the failure's pointer is the leaf's there
        line, column = exemption.doc.position(failure.pointer) if exemption.doc is not None else (exemption.line, None)
        self.errors.append(EvaluationError(
            "E520", policy_id, f"exemption '{exemption.id}': its condition could not be evaluated: {failure}",
            resource=str(resource.get("id")), path=failure.path, file=exemption.file, line=line, column=column))

    def looked_at(self, exemption: Exemption) -> bool:
        """Whether the run evaluated one of the exemption's policies on one of its resources or scopes."""
        evaluated = [self.policies[p] for p in self.policy_ids(exemption) if p in self.policies]
        if not evaluated:
            return False
        if exemption.scopes and any(policy.target == "costs" for policy in evaluated):
            return True
        if not exemption.selects_resources or not any(policy.target != "costs" for policy in evaluated):
            return False
        if self.resources is None:
            return True  # its policies ran over resources this step was not given: it cannot tell
        predicate = self._predicates.get(exemption.id)
        for resource in self.resources:
            if exemption.names(resource.get("id"), _address(resource)):
                try:
                    if predicate is None or predicate(resource):
                        return True
                except EvaluationFailure:
                    continue
        return False


def _address(resource: dict) -> str | None:
    """A Terraform plan resource's address (``change.address``); None for other resources."""
    change = resource.get("change")
    return change.get("address") if change.__class__ is dict else None
