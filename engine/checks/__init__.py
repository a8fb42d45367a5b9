"""The policy types: one table, type name -> module and schema.

Each module holds one policy type: a docstring with the fixed sections (What it does / Why is
this bad? / Example / Use instead / Options) and a ``compile(spec, report)`` function returning
an object whose ``bind(context)`` gives the per-resource check. ``schemas/policy-types/`` holds
one schema per entry; a contract test keeps the two in step.

A check may also carry ``check.scan(resources, types, emit)``, the same decision over many
resources in one loop; the built-in types get both from :mod:`engine.checks.codegen`, which writes
them out as Python source. The evaluator uses ``scan`` when it is there, and ``check`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from engine.checks import condition, tagging


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
}
