"""AWS Config configuration items.

Accepted shapes: one configuration item, ``{"configurationItems": [...]}`` (a delivered
configuration snapshot file, or ``aws configservice get-resource-config-history`` output), and an
array of items (or JSON Lines, one item per line).

Mapping: ``arn`` (else ``resourceId``) -> id, so the resource merges with the tagging API's view of
it; ``resourceType`` -> type; ``awsAccountId`` (``accountId`` in version 1.2 items) -> account;
``awsRegion`` -> region; ``resourceName`` (else ``resourceId``) -> name; ``tags`` -> tags;
``configuration.instanceType`` (or the RDS / EBS / ElastiCache equivalent) -> size;
``configuration.state.name`` (or the service's status field) -> state; ``resourceCreationTime``
(else ``configuration.launchTime`` ...) -> created_at; ``relationships`` -> relationships with the
relationship name as type. ``properties`` is the whole configuration item, so policies read
``properties.configuration.<field>`` as Config rules read ``configuration.<field>``.

A history holds several items per resource: the one captured last is kept. Items whose status is
``ResourceDeleted`` / ``ResourceDeletedNotRecorded`` get state ``deleted``.
"""

from __future__ import annotations

from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.resource import dig, new_resource, required_text, tags_from_mapping, tags_from_pairs, text

LIST_KEY = "configurationItems"
_SIZE_FIELDS = ("instanceType", "dBInstanceClass", "volumeType", "cacheNodeType", "nodeType")
_STATE_FIELDS = ("dBInstanceStatus", "status", "volumeState")
_CREATED_FIELDS = ("launchTime", "createTime", "instanceCreateTime", "snapshotCreateTime", "creationDate")


def _is_item(item: object) -> bool:
    return (
        item.__class__ is dict
        and "resourceType" in item
        and ("resourceId" in item or "arn" in item)
        and ("configurationItemCaptureTime" in item or "configuration" in item or "awsRegion" in item)
    )


def detect(doc: object) -> bool:
    if doc.__class__ is dict:
        return doc.get(LIST_KEY).__class__ is list or _is_item(doc)
    return doc.__class__ is list and bool(doc) and _is_item(doc[0])


def convert(doc: object, problems: StructureProblems) -> list[dict]:
    if doc.__class__ is dict and LIST_KEY in doc:
        items, base = doc[LIST_KEY], (LIST_KEY,)
        if items.__class__ is not list:
            problems.add(base, f"{LIST_KEY} must be an array, got {kind_of(items)}")
            return []
    elif doc.__class__ is dict:
        items, base = [doc], None
    elif doc.__class__ is list:
        items, base = doc, ()
    else:
        problems.add((), f"expected AWS Config configuration items, got {kind_of(doc)}")
        return []
    resources: list[dict] = []
    latest: dict[str, tuple[object, int]] = {}  # id -> (capture time, index in resources)
    for index, item in enumerate(items):
        path = () if base is None else base + (index,)
        resource = _resource(item, path, problems)
        if resource is None:
            continue
        captured = item.get("configurationItemCaptureTime")
        seen = latest.get(resource["id"])
        if seen is None:
            latest[resource["id"]] = (captured, len(resources))
            resources.append(resource)
        elif captured.__class__ is str and seen[0].__class__ is str and captured > seen[0]:
            latest[resource["id"]] = (captured, seen[1])
            resources[seen[1]] = resource
    return resources


def _resource(item: object, path: tuple, problems: StructureProblems) -> dict | None:
    if item.__class__ is not dict:
        problems.add(path, f"a configuration item must be an object, got {kind_of(item)}")
        return None
    arn = text(item.get("arn"))
    resource_id = text(item.get("resourceId"))
    rid = arn or resource_id
    if rid is None:
        problems.add(path, "a configuration item needs 'arn' or 'resourceId'")
    rtype = required_text(item.get("resourceType"), path + (("resourceType",) if "resourceType" in item else ()),
                          "resourceType", problems)
    if rid is None or rtype is None:
        return None
    configuration = item.get("configuration")
    if configuration.__class__ is not dict:
        configuration = {}
    if "tags" in item or "configuration" not in item:
        tags = tags_from_mapping(item.get("tags"), path + ("tags",), problems)
    else:  # some items carry tags only inside the configuration, as [{"key", "value"}]
        tags = _configuration_tags(configuration.get("tags"), path + ("configuration", "tags"), problems)
    return new_resource(
        id=rid,
        type=rtype,
        provider="aws",
        account=text(item.get("awsAccountId")) or text(item.get("accountId")),
        region=text(item.get("awsRegion")),
        name=text(item.get("resourceName")) or resource_id,
        tags=tags,
        size=_first_text(configuration, _SIZE_FIELDS),
        state=_state(item, configuration),
        created_at=text(item.get("resourceCreationTime")) or _first_text(configuration, _CREATED_FIELDS),
        relationships=_relationships(item.get("relationships")),
        properties=item,
    )


def _configuration_tags(tags: object, path: tuple, problems: StructureProblems) -> dict:
    if tags.__class__ is list and tags and tags[0].__class__ is dict and "key" in tags[0]:
        return tags_from_pairs(tags, path, problems, "key", "value")
    if tags.__class__ is list:
        return tags_from_pairs(tags, path, problems)
    return tags_from_mapping(tags, path, problems)


def _first_text(configuration: dict, fields: tuple[str, ...]) -> str | None:
    for field in fields:
        value = text(configuration.get(field))
        if value is not None:
            return value
    return None


def _state(item: dict, configuration: dict) -> str | None:
    status = item.get("configurationItemStatus")
    if status.__class__ is str and status.startswith("ResourceDeleted"):
        return "deleted"
    state = configuration.get("state")
    if state.__class__ is dict:
        return text(state.get("name"))
    return text(state) or _first_text(configuration, _STATE_FIELDS)


def _relationships(relationships: object) -> list[dict]:
    if relationships.__class__ is not list:
        return []
    out = []
    for relationship in relationships:
        target = text(dig(relationship, "resourceId")) or text(dig(relationship, "resourceName"))
        name = text(dig(relationship, "relationshipName")) or text(dig(relationship, "name"))
        if target and name:
            out.append({"type": name, "id": target})
    return out
