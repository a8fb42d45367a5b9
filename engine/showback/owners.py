"""Who owns a cost row's spend in showback, and what is *unassigned*.

The owner of a cost row is the team the ownership chain names for it, through the chain the
policies use (:meth:`engine.ownership.Ownership.sql`: tag steps, the account map, resource-id
patterns), step by step in the same order. The chain's ``default`` step is different: it gives
*findings* an accountable team, but spend that only the default step assigns has no owner of its
own, so showback lists it as **unassigned** (:data:`UNASSIGNED_SPEND`) — unless the Ownership
document says the default team really owns it (``{default: finops, owns_spend: true}``). Rows
that no step assigns at all (no default step) are unassigned too.

A finding is counted the same way where showback numbers meet findings (the scorecard, the
history): a finding whose ``owner_source`` is ``default`` (without ``owns_spend``) or ``none``
belongs to the unassigned row, every other finding to its owner.
"""

from __future__ import annotations

from engine.ownership import DefaultStep

UNASSIGNED_SPEND = "(unassigned)"  # the owner of unassigned spend (not a valid team id, so never a team's)
UNASSIGNED_NAME = "Unassigned"


def owner_sql(ownership, d, tags) -> str:
    """SQL: the team that owns the row's spend, NULL when it is unassigned (see the module doc).
    ``tags`` is the :class:`~engine.costs.sql.TagJoin` the tag steps go through."""
    parts = []
    for step in ownership.steps:
        if type(step) is DefaultStep:
            if step.owns_spend:
                parts.append(step.sql(d, ownership.names, tags))
            break
        expression = step.sql(d, ownership.names, tags)
        if expression is not None:
            parts.append(expression)
    if not parts:
        return "CAST(NULL AS VARCHAR)"
    return f"coalesce({', '.join(parts)})" if len(parts) > 1 else parts[0]


def default_owns_spend(ownership) -> bool:
    for step in ownership.steps:
        if type(step) is DefaultStep:
            return step.owns_spend
    return False


def finding_owner(owner: str, owner_source: str, owns_spend: bool) -> str:
    """The showback owner of a finding: :data:`UNASSIGNED_SPEND` for one only the default step (without
    ``owns_spend``) or nothing assigned, else its owner."""
    if owner_source == "none" or (owner_source == "default" and not owns_spend):
        return UNASSIGNED_SPEND
    return owner


def owner_name(ownership, owner: str) -> str:
    """How people read an owner: the team's name from the directory, ``Unassigned``, or the id."""
    if owner == UNASSIGNED_SPEND:
        return UNASSIGNED_NAME
    team = ownership.team(owner) if ownership is not None else None
    return team.name if team is not None else owner
