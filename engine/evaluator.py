"""Evaluation: every enabled policy over every resource it selects.

A policy's check is bound once per run (the clock and the team directory are fixed then), then
called per resource. A condition that meets a value of the wrong type raises
:class:`~engine.conditions.compiler.EvaluationFailure`; it is recorded as an evaluation error
naming the policy, the resource and the path, and evaluation goes on with the next resource.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from engine.checks.base import CheckContext, CheckSetupError
from engine.conditions.compiler import EvaluationFailure
from engine.findings import EvaluationError, Finding, Result, resource_ref
from engine.ownership import NO_OWNERSHIP
from engine.policy import PolicyLibrary
from engine.pricing.sources import PriceSources

MAX_ERRORS_PER_POLICY = 20


def as_of_datetime(as_of: date | datetime | str | None) -> datetime:
    """The as-of instant in UTC. A date means 00:00 UTC of that day; no as-of means now."""
    if as_of is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of) if len(as_of) == 10 else datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)
    return datetime.combine(as_of, time.min, tzinfo=timezone.utc)


def evaluate(library: PolicyLibrary, resources: list[dict], *, ownership=None, as_of=None, warnings=(), prices=None) -> Result:
    """Evaluate the library's enabled policies over ``resources``; deterministic for a given as-of.

    ``prices`` (an :class:`engine.pricing.PriceSources`) prices savings; without it they are unpriced.
    """
    when = as_of_datetime(as_of)
    ownership = ownership or NO_OWNERSHIP
    context = CheckContext(as_of=when, ownership=ownership, catalog=library.catalog, prices=prices or PriceSources())
    findings: list[Finding] = []
    errors: list[EvaluationError] = []
    policies = [p for p in library.policies if p.enabled]
    resolve = ownership.resolve
    for policy in policies:
        try:
            check = policy.check.bind(context)
        except CheckSetupError as error:
            errors.append(EvaluationError("E503", policy.id, str(error), file=policy.file, line=policy.line))
            continue
        selects = policy.selector()
        where = policy.where.bind(when) if policy.where is not None else None
        failed: list[tuple[dict, object]] = []
        policy_errors = 0
        for resource in resources:
            if selects is not None and not selects(resource):
                continue
            try:
                if where is not None and not where(resource):
                    continue
                violation = check(resource)
            except EvaluationFailure as failure:
                policy_errors += 1
                if policy_errors <= MAX_ERRORS_PER_POLICY:
                    errors.append(_error(policy, resource, failure))
                continue
            if violation is not None:
                failed.append((resource, violation))
        if policy_errors > MAX_ERRORS_PER_POLICY:
            errors.append(
                EvaluationError("E502", policy.id, f"{policy_errors - MAX_ERRORS_PER_POLICY} more evaluation errors not shown", file=policy.file, line=policy.line)
            )
        for resource, violation in failed:
            owner, source = resolve(resource)
            findings.append(
                Finding(
                    policy=policy.id,
                    severity=violation.severity or policy.severity,
                    enforcement=violation.enforcement or policy.enforcement,
                    message=violation.message,
                    owner=owner,
                    owner_source=source,
                    resource=resource_ref(resource),
                    evidence=violation.evidence,
                    title=policy.title,
                    monthly_cost=violation.monthly_cost,
                    monthly_saving=violation.monthly_saving,
                )
            )
    findings.sort(key=Finding.sort_key)
    return Result(
        findings=tuple(findings),
        errors=tuple(errors),
        policies=tuple(policies),
        as_of=when.isoformat().replace("+00:00", "Z"),
        resources_evaluated=len(resources),
        warnings=tuple(warnings),
        teams=dict(ownership.teams),
    )


def _error(policy, resource: dict, failure: EvaluationFailure) -> EvaluationError:
    pointer = failure.pointer if failure.pointer.startswith("/resource/") else "/spec" + failure.pointer
    line, column = policy.position(pointer)
    return EvaluationError(
        code="E501",
        policy=policy.id,
        resource=resource.get("id"),
        path=failure.path,
        message=f"cannot evaluate the condition at {pointer}: {failure}",
        file=policy.file,
        line=line,
        column=column,
    )
