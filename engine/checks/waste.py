"""``waste`` — resources paid for and unused, priced: the saving is what the resource costs.

What it does
    Like ``condition``: a resource fails when ``fail_if`` holds (an unattached volume, an
    unassociated public IP, a load balancer with no targets, an old snapshot, no usage over the
    lookback window). Each finding is priced: the monthly cost of the resource as it is, which is
    what deleting it saves — from the first price source that prices it (with ``--costs``, what the
    FOCUS cost data bills the resource; the price table prices volumes and snapshots per GiB-month
    × their capacity, and sizeless resources by their class, e.g. ``network.public-ip``). With no price the finding says so; a resource covered by a
    commitment saves nothing until the commitment ends. ``price: none`` reports without pricing
    (for resources whose cost is elsewhere, such as a stopped instance's disks).

Why is this bad?
    Idle and orphaned resources are pure waste: they keep being billed for capacity nobody uses,
    and nobody notices because nothing breaks.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-unattached-volume
        title: Volumes attached to nothing
        type: waste
        severity: medium
        resource:
          types: [block.volume]
        spec:
          fail_if: {path: state, op: in, value: [available, Unattached]}
          message: "the volume is attached to nothing"

    fails on

    .. code-block:: json

        {"id": "vol-1", "type": "AWS::EC2::Volume", "provider": "aws", "size": "gp3", "state": "available"}

Use instead
    Delete the resource (after a snapshot or backup where its data matters), or record why it
    must stay with an exemption that expires.

Options
    ``fail_if`` (required) and ``message``, as for ``condition`` (same placeholders);
    ``price``: ``resource`` (default: the finding's saving is the resource's monthly cost) or
    ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.checks import condition
from engine.checks.base import CheckContext, Report, ResourceCheck
from engine.codegen import pair
from engine.pricing.estimate import estimate
from engine.pricing.sources import PriceSources, price_key
from engine.violations import Violation


@dataclass(frozen=True)
class WasteCheck:
    inner: condition.ConditionCheck
    priced: bool

    def bind(self, context: CheckContext) -> ResourceCheck:
        holds = self.inner.bind(context)
        if not self.priced:
            return holds
        prices = context.prices or PriceSources()
        as_of = context.as_of

        def priced(resource, violation) -> Violation:
            message, evidence = violation if violation.__class__ is tuple else (violation.message, violation.evidence)
            saving = estimate(resource, price_key(resource), None, prices, as_of)
            return Violation(f"{message}; {saving.text}", {**evidence, "saving": saving.evidence},
                             saving.monthly_cost, saving.monthly_saving)

        def check(resource):
            violation = holds(resource)
            return None if violation is None else priced(resource, violation)

        scan = getattr(holds, "scan", None)
        if scan is not None:  # the condition's loop (engine.codegen), pricing only what fails
            check.scan = lambda resources, emit=pair: scan(resources, lambda resource, violation: emit(resource, priced(resource, violation)))
        return check


def compile_spec(spec: dict, report: Report) -> WasteCheck | None:
    inner = condition.compile_spec(spec, report)
    if inner is None:
        return None
    return WasteCheck(inner, spec.get("price", "resource") == "resource")
