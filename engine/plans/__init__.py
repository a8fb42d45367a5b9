"""Terraform / OpenTofu plan JSON (``terraform show -json PLANFILE``) as canonical resources.

``load_plans(paths)`` reads plan files into a :class:`PlanSnapshot`: the resources the change
creates, updates or replaces (``scope="all"``: every planned resource), each a canonical resource
(:mod:`engine.inventory.resource`) with a ``change`` key holding what only a plan knows: the action,
the address, the unknown and sensitive values, the plan file position and the ``.tf`` source
position (``schemas/plan-resource.schema.json``; docs/plans.md).

Modules: :mod:`~engine.plans.reader` (the file, or what it is instead of a plan),
:mod:`~engine.plans.actions` (the action table and scopes), :mod:`~engine.plans.resources` (a change
-> a resource), :mod:`~engine.plans.tags` (effective tags per provider), :mod:`~engine.plans.marks`
(unknown and sensitive values), :mod:`~engine.plans.providers` (provider names and blocks),
:mod:`~engine.plans.source` (``.tf`` block positions), :mod:`~engine.plans.snapshot` (loading).
"""

from engine.plans.actions import ACTIONS, SCOPES
from engine.plans.marks import SENSITIVE, is_sensitive, is_unknown, unknown_tags
from engine.plans.snapshot import PlanEntry, PlanInfo, PlanSnapshot, load_plans


def location(resource: dict) -> dict | None:
    """Where a plan resource is best shown: its ``.tf`` block when known, else its plan file entry
    (``{"file", "line", "column"}``); None for a resource that does not come from a plan."""
    change = resource.get("change")
    if change.__class__ is not dict:
        return None
    return change.get("source_location") or change.get("plan_location")


__all__ = [
    "ACTIONS",
    "SCOPES",
    "SENSITIVE",
    "PlanEntry",
    "PlanInfo",
    "PlanSnapshot",
    "is_sensitive",
    "is_unknown",
    "load_plans",
    "location",
    "unknown_tags",
]
