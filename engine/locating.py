"""Where a finding's resource was written: the ``.tf`` block or plan entry of a planned resource, the
inventory file and line of an inventory resource; file paths as a user's tools want them.

A finding on a planned resource (one with a ``change``, :mod:`engine.plans`) points at its
``resource`` block in the ``.tf`` files when the plan was read with a source directory, else at its
entry in the plan file, and its evidence gains ``change``: the action and the address (with the
module path) that identify it in the plan. A finding on an inventory resource points where the
inventory reader could say cheaply (:meth:`engine.inventory.Inventory.locator`).

Paths inside the working directory are written relative to it (SARIF wants repository-relative
URIs, GitHub annotations repository-relative paths); others stay as they are.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from engine.findings import Finding
from engine.plans import location as plan_location
from engine.relative_paths import display_path

Locate = Callable[[dict], "dict | None"]  # resource -> {"file", "line", "column"} or None


def _shown(where: dict | None) -> dict | None:
    """A location as findings carry it; None for none, or for standard input (``<stdin>``: no file to point at)."""
    if not where or not where.get("file") or str(where["file"]).startswith("<"):
        return None
    return {"file": display_path(str(where["file"])), "line": where.get("line"), "column": where.get("column")}


def change_evidence(change: dict) -> dict:
    """What identifies a planned resource's change, for a finding's evidence."""
    return {"action": change.get("action"), "address": change.get("address"), "module_address": change.get("module_address")}


def planned_resources(resources: list) -> list[dict]:
    """The resources that come from a plan (those with a ``change``)."""
    return [resource for resource in resources if resource.__class__ is dict and resource.get("change").__class__ is dict]


def with_locations(findings: list[Finding], planned: list[dict], others: list | None = None,
                   locate: Locate | None = None) -> list[Finding]:
    """``findings`` with the location of their resource: ``planned`` resources always (and ``change`` in
    their evidence), ``others`` through ``locate``. Findings on other resources, and cost findings,
    are returned as they are (the same objects)."""
    if not findings or (not planned and (locate is None or not others)):
        return findings
    by_key = {(r.get("provider"), r.get("id")): r for r in planned}
    located: dict[tuple, dict] = {}
    if locate is not None:
        for resource in others or ():
            if resource.__class__ is dict:
                located.setdefault((resource.get("provider"), resource.get("id")), resource)
    out = []
    for finding in findings:
        reference = finding.resource
        if reference is None:
            out.append(finding)
            continue
        key = (reference.get("provider"), reference.get("id"))
        resource = by_key.get(key)
        if resource is not None:
            out.append(replace(finding, location=_shown(plan_location(resource)),
                               evidence={**finding.evidence, "change": change_evidence(resource["change"])}))
            continue
        resource = located.get(key)
        where = _shown(locate(resource)) if resource is not None else None
        out.append(replace(finding, location=where) if where is not None else finding)
    return out
