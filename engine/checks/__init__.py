"""The policy types: one table, type name -> module and schema.

Each module holds one policy type: a docstring with the fixed sections (What it does / Why is
this bad? / Example / Use instead / Options) and a ``compile(spec, report)`` function returning
an object whose ``bind(context)`` gives the per-resource check. ``schemas/policy-types/`` holds
one schema per entry; a contract test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from engine.checks import condition, previous_generation, rightsizing, tagging, waste


@dataclass(frozen=True)
class PolicyType:
    name: str
    module: ModuleType
    schema: str  # path under schemas/
    summary: str
    condition_fields: tuple[str, ...] = ()  # spec fields holding a condition


CHECKS: dict[str, PolicyType] = {
    "condition": PolicyType("condition", condition, "policy-types/condition.schema.json", "generic condition on resource fields (JMESPath paths, operators, all/any/not)", ("fail_if",)),
    "tagging": PolicyType("tagging", tagging, "policy-types/tagging.schema.json", "required tag keys, allowed values, key-case drift"),
    "rightsizing": PolicyType("rightsizing", rightsizing, "policy-types/rightsizing.schema.json", "oversized for the measured load: a smaller size of the same family, priced"),
    "previous-generation": PolicyType("previous-generation", previous_generation, "policy-types/previous-generation.schema.json", "previous-generation family or volume type: the current equivalent, priced"),
    "waste": PolicyType("waste", waste, "policy-types/waste.schema.json", "paid for and unused (a condition); the saving is the resource's monthly cost", ("fail_if",)),
}
