"""AWS Config configuration items.

Accepted shapes: one configuration item, ``{"configurationItems": [...]}`` (a delivered
configuration snapshot file, or ``aws configservice get-resource-config-history`` output),
``{"baseConfigurationItems": [...]}`` (``batch-get-resource-config``), ``{"Results": [...],
"QueryInfo": ...}`` (``select-resource-config``, each result a JSON document as a string), and an
array of items (or JSON Lines, one item per line).

Delivered snapshot and history files hold ``configuration`` (and the values of
``supplementaryConfiguration``) as JSON objects; the Config API returns them as JSON *text*,
which is parsed here, so that both read alike. Text that does not parse is a structure problem
at that value.

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

import orjson

from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.resource import dig, new_resource, required_text, tags_from_mapping, tags_from_pairs, text

LIST_KEYS = ("configurationItems", "baseConfigurationItems")
SELECT_KEY = "Results"  # select-resource-config: {"Results": ["<json>", ...], "QueryInfo": {...}}
_INVALID = object()  # JSON text that does not parse (reported)
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


def _is_select(doc: dict) -> bool:
    return doc.get(SELECT_KEY).__class__ is list and "QueryInfo" in doc


def detect(doc: object) -> bool:
    if doc.__class__ is dict:
        return any(doc.get(key).__class__ is list for key in LIST_KEYS) or _is_select(doc) or _is_item(doc)
    return doc.__class__ is list and bool(doc) and _is_item(doc[0])


def convert(doc: object, problems: StructureProblems) -> list[dict]:
    list_key = next((key for key in LIST_KEYS if key in doc), None) if doc.__class__ is dict else None
    if list_key is not None:
        items, base = doc[list_key], (list_key,)
        if items.__class__ is not list:
            problems.add(base, f"{list_key} must be an array, got {kind_of(items)}")
            return []
    elif doc.__class__ is dict and _is_select(doc):
        items, base = _select_results(doc[SELECT_KEY], problems), (SELECT_KEY,)
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
        if item is _INVALID:
            continue
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
    item = _decoded(item, path, problems)
    if item is None:
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


def _select_results(results: list, problems: StructureProblems) -> list:
    """The items of a select-resource-config response: each result is JSON text (a dict is taken as it is)."""
    return [_parse(result, (SELECT_KEY, index), "a result", problems) if result.__class__ is str else result
            for index, result in enumerate(results)]


def _decoded(item: dict, path: tuple, problems: StructureProblems) -> dict | None:
    """``item`` with the JSON text of ``configuration`` and ``supplementaryConfiguration`` values parsed.

    The item itself when there is no text; None when some text does not parse (it is reported).
    """
    changes: dict = {}
    configuration = item.get("configuration")
    if configuration.__class__ is str:
        where = path + ("configuration",)
        configuration = changes["configuration"] = _parse(configuration, where, "configuration", problems)
        if configuration is not _INVALID and configuration is not None and configuration.__class__ is not dict:
            problems.add(where, f"configuration must be a JSON object, got {kind_of(configuration)}")
            configuration = _INVALID
    supplementary = item.get("supplementaryConfiguration")
    invalid = configuration is _INVALID
    if supplementary.__class__ is dict and any(value.__class__ is str for value in supplementary.values()):
        parsed = changes["supplementaryConfiguration"] = {}
        for key, value in supplementary.items():
            if value.__class__ is str:
                value = _parse(value, path + ("supplementaryConfiguration", key), f"supplementaryConfiguration.{key}",
                               problems)
                invalid = invalid or value is _INVALID
            parsed[key] = value
    if invalid:
        return None
    return {**item, **changes} if changes else item


def _parse(text: str, path: tuple, what: str, problems: StructureProblems) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        problems.add(path, f"{what} is JSON text (as the AWS Config API returns it) that does not parse: {error}")
        return _INVALID


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
