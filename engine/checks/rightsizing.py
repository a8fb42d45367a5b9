"""``rightsizing`` — instances oversized for their measured load, with a smaller size of the same family.

What it does
    Reads the resource's utilization statistics (precomputed in the inventory, or computed from a
    ``--metrics`` file over the lookback window) and, when the **trigger** holds — the trigger
    metric's statistic is below a threshold over at least ``min_days`` days of data — looks for a
    smaller size of the **same family** in the size ladders whose projected load stays under the
    **ceiling**. The trigger decides *whether* the resource is oversized; the ceiling decides *how
    far down* it may go.

    Projection model: load scales inversely with capacity. For each measured metric,
    ``projected = observed × current capacity / target capacity`` — vCPU for ``cpu``, memory GiB for
    ``memory`` (``m5.2xlarge`` → ``m5.large`` is 8 → 2 vCPU, so CPU p95 12 % projects to 48 %). A
    target fits when every projected value is ``<= limit - headroom``. CPU must fit; memory must
    fit too when the resource has memory statistics (with fewer days than ``min_days`` the memory
    reading counts as too little data). The model is linear and ignores per-vCPU speed differences,
    caches and burst credits: that is what the headroom is for.

    The target is the smallest fitting size at most ``max_steps`` steps down the ladder, on the
    same architecture and not burstable, unless ``allow_architecture_change`` /
    ``allow_burstable`` say otherwise; a resource of a burstable family (t3, B, e2 shared-core) is
    not evaluated unless ``allow_burstable`` is true — its CPU credits make utilization a poor
    guide. The finding carries the recommendation (current → target), the projected load, the
    confidence inputs (days of data, samples, sampling period, statistic) and the estimated
    monthly saving with the price source that priced it (FOCUS cost data with ``--costs``, then the price
    table of ``--prices``; see docs/prices.md). A resource
    covered by a commitment saves nothing until the commitment ends, and the finding says so.

    **No recommendation.** A resource whose trigger holds but on too little data (fewer days than
    ``min_days``, an unknown number of days, samples coarser than ``max_period``, memory measured
    on too few days), or that has no smaller size, no fitting one (memory-bound) or a size unknown
    to the ladders, gets an ``info`` finding that never fails the run (``enforcement: audit``), with
    ``recommendation: null`` and a ``reason`` (``insufficient-data``, ``no-smaller-size``,
    ``nothing-fits``, ``unknown-size``) — unless ``insufficient_data`` / ``no_target`` is
    ``ignore``. A resource without data for the trigger metric, or whose trigger does not hold, is
    not reported.

Why is this bad?
    An instance running at 10 % CPU on eight vCPUs pays for six it never uses. Rightsizing is the
    largest single lever on compute spend after turning idle machines off.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-rightsize
        title: Instances sized for their load
        type: rightsizing
        severity: medium
        resource:
          types: [compute.instance]
        spec:
          trigger: {metric: cpu, statistic: p95, below: 20}
          min_days: 14
          ceiling: {statistic: p95, limit: 80, headroom: 10}

    fails on (``m5.2xlarge`` → ``m5.large``: 12 % × 8 / 2 = 48 % <= 70 %)

    .. code-block:: json

        {"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "size": "m5.2xlarge",
         "utilization": {"cpu": {"p95": 12, "days": 30}}}

Use instead
    Move the instance to the recommended size (after checking the workload's own limits), or
    record why it must stay large with an exemption.

Options
    ``trigger`` (required): ``metric`` (default ``cpu``), ``statistic`` (``p50``, ``p95``, ``p99``,
    ``max``, ``avg``; default ``p95``), ``below`` (percent). ``min_days`` (default 14): days of data
    needed. ``max_period`` (seconds, optional): coarser samples do not count (an hourly average
    hides the peaks a 5-minute one shows). ``ceiling``: ``statistic`` (default: the trigger's),
    ``limit`` (percent, default 80), ``headroom`` (percentage points, default 10). ``max_steps``
    (optional): how many sizes down at most. ``allow_burstable``, ``allow_architecture_change``
    (default false). ``insufficient_data``, ``no_target``: ``report`` (default) or ``ignore``.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.checks.base import CheckContext, Report, ResourceCheck
from engine.conditions.compiler import EvaluationFailure
from engine.errors import CheckSetupError, InputError
from engine.pricing.estimate import estimate
from engine.pricing.sources import PriceSources
from engine.violations import Violation

CAPACITY = {"cpu": "vcpu", "memory": "memory_gib"}
# The options' defaults, by their pointer in spec: the schema (policy-types/rightsizing.schema.json) states
# the same ones as "default", for editors (tests/test_policy_type_tables.py holds the two equal)
DEFAULTS = {
    "/trigger/metric": "cpu",
    "/trigger/statistic": "p95",
    "/min_days": 14,
    "/ceiling/limit": 80,
    "/ceiling/headroom": 10,
    "/allow_burstable": False,
    "/allow_architecture_change": False,
    "/insufficient_data": "report",
    "/no_target": "report",
}
NOTE = ("info", "audit")  # severity and enforcement of "no recommendation" findings


@dataclass(frozen=True)
class RightsizingCheck:
    metric: str
    statistic: str
    below: float
    min_days: float
    max_period: int | None
    ceiling_statistic: str
    limit: float
    headroom: float
    max_steps: int | None
    allow_burstable: bool
    allow_architecture_change: bool
    report_insufficient: bool
    report_no_target: bool

    @property
    def ceiling(self) -> float:
        return self.limit - self.headroom

    def bind(self, context: CheckContext) -> ResourceCheck:
        catalog = context.catalog
        if catalog is None:
            raise CheckSetupError("rightsizing needs the size ladders")
        try:
            catalog.size("aws", "")  # build it now: a broken ladder document is a setup error, not a crash
        except InputError as error:
            raise CheckSetupError(f"the size ladders cannot be loaded: {error.problems[0].format()}") from None
        prices = context.prices or PriceSources()
        as_of = context.as_of

        def check(resource):
            utilization = resource.get("utilization")
            stats = utilization.get(self.metric) if isinstance(utilization, dict) else None
            if stats is None:
                return None
            trigger_value = _read(stats, self.statistic, self.metric)
            if trigger_value is None or trigger_value >= self.below:
                return None
            short = self._too_little(stats, self.metric)
            if short is not None:
                if not self.report_insufficient:
                    return None
                return self._note("insufficient-data", short, resource, stats, {"trigger": self._trigger(trigger_value)})
            return self._recommend(resource, utilization, stats, trigger_value, catalog, prices, as_of, known)

        # per run: the candidate sizes below each size, each size's evidence, the ceiling's evidence
        # (shared by the findings of the run, as evidence is frozen by convention: docs/python-api.md)
        known = _Known(candidates={}, sizes={}, ceiling=self._ceiling())
        return check

    # --- the pieces ------------------------------------------------------------------------------

    def _too_little(self, stats: dict, metric: str) -> str | None:
        days = _read(stats, "days", metric)
        if days is None:
            return f"{metric}: the number of days of data is unknown"
        if days < self.min_days:
            return f"{metric}: {_num(days)} days of data, {_num(self.min_days)} needed"
        period = _read(stats, "period", metric)
        if self.max_period is not None and period is not None and period > self.max_period:
            return f"{metric}: sampled every {_num(period)} s, at most {self.max_period} s accepted"
        return None

    def _confidence(self, stats: dict) -> dict:
        return {"statistic": self.statistic, "days": stats.get("days"), "min_days": _num(self.min_days),
                "samples": stats.get("samples"), "period": stats.get("period")}

    def _trigger(self, value: float) -> dict:
        return {"metric": self.metric, "statistic": self.statistic, "below": _num(self.below), "actual": value}

    def _note(self, reason: str, detail: str, resource: dict, stats: dict, extra: dict | None = None) -> Violation:
        evidence = {
            "recommendation": None,
            "reason": reason,
            "detail": detail,
            "actual": {"size": resource.get("size")},
            "confidence": self._confidence(stats),
        }
        evidence.update(extra or {})
        return Violation(f"no recommendation ({reason}): {detail}", evidence, severity=NOTE[0], enforcement=NOTE[1])

    def _recommend(self, resource, utilization, stats, trigger_value, catalog, prices, as_of, known: "_Known") -> Violation | None:
        name = resource.get("size")
        current = catalog.size(resource.get("provider"), name)
        trigger = {"trigger": self._trigger(trigger_value)}
        if current is None:
            if not self.report_no_target:
                return None
            detail = f"size {name} is not in the size ladders" if name else "the resource has no size"
            return self._note("unknown-size", detail, resource, stats, trigger)
        if current.burstable and not self.allow_burstable:
            return None
        observed = {}
        for metric in CAPACITY:  # cpu must fit; memory too when it is measured
            metric_stats = stats if metric == self.metric else utilization.get(metric)
            if metric_stats is None and metric == "memory":
                continue
            problem = None
            if metric_stats is None:
                problem = f"{metric}: not measured"
            elif metric != self.metric:
                problem = self._too_little(metric_stats, metric)
            if problem is None:
                value = _read(metric_stats, self.ceiling_statistic, metric)
                if value is None:
                    problem = f"{metric}: no {self.ceiling_statistic} statistic"
                else:
                    observed[metric] = value
            if problem is not None:
                return self._note("insufficient-data", problem, resource, stats, trigger) if self.report_insufficient else None
        candidates = known.candidates.get(current)
        if candidates is None:
            family = catalog.family(current.provider, current.family)
            candidates = known.candidates[current] = [
                size for size in family.sizes[:current.position]
                if (self.allow_architecture_change or size.architecture == current.architecture)
                and (self.allow_burstable or not size.burstable)
                and (self.max_steps is None or current.position - size.position <= self.max_steps)
            ]
        if not candidates:
            if not self.report_no_target:
                return None
            return self._note("no-smaller-size", f"no smaller size of {current.family} than {current.name} can be recommended",
                              resource, stats, trigger)
        fitting = None
        closest = None
        for size in reversed(candidates):  # one step down first: the smallest that fits wins
            if self._fits(current, size, observed):
                fitting = size
            elif closest is None:
                closest = size
        if fitting is None:
            if not self.report_no_target:
                return None
            size, projection = closest, self._project(current, closest, observed)
            over = [metric for metric, item in projection.items() if item["projected"] > self.ceiling]
            projected = "; ".join(f"{m} {self.ceiling_statistic} {_num(projection[m]['projected'])}%" for m in over)
            detail = f"{', '.join(over)} would exceed the ceiling of {_num(self.ceiling)}% on {size.name} ({projected})"
            return self._note("nothing-fits", detail, resource, stats,
                              {**trigger, "projection": {"target": size.name, **projection}, "ceiling": known.ceiling})
        target, projection = fitting, self._project(current, fitting, observed)
        saving = estimate(resource, current.name, target.name, prices, as_of)
        steps = current.position - target.position
        evidence = {
            "recommendation": {"current": current.name, "target": target.name, "family": current.family, "steps": steps},
            "actual": {"size": current.name, f"{self.metric}.{self.statistic}": trigger_value},
            "expected": {"size": target.name},
            "current": known.size(current),
            "target": known.size(target),
            "trigger": self._trigger(trigger_value),
            "projection": projection,
            "ceiling": known.ceiling,
            "confidence": self._confidence(stats),
            "saving": saving.evidence,
        }
        cpu = projection["cpu"]
        message = (f"{current.name} → {target.name}: {self.metric} {self.statistic} {_num(trigger_value)}% over "
                   f"{_num(stats.get('days'))} days; cpu {self.ceiling_statistic} projected {_num(cpu['projected'])}%")
        if "memory" in projection:
            message += f", memory {_num(projection['memory']['projected'])}%"
        message += f" (ceiling {_num(self.ceiling)}%); {saving.text}"
        return Violation(message, evidence, saving.monthly_cost, saving.monthly_saving)

    def _project(self, current, target, observed: dict) -> dict:
        out = {}
        for metric, value in observed.items():
            attribute = CAPACITY[metric]
            ratio = getattr(current, attribute) / getattr(target, attribute)
            out[metric] = {"observed": value, "projected": round(value * ratio, 2), "capacity_ratio": round(ratio, 4)}
        return out

    def _fits(self, current, target, observed: dict) -> bool:
        """Whether every projected value of :meth:`_project` is within the ceiling (without building it)."""
        ceiling = self.limit - self.headroom
        for metric, value in observed.items():
            attribute = CAPACITY[metric]
            if round(value * (getattr(current, attribute) / getattr(target, attribute)), 2) > ceiling:
                return False
        return True

    def _ceiling(self) -> dict:
        return {"statistic": self.ceiling_statistic, "limit": _num(self.limit), "headroom": _num(self.headroom),
                "max_projected": _num(self.ceiling)}


@dataclass(frozen=True)
class _Known:
    """What one run of a rightsizing check works out once: per size, its smaller candidates and its
    evidence (``Size.to_dict``); the ceiling's evidence."""

    candidates: dict
    sizes: dict
    ceiling: dict

    def size(self, size) -> dict:
        found = self.sizes.get(size)
        if found is None:
            found = self.sizes[size] = size.to_dict()
        return found


def _read(stats: object, name: str, metric: str) -> float | None:
    if not isinstance(stats, dict):
        raise EvaluationFailure(f"utilization.{metric}", f"/resource/utilization/{metric}",
                                TypeError("expected an object of statistics"))
    value = stats.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EvaluationFailure(f"utilization.{metric}.{name}", f"/resource/utilization/{metric}/{name}",
                                TypeError(f"expected a number, got {type(value).__name__} {value!r}"))
    return value


def _num(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def compile_spec(spec: dict, report: Report) -> RightsizingCheck | None:
    trigger = spec["trigger"]
    ceiling = spec.get("ceiling", {})
    statistic = trigger.get("statistic", DEFAULTS["/trigger/statistic"])
    limit = ceiling.get("limit", DEFAULTS["/ceiling/limit"])
    headroom = ceiling.get("headroom", DEFAULTS["/ceiling/headroom"])
    if headroom >= limit:
        report("E328", f"the headroom ({headroom}) leaves nothing below the limit ({limit})", "/ceiling/headroom", None)
        return None
    if trigger["below"] > limit - headroom:
        report("E328", f"the trigger (below {trigger['below']}) is above the ceiling ({limit} - {headroom}): "
                       f"no resource could move down", "/trigger/below", "lower the trigger or raise the ceiling")
        return None
    return RightsizingCheck(
        metric=trigger.get("metric", DEFAULTS["/trigger/metric"]),
        statistic=statistic,
        below=trigger["below"],
        min_days=spec.get("min_days", DEFAULTS["/min_days"]),
        max_period=spec.get("max_period"),
        ceiling_statistic=ceiling.get("statistic", statistic),
        limit=limit,
        headroom=headroom,
        max_steps=spec.get("max_steps"),
        allow_burstable=spec.get("allow_burstable", DEFAULTS["/allow_burstable"]),
        allow_architecture_change=spec.get("allow_architecture_change", DEFAULTS["/allow_architecture_change"]),
        report_insufficient=spec.get("insufficient_data", DEFAULTS["/insufficient_data"]) == "report",
        report_no_target=spec.get("no_target", DEFAULTS["/no_target"]) == "report",
    )
