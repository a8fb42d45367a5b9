"""Evaluation: every enabled policy over every resource it selects.

A policy's check is bound once per run (the clock and the team directory are fixed then), then
called per resource. A condition that meets a value of the wrong type raises
:class:`~engine.conditions.compiler.EvaluationFailure`; it is recorded as an evaluation error
naming the policy, the resource and the path, and evaluation goes on with the next resource.
A check with a ``scan`` (see :mod:`engine.checks.codegen`) is run over all its resources in one
call first; if that meets an evaluation error, the policy is run again resource by resource.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from engine.checks.base import CheckContext, CheckSetupError
from engine.conditions.compiler import EvaluationFailure
from engine.fast_init import fast_constructor
from engine.findings import EvaluationError, Finding, Result, resource_ref
from engine.ownership import NO_OWNERSHIP, Ownership
from engine.policy import PolicyLibrary
from engine.selection import ResourceIndex

MAX_ERRORS_PER_POLICY = 20

# Finding(...) without the frozen dataclass __init__: the same object, twice as fast
_FINDING_ARGUMENTS = ("policy", "severity", "enforcement", "message", "owner", "owner_source", "resource", "evidence", "title")
_new_finding = fast_constructor(Finding, _FINDING_ARGUMENTS)


def as_of_datetime(as_of: date | datetime | str | None) -> datetime:
    """The as-of instant in UTC. A date means 00:00 UTC of that day; no as-of means now."""
    if as_of is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of) if len(as_of) == 10 else datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)
    return datetime.combine(as_of, time.min, tzinfo=timezone.utc)


def evaluate(library: PolicyLibrary, resources: list[dict], *, ownership=None, as_of=None, warnings=()) -> Result:
    """Evaluate the library's enabled policies over ``resources``; deterministic for a given as-of."""
    when = as_of_datetime(as_of)
    ownership = ownership or NO_OWNERSHIP
    context = CheckContext(as_of=when, ownership=ownership)
    findings: list[Finding] = []
    errors: list[EvaluationError] = []
    policies = [p for p in library.policies if p.enabled]
    resolve = ownership.resolve
    if type(ownership) is Ownership and not ownership.steps:  # nothing to resolve: every finding is unassigned
        resolve = _unassigned
    index = ResourceIndex(resources, policies)
    in_order, last_policy, presorted_count = True, None, 0  # whether findings is in Finding.sort_key order
    for policy in policies:
        try:
            check = policy.check.bind(context)
        except CheckSetupError as error:
            errors.append(EvaluationError("E503", policy.id, str(error), file=policy.file, line=policy.line))
            continue
        where = policy.where.bind(when) if policy.where is not None else None
        found: list[Finding] | None = None
        policy_errors = 0
        scan = getattr(check, "scan", None)  # the whole selection in one call (engine.checks.codegen)
        if scan is not None and where is None:
            emit, keys = _finding_maker(policy, resolve)
            try:
                found = index.scan(policy, scan, emit)
            except EvaluationFailure:
                found = None  # go resource by resource below, to report each error in order
        if found is None:
            emit, keys = _finding_maker(policy, resolve)
            found = []
            for resource in index.select(policy):
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
                    found.append(emit(resource, violation))
        if policy_errors > MAX_ERRORS_PER_POLICY:
            errors.append(
                EvaluationError("E502", policy.id, f"{policy_errors - MAX_ERRORS_PER_POLICY} more evaluation errors not shown", file=policy.file, line=policy.line)
            )
        presorted = _presorted(found, keys)
        if presorted is None or (found and last_policy is not None and policy.id <= last_policy):
            in_order = False
        findings += found if presorted is None else presorted
        last_policy = policy.id if found else last_policy
        presorted_count += len(found)
    if not in_order or presorted_count != len(findings):
        findings.sort(key=Finding.sort_key)
    # else: each policy's findings came sorted, and the policies by increasing id: the list is already
    # in Finding.sort_key order (tests/test_generated_checks.py holds the two in step)
    return Result(
        findings=tuple(findings),
        errors=tuple(errors),
        policies=tuple(policies),
        as_of=when.isoformat().replace("+00:00", "Z"),
        resources_evaluated=len(resources),
        warnings=tuple(warnings),
        teams=dict(ownership.teams),
    )


def _unassigned(resource, _owner=NO_OWNERSHIP.resolve({})) -> tuple[str, str]:
    return _owner  # what Ownership.resolve answers when it has no steps


def _finding_maker(policy, resolve):
    """``(resource, violation) -> Finding`` for one policy, and the list of the findings' order keys.

    The key, ``provider NUL id``, is taken while the resource is at hand (see :func:`_presorted`).
    """
    policy_id, severity, enforcement, title = policy.id, policy.severity, policy.enforcement, policy.title
    keys: list[str] = []
    add_key = keys.append

    def finding(resource, violation):
        owner, source = resolve(resource)
        reference = resource_ref(resource)
        provider = str(reference["provider"])
        add_key(provider + "\0" + str(reference["id"]) if "\0" not in provider else None)
        # the arguments in the order of _FINDING_ARGUMENTS
        return _new_finding(policy_id, severity, enforcement, violation.message, owner, source, reference,
                            violation.evidence, title)

    return finding, keys


def _presorted(found: list, keys: list) -> list | None:
    """One policy's findings in :meth:`Finding.sort_key` order, given their keys ``provider NUL id``.

    Within one policy, the order of resource findings is that of ``(str(provider), str(id))``. The
    string ``provider NUL id`` orders the same way as long as no provider holds a NUL (the key is
    None then), and sorting strings is several times faster than sorting tuples. None when the keys
    cannot tell.
    """
    if len(keys) != len(found) or None in keys:
        return None
    return [found[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]


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
