"""The policy types: one table, type name -> module and schema.

Each module holds one policy type: a docstring with the fixed sections (What it does / Why is
this bad? / Example / Use instead / Options) and a ``compile_spec(spec, report)`` function. The
type's ``target`` says what it evaluates:

``inventory``
    the compiled object's ``bind(context)`` gives the per-resource check
    (``resource -> Violation | None``);
``costs``
    the compiled object's ``run(costs, context, severity)`` aggregates the cost snapshot in SQL
    and returns :class:`~engine.violations.CostViolation` per failing scope;
``change``
    the same ``run(costs, context, severity)`` over the priced Terraform plan, ``context.change``
    (:class:`engine.change_cost.ChangeCost`; ``costs`` may be None): what the change adds per owner.

``schemas/policy-types/`` holds one schema per entry; a contract test keeps the two in step.

A policy type is written in five places: its module here, its spec schema under
``schemas/policy-types/``, its line in :data:`CHECKS`, and a built-in policy with its test under
``policies/`` (plus, for a new kind of dollars, one entry in :data:`engine.findings.MONEY`). What
follows from the table is written by ``python -m engine.checks.derived --write`` (the type enum and
spec routing of ``schemas/policy.schema.json``, the money parts of the findings and policy-test
schemas, the tables of ``docs/policy-types.md``), and a test fails while those files are stale;
the CLI's help reads the table when it is shown. See ``docs/policy-types.md``.

An inventory check may also carry ``check.scan(resources, emit)``, the same decision over
many resources in one loop; the built-in types get both from :mod:`engine.codegen`, which
writes them out as Python source. The evaluator uses ``scan`` when it is there, and ``check``
otherwise. A scan may give ``emit`` a violation plain, as ``(message, evidence)`` (see
:mod:`engine.codegen`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from engine.checks import (budget, change_budget, commitment, condition, cost_delta, previous_generation, rightsizing, tag_coverage,
                           tagging, waste)


TARGETS: dict[str, str] = {
    "inventory": "inventory resources (`--inventory`)",
    "costs": "the cost snapshot (`--costs`), per scope",
    "change": "a priced Terraform plan (`--plan`, with `--costs` and/or `--prices`), per owner",
}
"""What each target evaluates, in words (docs/policy-types.md)."""


@dataclass(frozen=True)
class PolicyType:
    name: str
    module: ModuleType
    schema: str  # path under schemas/
    summary: str  # what it checks, in a line (docs/policy-types.md)
    condition_fields: tuple[str, ...] = ()  # spec fields holding a condition
    target: str = "inventory"  # inventory | costs | change (TARGETS)
    prices: bool = False  # prices savings (context.prices): with --costs, the FOCUS price sources are loaded for it
    money: tuple[str, ...] = ()  # the money fields (engine.findings.MONEY) its check gives its findings

    @property
    def findings_money(self) -> tuple[str, ...]:
        """Every money field its findings can carry: an inventory finding also gets the resource's
        ``monthly_cost`` from a cost snapshot."""
        added = ("monthly_cost",) if self.target == "inventory" and "monthly_cost" not in self.money else ()
        return added + self.money


CHECKS: dict[str, PolicyType] = {
    "condition": PolicyType("condition", condition, "policy-types/condition.schema.json", "a generic condition on resource fields (JMESPath paths, operators, all/any/not); a resource fails when fail_if holds", ("fail_if",)),
    "tagging": PolicyType("tagging", tagging, "policy-types/tagging.schema.json", "required tag keys, allowed values (list, regex or a team of the directory), key-case drift and near misses"),
    "rightsizing": PolicyType("rightsizing", rightsizing, "policy-types/rightsizing.schema.json", "oversized for the measured load: a smaller size of the same family, the projected load and the priced saving", prices=True, money=("monthly_cost", "monthly_saving")),
    "previous-generation": PolicyType("previous-generation", previous_generation, "policy-types/previous-generation.schema.json", "a previous-generation family or volume type: the current equivalent and the priced saving", prices=True, money=("monthly_cost", "monthly_saving")),
    "waste": PolicyType("waste", waste, "policy-types/waste.schema.json", "paid for and unused: a condition whose findings are priced at the resource's monthly cost (what deleting it saves)", ("fail_if",), prices=True, money=("monthly_cost", "monthly_saving")),
    "budget": PolicyType("budget", budget, "policy-types/budget.schema.json", "spend per scope against a budget, on actuals and on a run-rate forecast", target="costs", money=("overspend",)),
    "tag-coverage": PolicyType("tag-coverage", tag_coverage, "policy-types/tag-coverage.schema.json", "share of spend carrying the allocation tags, by cost and by rows", target="costs", money=("unallocated_cost",)),
    "commitment": PolicyType("commitment", commitment, "policy-types/commitment.schema.json", "commitment utilization and coverage, with unused and on-demand dollars", target="costs", money=("uncovered_cost", "unused_commitment_cost")),
    "cost-delta": PolicyType("cost-delta", cost_delta, "policy-types/cost-delta.schema.json", "what a planned change adds to the monthly cost, per owner or in all, against amounts and percentages of the current cost", target="change", money=("cost_change",)),
    "change-budget": PolicyType("change-budget", change_budget, "policy-types/change-budget.schema.json", "an owner's budget forecast and next period's run rate with the planned change added", target="change", money=("cost_change", "overspend")),
}
