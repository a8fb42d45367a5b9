"""Evaluation: every enabled policy over every resource it selects.

Inventory policies: a policy's check is bound once per run (the clock and the team directory are
fixed then), then called per resource; all inventory policies go over the inventory together, a
block of resources at a time (see :func:`_run_in_blocks`). Cost policies run their SQL over the cost snapshot once and
return failing scopes. A policy whose input was not given (no inventory, no cost snapshot, no
Budgets document, no team directory for a ``known_team`` rule) is skipped and listed as such. A
condition that meets a value of the wrong type raises
:class:`~engine.conditions.compiler.EvaluationFailure`; it is recorded as an evaluation error
naming the policy, the resource and the path, and evaluation goes on with the next resource.
A check with a ``scan`` (see :mod:`engine.checks.codegen`) is run over each block's resources in
one call; if that meets an evaluation error, the policy is run again resource by resource.
"""

from __future__ import annotations

import gc
from datetime import date, datetime, time, timezone

from engine.checks.base import CheckContext
from engine.conditions.compiler import EvaluationFailure
from engine.costs.prices import COLUMNS as PRICE_COLUMNS
from engine.costs.prices import focus_price_sources
from engine.costs.resource_costs import COLUMNS as RESOURCE_COST_COLUMNS
from engine.costs.resource_costs import monthly_costs
from engine.errors import CheckSetupError, CheckSkipped
from engine.fast_init import build_statements
from engine.findings import EvaluationError, Finding, Result, resource_ref
from engine.ownership import NO_OWNERSHIP, Ownership
from engine.policy import PolicyLibrary
from engine.pricing.sources import PriceSources
from engine.selection import ResourceIndex

MAX_ERRORS_PER_POLICY = 20


def as_of_datetime(as_of: date | datetime | str | None) -> datetime:
    """The as-of instant in UTC. A date means 00:00 UTC of that day; no as-of means now.

    A date-time with an offset is converted to UTC (``2026-01-01T12:00:00+02:00`` is
    ``2026-01-01T10:00:00Z``), so one instant spelt two ways gives the same output; one without
    an offset is taken as UTC.
    """
    if as_of is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of) if len(as_of) == 10 else datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    if isinstance(as_of, datetime):
        return as_of.astimezone(timezone.utc) if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)
    return datetime.combine(as_of, time.min, tzinfo=timezone.utc)


def evaluate(
    library: PolicyLibrary,
    resources: list[dict] | None,
    *,
    ownership=None,
    as_of=None,
    warnings=(),
    costs=None,
    budgets=None,
    prices=None,
) -> Result:
    """Evaluate the library's enabled policies; deterministic for a given as-of.

    ``resources``: the inventory (None: no inventory, inventory policies are skipped).
    ``costs``: an :class:`engine.costs.reader.CostSnapshot` (None: cost policies are skipped;
    given: inventory findings also carry the resource's monthly cost).
    ``budgets``: Budgets documents (id -> Budgets), e.g. ``--budgets`` files. Like the team
    directory, budgets are an input of the run: Budgets documents that sit among the policies
    serve the policy tests next to them and are not used unless passed here.
    ``prices`` (an :class:`engine.pricing.PriceSources`, e.g. the price table) prices savings; with
    ``costs`` and an inventory, the FOCUS price sources (:mod:`engine.costs.prices`) are asked first.
    Without any source, savings are unpriced.

    The cyclic garbage collector is paused while it runs (and restored as it was): evaluation
    allocates many objects (findings, their evidence) and none of them form reference cycles, so
    collections during it would only cost time. The CLI pauses it for the whole command anyway.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(library, resources, ownership, as_of, warnings, costs, budgets, prices)
    finally:
        if collecting:
            gc.enable()


def _evaluate(library: PolicyLibrary, resources, ownership, as_of, warnings, costs, budgets, prices) -> Result:
    when = as_of_datetime(as_of)
    ownership = ownership or NO_OWNERSHIP
    findings: list[Finding] = []
    errors: list[EvaluationError] = []
    notes: list[str] = [*warnings, *(costs.warnings if costs is not None else ())]  # the cost snapshot's: rounded money ...
    skipped: list[tuple[str, str]] = []
    policies = [p for p in library.policies if p.enabled]
    prices = _price_sources(prices, costs, resources, when, library, policies, notes)
    context = CheckContext(as_of=when, ownership=ownership, budgets=dict(budgets or {}), catalog=library.catalog, prices=prices)
    resolve = ownership.resolve
    if type(ownership) is Ownership and not ownership.steps:  # nothing to resolve: every finding is unassigned
        resolve = _unassigned
    owners: dict[int, tuple] = {}  # id(resource) -> (resource, owner, owner_source), see _finding_maker
    evaluated = []
    bound: dict[str, _PolicyRun | CheckSkipped | EvaluationError] = {}  # inventory policies: their run, or why not
    if resources is not None:
        index = ResourceIndex(resources)
        for policy in policies:
            if policy.target != "costs":
                bound[policy.id] = _bind(policy, context, index, resolve, owners)
        _run_in_blocks([run for run in bound.values() if isinstance(run, _PolicyRun)], index)
    in_order, last_policy, presorted_count = True, None, 0  # whether findings is in Finding.sort_key order
    for policy in policies:
        if policy.target == "costs":
            if costs is None:
                skipped.append((policy.id, "needs a cost snapshot (--costs)"))
                continue
            if _evaluate_costs(policy, costs, context, findings, errors, skipped, notes):
                evaluated.append(policy)
            continue
        if resources is None:
            skipped.append((policy.id, "needs an inventory snapshot (--inventory)"))
            continue
        run = bound[policy.id]
        if isinstance(run, CheckSkipped):
            skipped.append((policy.id, str(run)))
            continue
        evaluated.append(policy)
        if isinstance(run, EvaluationError):
            errors.append(run)
            continue
        found, keys = run.finish()
        errors += run.errors
        presorted = _presorted(found, keys)
        if presorted is None or (found and last_policy is not None and policy.id <= last_policy):
            in_order = False
        findings += found if presorted is None else presorted
        last_policy = policy.id if found else last_policy
        presorted_count += len(found)
    if costs is not None and findings and not costs.missing(RESOURCE_COST_COLUMNS):
        findings = _with_monthly_costs(findings, costs, when)
    if not in_order or presorted_count != len(findings):
        findings.sort(key=Finding.sort_key)
    # else: each policy's findings came sorted, and the policies by increasing id: the list is already
    # in Finding.sort_key order (tests/test_generated_checks.py holds the two in step)
    return Result(
        findings=tuple(findings),
        errors=tuple(errors),
        policies=tuple(evaluated),
        as_of=when.isoformat().replace("+00:00", "Z"),
        resources_evaluated=len(resources) if resources is not None else 0,
        warnings=tuple(notes),
        teams=dict(ownership.teams),
        cost_rows_evaluated=costs.rows if costs is not None else 0,
        skipped=tuple(skipped),
    )


def _price_sources(prices, costs, resources, when, library: PolicyLibrary, policies, notes: list[str]) -> PriceSources:
    """The price sources in their order: with a cost snapshot and an inventory, the FOCUS sources, then ``prices``."""
    given = list(prices.sources) if prices is not None else []
    if costs is None or resources is None or not any(p.prices for p in policies):
        return PriceSources(given)
    missing = costs.missing(PRICE_COLUMNS)
    if missing:
        notes.append(f"savings are not priced from the cost data: it was loaded without the columns {', '.join(missing)} "
                     "(see PolicyLibrary.cost_columns)")
        return PriceSources(given)
    return PriceSources([*focus_price_sources(costs, resources, when, library.catalog), *given])


def _evaluate_costs(policy, costs, context: CheckContext, findings, errors, skipped, notes) -> bool:
    """Run one cost policy; False when it was skipped."""
    import duckdb

    context.notes.clear()
    missing = costs.missing(policy.check.columns())
    if missing:
        message = f"the cost snapshot was loaded without the columns {', '.join(missing)} (see PolicyLibrary.cost_columns)"
        errors.append(EvaluationError("E503", policy.id, message, file=policy.file, line=policy.line))
        return True
    try:
        violations = policy.check.run(costs, context, policy.severity)
    except CheckSkipped as reason:
        skipped.append((policy.id, str(reason)))
        return False
    except CheckSetupError as error:
        errors.append(EvaluationError("E503", policy.id, str(error), file=policy.file, line=policy.line))
        return True
    except duckdb.Error as error:
        first = str(error).strip().splitlines()[0]
        errors.append(EvaluationError("E504", policy.id, f"the cost query failed: {first}", file=policy.file, line=policy.line))
        return True
    finally:
        notes.extend(f"{policy.id}: {note}" for note in context.notes)
    for violation in violations:
        money = violation.money
        findings.append(
            Finding(
                policy=policy.id,
                severity=violation.severity or policy.severity,
                enforcement=policy.enforcement,
                message=violation.message,
                owner=violation.owner,
                owner_source=violation.owner_source,
                resource=None,
                evidence=violation.evidence,
                scope=violation.scope,
                title=policy.title,
                **money,
            )
        )
    return True


def _with_monthly_costs(findings: list[Finding], costs, when) -> list[Finding]:
    """Inventory findings with the resource's monthly cost from the cost snapshot. The observed cost wins
    over the estimate of a price source (a resource priced by the price table or by unit prices), so
    every finding on a resource shows the same monthly cost."""
    from dataclasses import replace

    ids = {f.resource["id"] for f in findings if f.resource is not None}
    observed = monthly_costs(costs, ids, when)
    if not observed:
        return findings
    return [
        replace(f, monthly_cost=observed[f.resource["id"]])
        if f.resource is not None and f.resource["id"] in observed and f.monthly_cost != observed[f.resource["id"]]
        else f
        for f in findings
    ]


def _unassigned(resource, _owner=NO_OWNERSHIP.resolve({})) -> tuple[str, str]:
    return _owner  # what Ownership.resolve answers when it has no steps


def _finding_maker(policy, resolve, owners: dict):
    """``(resource, violation) -> Finding`` for one policy, and the list of the findings' order keys.

    The violation is a Violation or a plain one, ``(message, evidence)`` (see :mod:`engine.checks.codegen`).
    ``owners`` remembers the owner of each resource by ``id``, with the resource (which it keeps
    alive, so the id is not reused while ``owners`` lives): a resource with findings of several
    policies is resolved once.

    The key, ``provider NUL id``, is taken while the resource is at hand (see :func:`_presorted`).
    """
    keys: list[str] = []
    unassigned = resolve is _unassigned  # an ownership without steps: not asked per finding
    make = _FINDING_MAKERS[unassigned]
    finding = make(policy.id, policy.severity, policy.enforcement, policy.title, resolve, _unassigned(None), keys.append, owners)
    return finding, keys


def _compile_finding_maker(unassigned: bool):
    """``make(policy_id, ..., add_key) -> finding``: the finding maker, written out as one function.

    It resolves the owner (unless every finding is unassigned), takes the resource reference
    (:func:`resource_ref` written out, for a plain dict), adds the order key, and builds the
    :class:`Finding` in place (:func:`engine.fast_init.build_statements`): no call per finding
    but the one to it.
    """
    build, namespace = build_statements(Finding, {
        "policy": "policy_id", "severity": "own_severity or severity", "enforcement": "own_enforcement or enforcement",
        "message": "message", "owner": "owner", "owner_source": "source", "resource": "reference",
        "evidence": "evidence", "monthly_cost": "cost", "monthly_saving": "saving", "title": "title",
    }, target="finding")
    lines = [
        "def make(policy_id, severity, enforcement, title, resolve, unassigned, add_key, owners):",
        "    owner_of = owners.get",
        "    def emit(resource, violation):",
        *(["        owner, source = unassigned"] if unassigned else [
            "        known = owner_of(id(resource))",
            "        if known is None:",
            "            known = owners[id(resource)] = (resource, *resolve(resource))",
            "        _, owner, source = known",
        ]),
        "        if resource.__class__ is dict:",
        "            try:",
        "                provider, rid = resource['provider'], resource['id']",
        "                reference = {'id': rid, 'type': resource['type'], 'class': resource['class'], 'provider': provider,",
        "                             'account': resource['account'], 'region': resource['region'], 'name': resource['name']}",
        "            except KeyError:",
        "                reference = resource_ref(resource)",
        "                provider, rid = reference['provider'], reference['id']",
        "        else:",
        "            reference = resource_ref(resource)",
        "            provider, rid = reference['provider'], reference['id']",
        # a plain violation, (message, evidence), has no money, severity or enforcement of its own
        "        if violation.__class__ is tuple:",
        "            message, evidence = violation",
        "            cost = saving = own_severity = own_enforcement = None",
        "        else:",
        "            message, evidence, cost, saving = violation.message, violation.evidence, violation.monthly_cost, violation.monthly_saving",
        "            own_severity, own_enforcement = violation.severity, violation.enforcement",
        # a priced finding sorts by its saving first (Finding.sort_key): no presorting key then
        "        if saving is None:",
        "            if provider.__class__ is not str:",
        "                provider = str(provider)",
        "            add_key(provider + '\\0' + (rid if rid.__class__ is str else str(rid)) if '\\0' not in provider else None)",
        "        else:",
        "            add_key(None)",
        *("        " + line for line in build),
        "        return finding",
        "    return emit",
    ]
    source = "\n".join(lines) + "\n"
    namespace.update(resource_ref=resource_ref, str=str, dict=dict, KeyError=KeyError, id=id)
    exec(compile(source, f"<finding maker{' (unassigned)' if unassigned else ''}>", "exec"), namespace)  # noqa: S102 - source we wrote
    make = namespace["make"]
    make.source = source
    return make


_FINDING_MAKERS = {unassigned: _compile_finding_maker(unassigned) for unassigned in (False, True)}


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


BLOCK = 512  # inventory positions evaluated by every policy in turn (see _run_in_blocks)


def _bind(policy, context: CheckContext, index: ResourceIndex, resolve, owners: dict):
    """A policy's run over the inventory, or why it has none (CheckSkipped, or an E503 error)."""
    try:
        check = policy.check.bind(context)
    except CheckSkipped as reason:
        return reason
    except CheckSetupError as error:
        return EvaluationError("E503", policy.id, str(error), file=policy.file, line=policy.line)
    where = policy.where.bind(context.as_of) if policy.where is not None else None
    return _PolicyRun(policy, check, where, index, resolve, owners)


def _run_in_blocks(runs: list[_PolicyRun], index: ResourceIndex) -> None:
    """Every policy over its resources, a block of inventory positions at a time.

    Each block (:data:`BLOCK` positions) is selected and then evaluated by every policy in turn, so a
    resource read by one policy is still in the CPU cache when the next reads it: with 14 policies
    over 100k resources, one pass per policy would read every resource from memory again each time
    (five tagging policies: 0.36 s one policy after the other, 0.20 s in blocks). Each policy still
    sees its resources in inventory order, so its findings (and errors) are what one pass gives.
    """
    for selected in index.blocks([run.policy.types for run in runs], BLOCK):
        for run in runs:
            run.block(selected[run.policy.types])


class _PolicyRun:
    """One inventory policy's evaluation: its findings and evaluation errors, made block by block.

    A check with a ``scan`` (see :mod:`engine.checks.codegen`) is run over each block's resources in
    one call; if that meets an evaluation error, the scan's findings are dropped and the policy is
    evaluated again resource by resource at the end (:meth:`finish`), to report each error in order.
    """

    def __init__(self, policy, check, where, index: ResourceIndex, resolve, owners: dict):
        self.policy, self.check, self.where, self.index = policy, check, where, index
        self.resolve, self.owners = resolve, owners
        self.scan = getattr(check, "scan", None) if where is None else None
        self.emit, self.keys = _finding_maker(policy, resolve, owners)
        self.found: list[Finding] | None = []
        self.errors: list[EvaluationError] = []
        self.error_count = 0

    def block(self, resources: list) -> None:
        """The next of the policy's resources, in inventory order."""
        if not resources:
            return
        if self.scan is not None:
            try:
                self.found += self.scan(resources, self.emit)
                return
            except EvaluationFailure:
                self.scan = None  # resource by resource from the start, in finish()
                self.found = None
                return
        if self.found is not None:
            self._one_by_one(resources)

    def finish(self) -> tuple[list[Finding], list]:
        """The findings, and their order keys (see :func:`_presorted`); errors are in ``errors``."""
        if self.found is None:  # a scan met an evaluation error
            self.emit, self.keys = _finding_maker(self.policy, self.resolve, self.owners)
            self.found = []
            self._one_by_one(self.index.select(self.policy))
        if self.error_count > MAX_ERRORS_PER_POLICY:
            policy = self.policy
            self.errors.append(EvaluationError(
                "E502", policy.id, f"{self.error_count - MAX_ERRORS_PER_POLICY} more evaluation errors not shown",
                file=policy.file, line=policy.line))
            self.error_count = MAX_ERRORS_PER_POLICY
        return self.found, self.keys

    def _one_by_one(self, resources: list) -> None:
        check, where, emit, found = self.check, self.where, self.emit, self.found
        for resource in resources:
            try:
                if where is not None and not where(resource):
                    continue
                violation = check(resource)
            except EvaluationFailure as failure:
                self.error_count += 1
                if self.error_count <= MAX_ERRORS_PER_POLICY:
                    self.errors.append(_error(self.policy, resource, failure))
                continue
            if violation is not None:
                found.append(emit(resource, violation))


def _error(policy, resource: dict, failure: EvaluationFailure) -> EvaluationError:
    pointer = failure.pointer if failure.pointer.startswith("/resource/") else "/spec" + failure.pointer
    # a leaf whose value a policy set supplied is reported at that value in the set's file
    file, line, column, note = policy.source_of(pointer + "/value")
    if note is None:
        file, line, column, note = policy.source_of(pointer)
    return EvaluationError(
        code="E501",
        policy=policy.id,
        resource=resource.get("id"),
        path=failure.path,
        message=f"cannot evaluate the condition at {pointer}: {failure}" + (f" ({note})" if note else ""),
        file=file,
        line=line,
        column=column,
    )
