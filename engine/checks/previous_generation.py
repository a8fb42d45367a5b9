"""``previous-generation`` — instances and volumes of a previous generation, with the current equivalent.

What it does
    Looks the resource's size up in the previous-generation map (``GenerationMap`` documents; the
    built-in one is ``policies/rightsizing/previous-generations.yaml``). A size whose family is a
    previous generation (``m4``, Azure ``Dsv3``, GCP ``n1-standard``) fails, with a recommendation:
    in the first replacement family that keeps the processor architecture (unless
    ``allow_architecture_change``) and is burstable exactly when the current family is, the smallest
    size with at least the current vCPU and memory (``m4.large`` → ``m7i.large``, ``t2.micro`` →
    ``t3.micro``, ``n1-standard-4`` → ``n2-standard-4``). A size mapped directly (the volume types
    ``gp2`` → ``gp3``, ``io1`` → ``io2``) gets its first replacement. Other replacements are listed
    as alternatives. The finding carries the monthly saving of the move, priced by the first price
    source that prices both sizes (the replacement may cost more: then the saving is 0 and the
    evidence says by how much it costs more); a resource covered by a commitment saves nothing
    until it ends.

Why is this bad?
    Previous generations cost more per unit of work (a current family is typically 10-40 % better
    in price-performance), are the first to lose capacity and support, and gp2 volumes cost ~20 %
    more per GiB than gp3 for the same baseline performance.

Example
    .. code-block:: yaml

        apiVersion: costwarden/v1
        kind: Policy
        id: example-previous-generation
        title: Current-generation instance families
        type: previous-generation
        severity: low
        resource:
          types: [compute.instance]
        spec:
          allow_architecture_change: false

    fails on (``m4.large`` → ``m7i.large``)

    .. code-block:: json

        {"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "size": "m4.large"}

Use instead
    Move to the recommended size when the machine is next rebuilt, or with the next maintenance
    window; for volumes, modify the volume type in place (gp2 → gp3 needs no downtime).

Options
    ``allow_architecture_change`` (default false): recommend a replacement on another architecture
    (Graviton ``m7g`` for ``m4``) when it comes first in the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.checks.base import CheckContext, Report, ResourceCheck
from engine.errors import CheckSetupError, InputError
from engine.pricing.estimate import estimate
from engine.pricing.sources import PriceSources
from engine.violations import Violation


@dataclass(frozen=True)
class PreviousGenerationCheck:
    allow_architecture_change: bool

    def bind(self, context: CheckContext) -> ResourceCheck:
        catalog = context.catalog
        if catalog is None:
            raise CheckSetupError("previous-generation needs the size catalog")
        try:
            catalog.size("aws", "")
        except InputError as error:
            raise CheckSetupError(f"the size ladders cannot be loaded: {error.problems[0].format()}") from None
        prices = context.prices or PriceSources()
        as_of = context.as_of

        known = {}  # (provider, size) -> catalog.replacements(provider, size), asked once per size

        def check(resource):
            name = resource.get("size")
            provider = resource.get("provider")
            if type(name) is str and type(provider) is str:
                try:
                    found = known[(provider, name)]
                except KeyError:
                    found = known[(provider, name)] = catalog.replacements(provider, name)
            else:
                found = catalog.replacements(provider, name)
            if found is None:
                return None
            kind, replacements = found
            if kind == "size":
                target, alternatives = replacements[0], [{"size": size} for size in replacements[1:]]
                current = {"size": name}
            else:
                size = catalog.size(provider, name)
                current = size.to_dict()
                options = self._options(catalog, size, replacements)
                allowed = [option for option in options if option[1]]
                target = allowed[0][0].name if allowed else None
                alternatives = [option[0].to_dict() for option in options if option[0].name != target]
            saving = estimate(resource, name, target, prices, as_of) if target else None
            evidence = {
                "recommendation": {"current": name, "target": target, "alternatives": [a["size"] for a in alternatives]},
                "actual": {"size": name},
                "expected": {"size": target},
                "current": current,
                "alternatives": alternatives,
                "saving": saving.evidence if saving else {"status": "unpriced", "reason": "no replacement size"},
            }
            also = ", ".join(_alternative(a, current.get("architecture")) for a in alternatives)
            if target:
                message = f"{name} is a previous generation: use {target}" + (f" (or {also})" if also else "")
                message += f"; {saving.text}"
                return Violation(message, evidence, saving.monthly_cost, saving.monthly_saving)
            message = f"{name} is a previous generation; no replacement size fits " + (f"(candidates: {also})" if also else "")
            return Violation(message.rstrip(), evidence)

        return check

    def _options(self, catalog, size, families):
        """(candidate size, allowed) per replacement family with a size of at least the same shape."""
        out = []
        for name in families:
            family = catalog.family(size.provider, name)
            fit = next((s for s in family.sizes if s.vcpu >= size.vcpu and s.memory_gib >= size.memory_gib), None)
            if fit is None:
                continue
            allowed = (self.allow_architecture_change or fit.architecture == size.architecture) and fit.burstable == size.burstable
            out.append((fit, allowed))
        return out


def _alternative(item: dict, architecture: str | None) -> str:
    """``m7g.large (arm64)``: the architecture is named when it differs from the current one."""
    other = item.get("architecture")
    return item["size"] + (f" ({other})" if other and other != architecture else "")


def compile_spec(spec: dict, report: Report) -> PreviousGenerationCheck:
    return PreviousGenerationCheck(allow_architecture_change=spec.get("allow_architecture_change", False))
