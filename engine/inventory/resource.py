"""The canonical resource every adapter produces, and the small helpers adapters share to build it.

A canonical resource is a plain ``dict`` (no subclasses: jmespath and orjson want plain types)
with every key of :data:`RESOURCE_KEYS` present, ``None`` / ``{}`` / ``[]`` when unknown::

    {"id": str, "type": str, "class": str | None, "provider": "aws" | "azure" | "gcp" | "kubernetes" | "other",
     "account": str | None, "region": str | None, "name": str | None, "tags": {str: str | True},
     "size": str | None, "state": str | None, "created_at": str | None,
     "relationships": [{"type": str, "id": str}], "properties": dict, "utilization": dict}

``schemas/inventory.schema.json`` (``$defs/resource``) documents the same shape.

Tag values are read by the rule costwarden applies everywhere, inventories and FOCUS ``Tags`` alike
(:func:`engine.tag_matching.tag_value`): a string stays a string; ``true`` is a key-only tag
(FOCUS and Azure use it for "the key is present"); ``false`` and numbers become their text
(``false`` -> ``"false"``, ``12`` -> ``"12"``, ``1.5`` -> ``"1.5"``). Anything else (null, lists,
objects, an infinite number) is a structural problem.
"""

from __future__ import annotations

from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.types import classify
from engine.tag_matching import INVALID, tag_value

RESOURCE_KEYS: tuple[str, ...] = (
    "id", "type", "class", "provider", "account", "region", "name", "tags",
    "size", "state", "created_at", "relationships", "properties", "utilization",
)


def new_resource(
    *,
    id: str,  # noqa: A002 - the field is called id
    type: str,  # noqa: A002
    provider: str,
    account: str | None = None,
    region: str | None = None,
    name: str | None = None,
    tags: dict | None = None,
    size: str | None = None,
    state: str | None = None,
    created_at: str | None = None,
    relationships: list | None = None,
    properties: dict | None = None,
    utilization: dict | None = None,
) -> dict:
    """A canonical resource with every key present and ``class`` computed from the type."""
    return {
        "id": id,
        "type": type,
        "class": classify(provider, type),
        "provider": provider,
        "account": account,
        "region": region,
        "name": name,
        "tags": {} if tags is None else tags,
        "size": size,
        "state": state,
        "created_at": created_at,
        "relationships": [] if relationships is None else relationships,
        "properties": {} if properties is None else properties,
        "utilization": {} if utilization is None else utilization,
    }


def check_tags_in_place(tags: dict, path: tuple, problems: StructureProblems) -> None:
    """Coerce the values of a tag mapping in place; report values that cannot be tags."""
    for key, value in tags.items():
        if value.__class__ is str or value is True:
            continue
        coerced = tag_value(value)
        if coerced is INVALID:
            problems.add(
                path + (key,),
                f"tag '{key}' has {kind_of(value)} as its value; expected a string, a number or a boolean (true: a key-only tag)",
            )
        else:
            tags[key] = coerced  # replacing a value while iterating is safe: no key is added or removed


def tags_from_mapping(tags: object, path: tuple, problems: StructureProblems) -> dict:
    """Tags given as an object (Azure, GCP labels, AWS Config ``tags``); null means no tags."""
    if tags is None:
        return {}
    if tags.__class__ is not dict:
        problems.add(path, f"tags must be an object of key/value pairs, got {kind_of(tags)}")
        return {}
    tags = dict(tags)  # a copy: the provider document in ``properties`` stays untouched
    check_tags_in_place(tags, path, problems)
    return tags


def tags_from_pairs(
    pairs: object, path: tuple, problems: StructureProblems, key_field: str = "Key", value_field: str = "Value"
) -> dict:
    """Tags given as a list of ``{"Key": k, "Value": v}`` objects (AWS APIs); null means no tags."""
    if pairs is None:
        return {}
    if pairs.__class__ is not list:
        problems.add(path, f"tags must be an array of {{{key_field}, {value_field}}} objects, got {kind_of(pairs)}")
        return {}
    tags: dict = {}
    for index, pair in enumerate(pairs):
        if pair.__class__ is not dict or (pair.get(key_field)).__class__ is not str:
            problems.add(path + (index,), f"a tag must be an object with a string '{key_field}'")
            continue
        value = tag_value(pair.get(value_field, ""))
        if value is INVALID:
            problems.add(path + (index, value_field), f"tag '{pair[key_field]}' has {kind_of(pair.get(value_field))} as its value; expected a string, a number or a boolean")
            continue
        tags[pair[key_field]] = value
    return tags


def text(value: object) -> str | None:
    """A best-effort optional string from a provider document: non-empty strings as they are,
    integers as decimal strings (account ids must never be numbers), anything else None."""
    if value.__class__ is str:
        return value or None
    if value.__class__ is int:
        return str(value)
    return None


def required_text(value: object, path: tuple, field: str, problems: StructureProblems) -> str | None:
    """A required non-empty string (an id or a type); reports a problem and returns None otherwise."""
    if value.__class__ is str and value:
        return value
    if value is None:
        problems.add(path, f"missing '{field}'")
    else:
        problems.add(path, f"'{field}' must be a non-empty string, got {kind_of(value)}")
    return None


def dig(document: object, *keys: str) -> object:
    """``document[k1][k2]...`` or None when any step is missing or not an object."""
    for key in keys:
        if document.__class__ is not dict:
            return None
        document = document.get(key)
    return document


def last_segment(url: object) -> str | None:
    """The last path segment of a URL or resource name (``.../machineTypes/n1-standard-4`` -> ``n1-standard-4``)."""
    if url.__class__ is not str or not url:
        return None
    return url.rstrip("/").rsplit("/", 1)[-1] or None
