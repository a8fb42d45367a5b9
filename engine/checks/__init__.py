"""The policy types: one table, type name -> module and schema.

Each module holds one policy type: a docstring with the fixed sections (What it does / Why is
this bad? / Example / Use instead / Options) and a ``compile(spec, report)`` function. The type's
``target`` says what it evaluates:

``inventory``
    the compiled object's ``bind(context)`` gives the per-resource check
    (``resource -> Violation | None``);
``costs``
    the compiled object's ``run(costs, context, severity)`` aggregates the cost snapshot in SQL
    and returns :class:`~engine.violations.CostViolation` per failing scope.

``schemas/policy-types/`` holds one schema per entry; a contract test keeps the two in step.

An inventory check may also carry ``check.scan(resources, emit)``, the same decision over
many resources in one loop; the built-in types get both from :mod:`engine.codegen`, which
writes them out as Python source. The evaluator uses ``scan`` when it is there, and ``check``
otherwise. A scan may give ``emit`` a violation plain, as ``(message, evidence)`` (see
:mod:`engine.codegen`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from engine.checks import budget, commitment, condition, previous_generation, rightsizing, tag_coverage, tagging, waste


@dataclass(frozen=True)
class PolicyType:
    name: str
    module: ModuleType
    schema: str  # path under schemas/
    summary: str
    condition_fields: tuple[str, ...] = ()  # spec fields holding a condition
    target: str = "inventory"  # inventory | costs
    prices: bool = False  # prices savings (context.prices): with --costs, the FOCUS price sources are loaded for it


CHECKS: dict[str, PolicyType] = {
    "condition": PolicyType("condition", condition, "policy-types/condition.schema.json", "generic condition on resource fields (JMESPath paths, operators, all/any/not)", ("fail_if",)),
    "tagging": PolicyType("tagging", tagging, "policy-types/tagging.schema.json", "required tag keys, allowed values, key-case drift"),
    "rightsizing": PolicyType("rightsizing", rightsizing, "policy-types/rightsizing.schema.json", "oversized for the measured load: a smaller size of the same family, priced", prices=True),
    "previous-generation": PolicyType("previous-generation", previous_generation, "policy-types/previous-generation.schema.json", "previous-generation family or volume type: the current equivalent, priced", prices=True),
    "waste": PolicyType("waste", waste, "policy-types/waste.schema.json", "paid for and unused (a condition); the saving is the resource's monthly cost", ("fail_if",), prices=True),
    "budget": PolicyType("budget", budget, "policy-types/budget.schema.json", "spend per scope against a budget, on actuals and on a run-rate forecast", target="costs"),
    "tag-coverage": PolicyType("tag-coverage", tag_coverage, "policy-types/tag-coverage.schema.json", "share of spend carrying the allocation tags, by cost and by rows", target="costs"),
    "commitment": PolicyType("commitment", commitment, "policy-types/commitment.schema.json", "commitment utilization and coverage, with unused and on-demand dollars", target="costs"),
}
