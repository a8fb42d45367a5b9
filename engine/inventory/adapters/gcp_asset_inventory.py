"""GCP Cloud Asset Inventory exports.

Accepted shapes: a JSON array of assets, a single asset, newline-delimited JSON (what
``gcloud asset export`` writes to Cloud Storage), ``{"assets": [...]}`` (ListAssets API), and
search results (``gcloud asset search-all-resources``). Both the export's snake_case
(``asset_type``) and the API's camelCase (``assetType``) are read.

Mapping: the asset ``name`` (``//compute.googleapis.com/projects/p/zones/z/instances/i``) -> id;
``asset_type`` -> type; ``resource.data.labels`` -> tags; the last segment of ``machineType``
(``n1-standard-4``; Cloud SQL: ``settings.tier``; disks: the disk type) -> size; ``status`` -> state;
``creationTimestamp`` -> created_at. The project id in the asset name (else the project number in
``resource.parent``) -> account. The zone (``us-central1-b``) gives the region (``us-central1``);
the zone itself stays in ``properties``. ``properties`` is the asset as exported, so policies read
``properties.resource.data.<field>`` as policy-library constraints read ``asset.resource.data``.
"""

from __future__ import annotations

import re

from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.resource import dig, last_segment, new_resource, required_text, tags_from_mapping, text

_ZONE = re.compile(r"^([a-z]+-[a-z]+[0-9]+)-[a-z]$")
_PROJECT_IN_NAME = re.compile(r"/projects/([^/]+)")


def _type_key(item: dict) -> str:
    return "asset_type" if "asset_type" in item else "assetType"


def _is_asset(item: object) -> bool:
    if item.__class__ is not dict:
        return False
    if "asset" in item and item["asset"].__class__ is dict:  # batchGetAssetsHistory: {"window", "asset"}
        item = item["asset"]
    return "name" in item and ("asset_type" in item or "assetType" in item)


def detect(doc: object) -> bool:
    if doc.__class__ is dict and doc.get("assets").__class__ is list:
        return True
    if doc.__class__ is list:
        return bool(doc) and _is_asset(doc[0])
    return _is_asset(doc)


def convert(doc: object, problems: StructureProblems) -> list[dict]:
    if doc.__class__ is dict and doc.get("assets").__class__ is list:
        items, base = doc["assets"], ("assets",)
    elif doc.__class__ is list:
        items, base = doc, ()
    elif doc.__class__ is dict:
        resource = _resource(doc, (), problems)
        return [resource] if resource is not None else []
    else:
        problems.add((), f"expected Cloud Asset Inventory assets, got {kind_of(doc)}")
        return []
    resources = []
    for index, item in enumerate(items):
        resource = _resource(item, base + (index,), problems)
        if resource is not None:
            resources.append(resource)
    return resources


def _resource(item: object, path: tuple, problems: StructureProblems) -> dict | None:
    if item.__class__ is not dict:
        problems.add(path, f"an asset must be an object, got {kind_of(item)}")
        return None
    if item.get("asset").__class__ is dict and "name" not in item:
        item, path = item["asset"], path + ("asset",)
    type_key = _type_key(item)
    rid = required_text(item.get("name"), path + (("name",) if "name" in item else ()), "name", problems)
    rtype = required_text(item.get(type_key), path + ((type_key,) if type_key in item else ()), "asset_type", problems)
    if rid is None or rtype is None:
        return None
    resource = item.get("resource")
    data = dig(resource, "data")
    if data.__class__ is not dict:
        data = {}
    if resource.__class__ is dict:
        labels, labels_path = data.get("labels"), path + ("resource", "data", "labels")
    else:  # a search result: labels, location, state and createTime are top-level
        labels, labels_path = item.get("labels"), path + ("labels",)
    return new_resource(
        id=rid,
        type=rtype,
        provider="gcp",
        account=_project(rid, item),
        region=_region(item, data),
        name=text(data.get("name")) or text(item.get("displayName")) or last_segment(rid),
        tags=tags_from_mapping(labels, labels_path, problems),
        size=last_segment(data.get("machineType")) or text(dig(data, "settings", "tier")) or _disk_type(rtype, data),
        state=text(data.get("status")) or text(item.get("state")),
        created_at=text(data.get("creationTimestamp")) or text(data.get("timeCreated"))
        or text(data.get("createTime")) or text(item.get("createTime")),
        relationships=_relationships(data),
        properties=item,
    )


def _project(name: str, item: dict) -> str | None:
    match = _PROJECT_IN_NAME.search(name)
    if match:
        return match.group(1)
    for parent in (dig(item, "resource", "parent"), item.get("project")):
        if parent.__class__ is str and "projects/" in parent:
            return last_segment(parent)
    return None


def _region(item: dict, data: dict) -> str | None:
    location = (last_segment(data.get("zone")) or last_segment(data.get("region"))
                or text(dig(item, "resource", "location")) or text(item.get("location")) or text(data.get("location")))
    if location is None:
        return None
    zone = _ZONE.match(location)
    return zone.group(1) if zone else location


def _disk_type(rtype: str, data: dict) -> str | None:
    if rtype.endswith(("/Disk", "/RegionDisk")):
        return last_segment(data.get("type"))
    return None


def _relationships(data: dict) -> list[dict]:
    out = []
    disks = data.get("disks") if "disks" in data else data.get("disk")  # old exports name the field "disk"
    if disks.__class__ is list:
        for disk in disks:
            source = text(dig(disk, "source"))
            if source:
                out.append({"type": "volume", "id": source})
    users = data.get("users")
    if users.__class__ is list:
        for user in users:
            if user.__class__ is str and user:
                out.append({"type": "attached-to", "id": user})
    return out
