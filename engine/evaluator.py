"""Evaluation: every enabled policy over every resource it selects.

Inventory policies: a policy's check is bound once per run (the clock and the team directory are
fixed then), then called per resource; all inventory policies go over the inventory together, a
block of resources at a time (see :func:`_run_in_blocks`). Cost policies run their SQL over the cost snapshot once and
return failing scopes. A policy whose input was not given (no inventory, no cost snapshot, no
Budgets document, no team directory for a ``known_team`` rule) is skipped and listed as such. A
condition that meets a value of the wrong type raises
:class:`~engine.conditions.compiler.EvaluationFailure`; it is recorded as an evaluation error
naming the policy, the resource and the path, and evaluation goes on with the next resource.
A check with a ``scan`` (see :mod:`engine.codegen`) is run over each block's resources in
one call; if that meets an evaluation error, the policy is run again resource by resource.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from itertools import compress, repeat
from operator import contains

from engine.change_cost import price_change
from engine.checks.base import CheckContext
from engine.conditions.compiler import EvaluationFailure
from engine.costs import sql
from engine.costs.periods import ReportPeriod, parse_report_period, policy_period
from engine.costs.prices import COLUMNS as PRICE_COLUMNS
from engine.costs.prices import focus_price_sources
from engine.costs.resource_costs import COLUMNS as RESOURCE_COST_COLUMNS
from engine.costs.resource_costs import monthly_costs
from engine.errors import CheckSetupError, CheckSkipped
from engine.codegen import define, literal
from engine.fast_init import build_statements
from engine.gc_pause import paused_gc
from engine.findings import RESOURCE_FIELDS, EvaluationError, Finding, Result, resource_ref
from engine.judging import unknown_reads
from engine.locating import Locate, planned_resources, with_locations
from engine.ownership import NO_OWNERSHIP, Ownership
from engine.policy import PolicyLibrary
from engine.pricing.sources import PriceSources
from engine.selection import ResourceIndex

MAX_ERRORS_PER_POLICY = 20
STALE_AFTER = timedelta(days=3)  # cost data ending longer before what a policy evaluates is warned about as stale
NOT_JUDGED_LISTED = 10  # resources a "not judged" note names per policy (the others counted)


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
        try:
            return as_of.astimezone(timezone.utc) if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)
        except OverflowError:  # 9999-12-31T23:00-05:00 is in year 10000 in UTC, 0001-01-01T00:00+01:00 in year 0
            raise AsOfOutOfRange("is outside the years 1 to 9999 once converted to UTC") from None
    return datetime.combine(as_of, time.min, tzinfo=timezone.utc)


class AsOfOutOfRange(ValueError):
    """An as-of date-time whose UTC instant the calendar cannot hold."""


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
    period: ReportPeriod | str | None = None,
    stale_after: timedelta | int = STALE_AFTER,
    locate: Locate | None = None,
    plans=None,
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

    ``period``: the period the run reports on (a :class:`~engine.costs.periods.ReportPeriod`, or its
    text: ``2026-05``, ``2026-Q2``, ``2026``, ``2026-05-01..2026-05-15``, ``last-month`` relative to
    ``as_of``): each cost policy evaluates its own period holding the report period's last day, up
    to its end (:func:`~engine.costs.periods.policy_period`); the run's as-of instant becomes the
    report period's end when that is earlier than ``as_of`` (default: now).

    With ``costs``, a cost policy whose period has no cost row at all is an evaluation error
    (E505, naming the period and the dates the data covers), and data that ends more than
    ``stale_after`` (a timedelta, or days; default 3) before what a policy evaluates is warned
    about as stale.

    Resources with a ``change`` come from a Terraform plan (:mod:`engine.plans`): their findings
    point at their ``.tf`` block or plan entry and carry the change in their evidence, and a policy
    that reads a value known only after apply does not judge them (:mod:`engine.judging`; listed
    in the warnings and ``Result.not_judged``). ``locate`` (resource -> ``{"file", "line", "column"}``
    or None) places findings on the other resources, e.g. :meth:`engine.inventory.Inventory.locator`.

    ``plans``: the plan snapshot loaded with ``sides=True`` (:func:`engine.plans.load_plans`): change
    policies (target ``change``: ``cost-delta``, ``change-budget``) price it (:mod:`engine.change_cost`,
    through the FOCUS sources of ``costs`` and ``prices``) and judge what it adds per owner; the priced
    change is in ``Result.change``. Without it they are skipped ("needs a plan").

    The cyclic garbage collector is paused while it runs (:func:`engine.gc_pause.paused_gc`, which
    gives the figure that justifies it).
    """
    with paused_gc():
        return _evaluate(library, resources, ownership, as_of, warnings, costs, budgets, prices, period, stale_after, locate, plans)


def _evaluate(library: PolicyLibrary, resources, ownership, as_of, warnings, costs, budgets, prices, period, stale_after,
              locate, plans) -> Result:
    when = as_of_datetime(as_of)
    if isinstance(period, str):
        period = parse_report_period(period, when)
    if period is not None:  # the run's as-of instant: the report period's end, unless that is still to come
        when = min(when, period.end.replace(tzinfo=timezone.utc))
    if not isinstance(stale_after, timedelta):
        stale_after = timedelta(days=stale_after)
    ownership = ownership or NO_OWNERSHIP
    findings: list[Finding] = []
    errors: list[EvaluationError] = []
    notes: list[str] = [*warnings, *(costs.warnings if costs is not None else ())]  # the cost snapshot's: rounded money ...
    skipped: list[tuple[str, str]] = []
    policies = [p for p in library.policies if p.enabled]
    change = _priced_change(plans, policies, ownership, prices, costs, when, library, resources, notes)
    prices = _price_sources(prices, costs, resources, when, library, policies, notes)
    context = CheckContext(as_of=when, ownership=ownership, budgets=dict(budgets or {}), catalog=library.catalog, prices=prices,
                           period=period, change=change)
    resolve = ownership.resolve
    if type(ownership) is Ownership and not ownership.steps:  # nothing to resolve: every finding is unassigned
        resolve = _unassigned
    owners: dict[int, tuple] = {}  # id(resource) -> (resource, owner, owner_source), see _finding_maker
    evaluated = []
    bound: dict[str, _PolicyRun | CheckSkipped | EvaluationError] = {}  # inventory policies: their run, or why not
    planned: list[dict] = []  # the resources that come from a plan (they have a "change")
    coverage = _CostCoverage(costs, context, stale_after) if costs is not None else None
    if resources is not None:
        index = ResourceIndex(resources)
        for policy in policies:
            if policy.target == "inventory":
                bound[policy.id] = _bind(policy, context, index, resolve, owners)
        planned = _run_in_blocks([run for run in bound.values() if isinstance(run, _PolicyRun)], index)
    judge = _Judge(planned)
    in_order, last_policy, presorted_count = True, None, 0  # whether findings is in Finding.sort_key order
    change_evaluated = False
    for policy in policies:
        if policy.target == "change":
            if change is None:
                skipped.append((policy.id, "needs a plan (--plan)"))
                continue
            if costs is not None and getattr(policy.check, "period", None) is not None and not coverage.covers(policy, errors):
                evaluated.append(policy)  # a forecast from a period without cost rows would be a silent pass: E505
                continue
            views = len(change.budgets)
            if _evaluate_costs(policy, costs, context, findings, errors, skipped, notes):
                evaluated.append(policy)
                change_evaluated = True
            for view in change.budgets[views:]:
                view["policy"] = policy.id
            continue
        if policy.target == "costs":
            if costs is None:
                skipped.append((policy.id, "needs a cost snapshot (--costs)"))
                continue
            noted = len(notes)
            if _evaluate_costs(policy, costs, context, findings, errors, skipped, notes):
                evaluated.append(policy)
                if not coverage.covers(policy, errors):  # no row at all in its period: E505 says it all
                    del notes[noted:]
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
        found, keys, policy_errors = judge.judged(policy, found, keys, run.errors)
        errors += policy_errors
        presorted = _presorted(found, keys)
        if presorted is None or (found and last_policy is not None and policy.id <= last_policy):
            in_order = False
        findings += found if presorted is None else presorted
        last_policy = policy.id if found else last_policy
        presorted_count += len(found)
    if costs is not None and findings and not costs.missing(RESOURCE_COST_COLUMNS):
        findings = _with_monthly_costs(findings, costs, when)
    if planned or locate is not None:
        findings = with_locations(findings, planned, resources, locate)
    if coverage is not None:
        notes.extend(coverage.stale_notes())
    notes.extend(judge.notes())
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
        period=period.to_dict() if period is not None else None,
        not_judged=tuple(judge.not_judged),
        change=change.to_dict(ownership.teams) if change is not None and change_evaluated else None,
    )


def _priced_change(plans, policies, ownership, prices, costs, when, library: PolicyLibrary, resources, notes: list):
    """The priced change (:class:`engine.change_cost.ChangeCost`) when a change policy is enabled and a plan
    was loaded with both sides of its entries; else None."""
    if plans is None or getattr(plans, "entries", None) is None or not any(p.target == "change" for p in policies):
        return None
    inventory = [r for r in resources or () if "change" not in r]
    return price_change(plans.entries, ownership=ownership or NO_OWNERSHIP, prices=prices, costs=costs, as_of=when,
                        catalog=library.catalog, inventory=inventory, notes=notes)


class _Judge:
    """What a policy could not judge on planned resources (values known only after apply, :mod:`engine.judging`):
    every planned resource it selects and reads an unknown value of is listed in the notes, and its
    findings and evaluation errors there are moved out."""

    def __init__(self, planned: list[dict]):
        self.unknown = [r for r in planned if r["change"].get("unknown")]
        self.not_judged: list[tuple[str, str, tuple[str, ...]]] = []

    def judged(self, policy, found: list, keys: list, errors: list) -> tuple[list, list, list]:
        """``found`` (with its order ``keys``, when they are one per finding) and ``errors`` without what
        ``policy`` could not judge."""
        if not self.unknown:
            return found, keys, errors
        reads, selects = unknown_reads(policy), policy.selector()
        skipped: set = set()  # (provider, id) of the resources it could not judge
        for resource in self.unknown:
            if selects is not None and not selects(resource):
                continue
            paths = reads(resource)
            if paths:
                self.not_judged.append((policy.id, resource["id"], paths))
                skipped.add((resource.get("provider"), resource.get("id")))
        if not skipped:
            return found, keys, errors
        ids = {rid for _, rid in skipped}
        aligned = len(keys) == len(found)
        kept, kept_keys = [], []
        for index, finding in enumerate(found):
            reference = finding.resource
            if reference is not None and (reference.get("provider"), reference.get("id")) in skipped:
                continue
            kept.append(finding)
            if aligned:
                kept_keys.append(keys[index])
        kept_errors = [error for error in errors if error.resource is None or error.resource not in ids]
        return kept, kept_keys if aligned else keys, kept_errors

    def notes(self) -> list[str]:
        """One note per policy: how many planned resources it did not judge, which, and the unknown values."""
        by_policy: dict[str, dict[str, tuple[str, ...]]] = {}
        for policy_id, resource_id, paths in self.not_judged:
            by_policy.setdefault(policy_id, {}).setdefault(resource_id, paths)
        out = []
        for policy_id, resources in sorted(by_policy.items()):
            paths = sorted({path for read in resources.values() for path in read})
            ids = sorted(resources)
            listed = ", ".join(ids[:NOT_JUDGED_LISTED]) + (f" and {len(ids) - NOT_JUDGED_LISTED} more" if len(ids) > NOT_JUDGED_LISTED else "")
            count = len(ids)
            out.append(f"{policy_id}: {count} planned resource{'s' if count != 1 else ''} not judged: "
                       f"{', '.join(paths)} known only after apply ({listed})")
        return out


class _CostCoverage:
    """Whether the cost data covers a cost policy's period (E505 when it has no row there), and
    whether it ends long before what the policy evaluates (stale); change policies with a period
    (``change-budget``: a forecast of the period's spend) are held to it as well."""

    def __init__(self, costs, context: CheckContext, stale_after: timedelta):
        self.costs, self.context, self.stale_after = costs, context, stale_after
        self.periods: dict[tuple, tuple[int, datetime | None]] = {}  # (start, end, until) -> (rows, data end)
        self.stale: dict[tuple, list[str]] = {}  # (data end, rows end, label) -> policy ids
        self._range = None

    def covers(self, policy, errors: list) -> bool:
        check = policy.check
        kind = getattr(check, "period", None)
        if kind is None:  # a cost check without a period of its own: nothing to tell
            return True
        period = policy_period(kind, getattr(check, "fiscal_year_start", 1), self.context.as_of, self.context.period)
        key = (period.start, period.end, period.until)
        if key not in self.periods:
            costs, d = self.costs, self.costs.dialect
            rows = costs.query(f"SELECT count(*) FROM {costs.table} WHERE {sql.period_filter(d, period)}")[0][0]
            data_end = costs.query(sql.data_end_query(costs.table, d, period))[0][0] if rows else None
            self.periods[key] = (rows, data_end)
        rows, data_end = self.periods[key]
        if not rows:
            errors.append(EvaluationError("E505", policy.id, f"no cost rows in {_period_words(period)}: {self._covered()}",
                                          file=policy.file, line=policy.line))
            return False
        if data_end is not None and data_end < period.rows_end - self.stale_after:
            self.stale.setdefault((data_end, period.rows_end, _period_words(period)), []).append(policy.id)
        return True

    def _covered(self) -> str:
        if self._range is None:
            costs = self.costs
            self._range = costs.query(f"SELECT min(ChargePeriodStart), max(ChargePeriodEnd) FROM {costs.table}")[0]
        first, last = self._range
        if first is None:
            return "the cost data has no rows"
        last_day = (last - timedelta(microseconds=1)) if last is not None and last > first else first
        return (f"the cost data covers {first:%Y-%m-%d} to {last_day:%Y-%m-%d} (give --period or --as-of inside it, "
                "or a cost export that covers the period)")

    def stale_notes(self) -> list[str]:
        out = []
        for (data_end, rows_end, words), policies in sorted(self.stale.items()):
            out.append(f"the cost data for {words} ends {data_end:%Y-%m-%d %H:%M} UTC, {_days(rows_end - data_end)} "
                       f"before {rows_end:%Y-%m-%d %H:%M} UTC, where {', '.join(sorted(policies))} stop"
                       f"{'s' if len(policies) == 1 else ''}: the export looks stale (more than "
                       f"{_days(self.stale_after)} behind)")
        return out


def _days(span: timedelta) -> str:
    text = f"{round(span / timedelta(days=1), 1):g}"
    return f"{text} day{'s' if text != '1' else ''}"


def _period_words(period) -> str:
    """``2026-05``, ``2026-04-01 to 2026-06-30``, with ``up to 2026-05-15`` when its rows stop before its end."""
    last = period.end - timedelta(days=1)  # (isoformat: strftime's %Y does not pad year 1 to 0001)
    words = period.start.date().isoformat()[:7] if period.kind == "month" else f"{period.start.date()} to {last.date()}"
    if period.until is not None and period.until < period.end:
        stop = period.until
        shown = f"{stop.date()}" if stop == datetime(stop.year, stop.month, stop.day) else f"{stop.date()} {stop:%H:%M} UTC"
        words += f" up to {shown}"
    return words


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
    missing = costs.missing(policy.check.columns()) if costs is not None else []
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

    The violation is a Violation or a plain one, ``(message, evidence)`` (see :mod:`engine.codegen`).
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


def resource_ref_display(name: str) -> str:
    """Python source of :func:`engine.findings.resource_ref` on the plain dict ``name`` holding every field, by
    subscripts (``{'id': resource['id'], ...}``): a dict display is twice as fast as a comprehension, and on a
    plain dict subscripts are a third faster than get(); a missing key raises KeyError (then the plain rule runs)."""
    return "{" + ", ".join(f"{literal(field)}: {name}[{literal(field)}]" for field in RESOURCE_FIELDS) + "}"


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
        f"                reference = {resource_ref_display('resource')}",
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
    return define(f"finding maker{' (unassigned)' if unassigned else ''}", source, namespace)["make"]


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


def _run_in_blocks(runs: list[_PolicyRun], index: ResourceIndex) -> list[dict]:
    """Every policy over its resources, a block of inventory positions at a time; returns the resources
    that come from a plan (those with a ``change``), found while each block is at hand.

    Each block (:data:`BLOCK` positions) is selected and then evaluated by every policy in turn, so a
    resource read by one policy is still in the CPU cache when the next reads it: with 14 policies
    over 100k resources, one pass per policy would read every resource from memory again each time
    (five tagging policies: 0.36 s one policy after the other, 0.20 s in blocks). Each policy still
    sees its resources in inventory order, so its findings (and errors) are what one pass gives.
    Looking for plan resources in a separate pass would read all of them from memory once more
    (23 ms at 100k resources); in the block, it is the same test while they are in the cache.
    """
    planned: list[dict] = []
    for selected in index.blocks([*(run.policy.types for run in runs), None], BLOCK):
        block = selected[None]
        if any(map(contains, block, repeat("change"))):
            planned += planned_resources(compress(block, map(contains, block, repeat("change"))))
        for run in runs:
            run.block(selected[run.policy.types])
    return planned


class _PolicyRun:
    """One inventory policy's evaluation: its findings and evaluation errors, made block by block.

    A check with a ``scan`` (see :mod:`engine.codegen`) is run over each block's resources in
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
