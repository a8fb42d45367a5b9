"""A plan's resource change -> a canonical resource (:mod:`engine.inventory.resource`) with its ``change``.

Mapping, for the values of the change (``after``; ``before`` for delete and forget):

* ``id``: the resource instance's full address, unique within a plan
  (``module.a.module.b.aws_instance.x["k"]``); a deposed object adds `` (deposed object KEY)``;
* ``type``: the Terraform type (``aws_instance``), which the type vocabulary classifies;
* ``provider``: from ``provider_name`` (:mod:`engine.plans.providers`);
* ``name``: the display name the resource will have: for AWS its ``Name`` tag, else a string ``name``
  attribute, else the Terraform name (``x``);
* ``size``: the first of :data:`SIZE_ATTRIBUTES` the values hold (``instance_type``, ``vm_size``,
  ``machine_type``, ``instance_class``, ...; the last segment of a Google URL);
* ``region`` and ``account``: from the resource's own attributes first (:func:`region_and_account`),
  else from its provider block's constant arguments;
* ``tags``: the effective tags (:mod:`engine.plans.tags`);
* ``properties``: the values themselves, with unknown values absent and sensitive ones hidden;
* ``state``, ``created_at``, ``relationships``, ``utilization``: empty (a plan does not say).

``change`` holds what only a plan knows (see ``schemas/plan-resource.schema.json``).
"""

from __future__ import annotations

import re

from engine.errors import json_pointer
from engine.inventory.resource import last_segment, new_resource
from engine.plans.marks import SENSITIVE, Scrubber, collect_secrets, hide_sensitive, marked_paths, mark_at, pointers_of
from engine.plans.providers import config_account, config_default_tags, config_region
from engine.plans.tags import effective_tags

SIZE_ATTRIBUTES: dict[str, tuple[tuple, ...]] = {
    "aws_ebs_volume": (("type",),),
    "aws_eks_node_group": (("instance_types", 0),),
    "azurerm_managed_disk": (("storage_account_type",),),
    "azurerm_kubernetes_cluster": (("default_node_pool", 0, "vm_size"),),
    "azurerm_kubernetes_cluster_node_pool": (("vm_size",),),
    "azurerm_linux_virtual_machine_scale_set": (("sku",),),
    "azurerm_windows_virtual_machine_scale_set": (("sku",),),
    "azurerm_virtual_machine_scale_set": (("sku", 0, "name"),),
    "azurerm_app_service_plan": (("sku", 0, "size"),),
    "aws_elasticsearch_domain": (("cluster_config", 0, "instance_type"),),
    "aws_opensearch_domain": (("cluster_config", 0, "instance_type"),),
    "google_compute_disk": (("type",),),
    "google_compute_region_disk": (("type",),),
    "google_container_node_pool": (("node_config", 0, "machine_type"),),
    "google_sql_database_instance": (("settings", 0, "tier"),),
    "google_compute_instance_template": (("machine_type",),),
}
"""Where the size is, by Terraform type, for types whose size is not in a general attribute."""

GENERAL_SIZE_ATTRIBUTES: tuple[tuple, ...] = (
    ("instance_type",), ("vm_size",), ("machine_type",), ("instance_class",), ("node_type",), ("sku_name",), ("size",),
)
"""Where the size is for every other type (a string only: a disk's ``size`` is a number of GB)."""

REGION_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws": ("region", "availability_zone"),
    "azure": ("location",),
    "gcp": ("region", "zone", "location"),
}
"""A resource's own attributes that say where it is, by provider, before its provider block."""

_AWS_AZ = re.compile(r"^((?:[a-z]{2}(?:-gov|-iso[a-z]?)?)-[a-z]+-\d+)(?:-[a-z]+-\d+)?[a-z]$")
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")
_ARN = re.compile(r"^arn:[^:]*:[^:]*:([^:]*):([^:]*):")
_AZURE_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.I)


def _dig(values: object, path: tuple) -> tuple[object, bool]:
    """(value at path, present): a missing step is (None, False)."""
    for step in path:
        if step.__class__ is int:
            if values.__class__ is not list or len(values) <= step:
                return None, False
            values = values[step]
        else:
            if values.__class__ is not dict or step not in values:
                return None, False
            values = values[step]
    return values, True


def _mark(unknown: object, path: tuple) -> bool:
    """Whether ``after_unknown`` marks the value at ``path`` (or one enclosing it) unknown."""
    for step in path:
        if unknown is True:
            return True
        if step.__class__ is int:
            unknown = unknown[step] if unknown.__class__ is list and len(unknown) > step else None
        else:
            unknown = unknown.get(step) if unknown.__class__ is dict else None
    return unknown is True


def size_of(tf_type: str, values: object, unknown: object) -> tuple[str | None, bool]:
    """(size, unknown): the first size attribute that is there or unknown decides."""
    for path in SIZE_ATTRIBUTES.get(tf_type, GENERAL_SIZE_ATTRIBUTES):
        if _mark(unknown, path):
            return None, True
        value, present = _dig(values, path)
        if value.__class__ is str and value and value != SENSITIVE:
            return (last_segment(value) if "/" in value else value), False
    return None, False


def region_and_account(provider: str, values: object, unknown: object, expressions: dict | None) -> tuple:
    """(region, account, region unknown, account unknown), best effort.

    Region: AWS ``region`` (per-resource in provider 6), ``availability_zone`` (``us-east-1a`` ->
    ``us-east-1``), the region of ``arn``; Azure ``location`` (lower case, spaces removed:
    ``West Europe`` -> ``westeurope``); Google ``region``, ``zone`` (``us-central1-a`` ->
    ``us-central1``), ``location`` when it is a region or zone; then the provider block's ``region``
    (Google: or ``zone``). Account: the AWS account of ``arn``, else a single constant
    ``allowed_account_ids``; the Azure subscription of ``id``, else ``subscription_id``; the Google
    ``project``, else the provider's ``project``. Unknown when no source is known and one is unknown.
    """
    region = account = None
    region_unknown = account_unknown = False
    for name in REGION_ATTRIBUTES.get(provider, ()):
        if mark_at(unknown, name) is True:
            region_unknown = True
            continue
        value = values.get(name) if values.__class__ is dict else None
        if value.__class__ is not str or not value or value == SENSITIVE:
            continue
        region = _region_from(provider, name, value)
        if region:
            break
    if provider == "aws":
        arn = values.get("arn") if values.__class__ is dict else None
        match = _ARN.match(arn) if arn.__class__ is str else None
        if match:
            region = region or match.group(1) or None
            account = match.group(2) or None
        elif mark_at(unknown, "arn") is True:
            account_unknown = True
    elif provider == "azure":
        resource_id = values.get("id") if values.__class__ is dict else None
        match = _AZURE_SUBSCRIPTION.match(resource_id) if resource_id.__class__ is str else None
        if match:
            account = match.group(1)
    elif provider == "gcp":
        project = values.get("project") if values.__class__ is dict else None
        if project.__class__ is str and project and project != SENSITIVE:
            account = project
        elif mark_at(unknown, "project") is True:
            account_unknown = True
    region = region or config_region(provider, expressions)
    account = account or config_account(provider, expressions)
    return region, account, region_unknown and region is None, account_unknown and account is None


def _region_from(provider: str, name: str, value: str) -> str | None:
    if provider == "aws":
        if name == "availability_zone":
            match = _AWS_AZ.match(value)
            return match.group(1) if match else None
        return value
    if provider == "azure":
        return value.replace(" ", "").lower()
    if name == "zone" or name == "location":
        match = _GCP_ZONE.match(value)
        if match:
            return match.group(1)
        return value.lower() if name == "location" and re.match(r"^[a-z]+-[a-z]+\d+$", value) else None
    return value


def display_name(provider: str, tags: dict, values: object, tf_name: str) -> str:
    if provider == "aws":
        name = tags.get("Name")
        if name.__class__ is str and name and name != SENSITIVE:
            return name
    name = values.get("name") if values.__class__ is dict else None
    if name.__class__ is str and name and name != SENSITIVE:
        return name
    return tf_name


def build_resource(
    entry: dict,
    *,
    resource_id: str,
    action: str,
    side: str,
    provider: str,
    expressions: dict | None,
    secrets_found: set | None = None,
) -> tuple[dict, list[str]]:
    """The canonical resource of a checked ``resource_changes`` entry, and warnings about it.

    ``side`` is ``after`` or ``before`` (:data:`engine.plans.actions.VALUES_OF`). The entry's values
    are used in place (sensitive ones replaced), not copied. The entry's sensitive values are added
    to ``secrets_found`` when given (to hide them in the other resources too: :func:`scrub_resource`).
    """
    change = entry["change"]
    values = change.get(side)
    unknown = change.get("after_unknown") if side == "after" else None
    marks = change.get(side + "_sensitive")
    other = "before" if side == "after" else "after"
    secrets: set = set()
    collect_secrets(change.get(other), change.get(other + "_sensitive"), secrets)
    values, hidden = hide_sensitive(values, marks, secrets)
    if values.__class__ is not dict:
        hidden_all = values == SENSITIVE
        values = {}
    else:
        hidden_all = False
    unknown_paths = marked_paths(unknown) if unknown is not None else []

    tf_type = entry["type"]
    tags = effective_tags(provider, values, unknown, config_default_tags(provider, expressions))
    size, size_unknown = size_of(tf_type, values, unknown)
    region, account, region_unknown, account_unknown = region_and_account(provider, values, unknown, expressions)

    unknown_pointers = pointers_of(unknown_paths, ("properties",)) + tags.unknown
    if size_unknown:
        unknown_pointers.append("/size")
    if region_unknown:
        unknown_pointers.append("/region")
    if account_unknown:
        unknown_pointers.append("/account")
    sensitive_pointers = (["/properties"] if hidden_all else pointers_of(hidden, ("properties",))) + tags.sensitive

    resource = new_resource(
        id=resource_id,
        type=tf_type,
        provider=provider,
        account=account,
        region=region,
        name=display_name(provider, tags.tags, values, entry["name"]),
        tags=tags.tags,
        size=size,
        properties=values,
    )
    resource["change"] = {
        "action": action,
        "actions": list(change["actions"]),
        "address": entry["address"],
        "previous_address": entry.get("previous_address") if entry.get("previous_address").__class__ is str else None,
        "module_address": entry.get("module_address") if entry.get("module_address").__class__ is str else None,
        "mode": entry["mode"],
        "name": entry["name"],
        "index": entry.get("index") if entry.get("index").__class__ in (int, str) else None,
        "deposed": entry.get("deposed") if entry.get("deposed").__class__ is str else None,
        "provider_name": entry.get("provider_name") if entry.get("provider_name").__class__ is str else None,
        "action_reason": entry.get("action_reason") if entry.get("action_reason").__class__ is str else None,
        "unknown": sorted(set(unknown_pointers)),
        "sensitive": sorted(set(sensitive_pointers)),
        "plan_location": None,
        "source_location": None,
    }
    if secrets:
        scrub_resource(resource, Scrubber(secrets))
        if secrets_found is not None:
            secrets_found.update(secrets)
    warnings = []
    for key in tags.dropped:
        what = f"tag '{key}'" if key and "[" not in key else f"'{key or 'tags'}'"
        warnings.append(f"{resource['id']}: {what} has a value that is not a string; left out of its tags")
    return resource, warnings


_NEVER_SCRUBBED = frozenset({"type", "class", "provider", "change"})
_CHANGE_SCRUBBED = ("address", "previous_address", "module_address", "name", "index")


def scrub_resource(resource: dict, scrubber: Scrubber) -> None:
    """Replace every occurrence of ``scrubber``'s values in a planned resource; a tag whose value held one
    is listed in ``change.sensitive``."""
    _scrub(resource, scrubber)
    scrubbed = [json_pointer(("tags", key)) for key, value in resource["tags"].items()
                if value.__class__ is str and SENSITIVE in value]
    if scrubbed:  # a tag that repeats a sensitive value unmarked (tags_all copies tags) is sensitive too
        resource["change"]["sensitive"] = sorted(set(resource["change"]["sensitive"]).union(scrubbed))


def _scrub(resource: dict, scrubber: Scrubber) -> None:
    """Replace every occurrence of the change's sensitive values in the resource: its values, tags,
    names and ids (the type, class, provider and the plan's own names of actions and modes are not values)."""
    for key, value in resource.items():
        if key not in _NEVER_SCRUBBED:
            resource[key] = scrubber.value(value)
    change = resource["change"]
    for key in _CHANGE_SCRUBBED:
        change[key] = scrubber.value(change[key])
