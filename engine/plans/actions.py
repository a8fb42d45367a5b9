"""The actions of a plan's resource changes: the one table that names them and says which are evaluated.

Terraform (and OpenTofu) write each change's ``actions`` as a list; the lists they write, and the
one name costwarden gives each, are :data:`ACTIONS`. The three "replace" lists differ only in
order (``["delete", "create"]`` destroys first, ``["create", "delete"]`` is create-before-destroy,
``["create", "forget"]`` creates a new object and stops managing the old one): to a policy they are
one action, ``replace``, and the list itself stays in the resource's ``change.actions``.

:data:`SCOPES` says which actions each scope of :func:`engine.plans.load_plans` keeps:

* ``changes`` (the default, what a CI gate checks): what the change creates, updates or replaces;
* ``all``: every planned resource, including those it deletes, forgets, reads or leaves alone.

The values a resource is read from (:data:`VALUES_OF`): the planned ``after`` values, except for
``delete`` and ``forget``, which have none and are read from ``before`` (the object as it is now).
"""

from __future__ import annotations

ACTIONS: dict[tuple[str, ...], str] = {
    ("create",): "create",
    ("update",): "update",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("create", "forget"): "replace",
    ("delete",): "delete",
    ("forget",): "forget",
    ("read",): "read",
    ("no-op",): "no-op",
}
"""Terraform's ``actions`` list -> costwarden's action name."""

SCOPES: dict[str, frozenset[str]] = {
    "changes": frozenset({"create", "update", "replace"}),
    "all": frozenset(ACTIONS.values()),
}

VALUES_OF: dict[str, str] = {name: "before" if name in ("delete", "forget") else "after" for name in ACTIONS.values()}
"""Action name -> the side of the change (``before`` or ``after``) the resource's values come from."""


def action_name(actions: object) -> str | None:
    """costwarden's name of a Terraform ``actions`` list, or None for a list this table does not know."""
    if actions.__class__ is not list:
        return None
    return ACTIONS.get(tuple(actions))
