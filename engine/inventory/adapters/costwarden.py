"""costwarden's own inventory format: canonical resources, checked and completed in place.

Accepted shapes (``schemas/inventory.schema.json`` describes them):

* a document ``{"apiVersion": "costwarden/v1", "kind": "Inventory", "metadata": {...}, "resources": [...]}``;
* a bare JSON array of resources;
* JSON Lines: one resource per line (blank lines are skipped).

Only ``id`` and ``type`` are required. Absent keys are filled (``None`` / ``{}`` / ``[]``),
``provider`` is guessed from the type's name shape (``other`` when it cannot be), and ``class``
is computed from the type when absent. Keys starting with ``x_`` or ``x-`` are kept as
extensions; any other unknown key is a problem (``tag`` for ``tags`` is a typo worth catching).
``utilization`` statistics are numbers (or null) in the range :mod:`engine.utilization` sets: never
negative, and at most 100 for the values of a percent metric (a CPU p95 of 250 is refused).
The same resource twice in one file is a problem too: merging is for several files.

This is the fast path: resources are completed in place, without copies, because a
100k-resource file must load in about the time ``orjson.loads`` takes to parse it.
"""

from __future__ import annotations

import math
from itertools import compress
from operator import itemgetter

from engine.errors import did_you_mean, json_pointer
from engine.inventory.merge import merge_key
from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.resource import RESOURCE_KEYS, check_tags_in_place
from engine.inventory.types import CLASSES, PROVIDERS, classify, provider_of_type
from engine.utilization import PERCENT_LIMIT, PERCENT_METRICS, SERIES_STATISTICS, statistic_problem

API_VERSION = "costwarden/v1"
KIND = "Inventory"
DOCUMENT_KEYS = ("apiVersion", "kind", "metadata", "resources")

_ALLOWED_KEYS = frozenset(RESOURCE_KEYS)
_PROVIDERS = frozenset(PROVIDERS)
_OPTIONAL_TEXT = ("account", "region", "name", "size", "state", "created_at")
_AZURE_ONLY_KEYS = ("subscriptionId", "resourceGroup", "location", "tenantId")
_MISSING = object()
_IS_AZURE = "azure".__eq__
_PERCENT_METRICS = frozenset(PERCENT_METRICS)
_SERIES_STATISTICS = frozenset(SERIES_STATISTICS)


def _looks_like_resource(item: object) -> bool:
    """An object with an ``id`` (a missing ``type`` is then reported, not taken for another format)."""
    if item.__class__ is not dict or "id" not in item:
        return False
    # an Azure Resource Graph / ARM object also has id and type: tell them apart by their own keys
    return "provider" in item or not any(key in item for key in _AZURE_ONLY_KEYS)


def detect(doc: object) -> bool:
    if doc.__class__ is dict:
        api_version = doc.get("apiVersion")
        if api_version.__class__ is str and api_version.startswith("costwarden/"):
            return True
        return "type" in doc and _looks_like_resource(doc)  # one resource: a one-line JSON Lines file
    if doc.__class__ is list:
        return not doc or _looks_like_resource(doc[0])
    return False


def convert(doc: object, problems: StructureProblems) -> list[dict]:
    if doc.__class__ is dict and "apiVersion" in doc:
        items = _check_document(doc, problems)
        base: tuple = ("resources",)
    elif doc.__class__ is dict:
        return [doc] if normalize_resource(doc, (), problems) else []
    elif doc.__class__ is list:
        items, base = doc, ()
    else:
        problems.add((), f"an inventory must be a document, an array of resources or JSON Lines, got {kind_of(doc)}")
        return []
    ids: list[str] = []
    slow = complete_in_place(items, ids)
    if slow:
        valid = [True] * len(items)
        for index in slow:
            valid[index] = normalize_resource(items[index], base + (index,), problems)
        resources = [resource for resource, ok in zip(items, valid) if ok]
        positions = [index for index, ok in enumerate(valid) if ok]
        ids = list(map(itemgetter("id"), resources))
    else:
        resources, positions = items, None
    if len(set(ids)) == len(ids) and _azure_ids_distinct(resources, ids):
        return resources  # no two merge keys are equal
    _report_duplicates(resources, positions, base, problems)
    return resources


def _azure_ids_distinct(resources: list[dict], ids: list[str]) -> bool:
    """Whether the Azure resources' ids are distinct ignoring case (merge_key), given distinct ids."""
    azure = [rid.lower() for rid in compress(ids, map(_IS_AZURE, map(itemgetter("provider"), resources)))]
    return len(set(azure)) == len(azure)


def _report_duplicates(resources: list[dict], positions: list[int] | None, base: tuple,
                       problems: StructureProblems) -> None:
    first: dict[tuple[str, str], int] = {}
    for index, resource in enumerate(resources):
        position = index if positions is None else positions[index]
        key = merge_key(resource["provider"], resource["id"])
        if key in first:
            where = json_pointer(base + (first[key],))
            problems.add(base + (position, "id"), f"duplicate resource '{resource['id']}'; first at {where}")
        else:
            first[key] = position


def complete_in_place(items: list, ids: list | None = None) -> list[int]:
    """The fast path: complete well-formed resources in place; return the indexes of the others.

    ``ids``, when given, receives the id of each well-formed resource, in order (all of them when
    none is returned), read while the resource is at hand, for the duplicate check.

    A resource is left to :func:`normalize_resource` (which reports its problems, or coerces tag
    values) as soon as anything is unusual. One flat loop on purpose: at 100k resources every
    function call and attribute lookup shows in the load time.

    Repeated values (type, provider, class) are made to share one string object per value: less
    memory, and later passes over the resources (policy selection) find them in the CPU cache.
    """
    slow = []
    class_of: dict[str, str | None] = {}
    provider_of: dict[str, str] = {}
    missing = _MISSING
    providers = {name: name for name in PROVIDERS}
    classes = {name: name for name in CLASSES}
    type_names: dict[str, str] = {}
    width = len(RESOURCE_KEYS)
    percent_metrics, series_statistics, percent_limit, infinity = _PERCENT_METRICS, _SERIES_STATISTICS, PERCENT_LIMIT, math.inf
    add_id = (ids if ids is not None else []).append
    for index, resource in enumerate(items):
        if resource.__class__ is not dict:
            slow.append(index)
            continue
        get = resource.get
        rid = get("id")
        rtype = get("type")
        if rid.__class__ is not str or rtype.__class__ is not str or not rid or not rtype:
            slow.append(index)
            continue
        add_id(rid)
        shared = type_names.get(rtype)
        if shared is None:
            type_names[rtype] = rtype
        elif shared is not rtype:
            resource["type"] = rtype = shared
        provider = get("provider")
        shared = providers.get(provider) if provider.__class__ is str else None
        if shared is None:
            if provider is not None:
                slow.append(index)
                continue
            provider = provider_of.get(rtype)
            if provider is None:
                provider = provider_of[rtype] = provider_of_type(rtype) or "other"
            resource["provider"] = provider
        elif shared is not provider:
            resource["provider"] = provider = shared
        ok = True
        for key in _OPTIONAL_TEXT:
            value = get(key, missing)
            if value.__class__ is not str and value is not None:
                if value is not missing:
                    ok = False
                    break
                resource[key] = None

        tags = get("tags")
        if tags.__class__ is dict:
            for value in tags.values():
                if value.__class__ is not str and value is not True:
                    ok = False
                    break
        elif tags is None:
            resource["tags"] = {}
        else:
            ok = False

        relationships = get("relationships")
        if relationships.__class__ is list:
            for item in relationships:
                if item.__class__ is not dict or item.get("type").__class__ is not str \
                        or item.get("id").__class__ is not str:
                    ok = False
                    break
        elif relationships is None:
            resource["relationships"] = []
        else:
            ok = False

        properties = get("properties")
        if properties is None:
            resource["properties"] = {}
        elif properties.__class__ is not dict:
            ok = False

        utilization = get("utilization")
        if utilization.__class__ is dict:
            for metric, stats in utilization.items():
                if stats.__class__ is not dict:
                    ok = False
                    break
                # engine.utilization's range rule, written out (a differential test holds the two together)
                percent = metric in percent_metrics
                for stat, value in stats.items():
                    kind = value.__class__
                    if kind is float or kind is int:
                        if not 0 <= value < infinity or (percent and value > percent_limit and stat not in series_statistics):
                            ok = False
                            break
                    elif value is not None:
                        ok = False
                        break
                if not ok:
                    break
        elif utilization is None:
            resource["utilization"] = {}
        else:
            ok = False

        resource_class = get("class")
        if resource_class is None:
            resource_class = class_of.get(rtype, missing)
            if resource_class is missing:
                resource_class = class_of[rtype] = classify(provider, rtype)
            resource["class"] = resource_class
        else:
            shared = classes.get(resource_class) if resource_class.__class__ is str else None
            if shared is None:
                ok = False
            elif shared is not resource_class:
                resource["class"] = shared

        if not ok or len(resource) != width:  # every key is present now: a longer dict has unknown keys
            slow.append(index)
    return slow


def _check_document(doc: dict, problems: StructureProblems) -> list:
    api_version = doc.get("apiVersion")
    if api_version != API_VERSION:
        problems.add(("apiVersion",), f"unsupported apiVersion {api_version!r}; this version reads '{API_VERSION}'")
    kind = doc.get("kind")
    if kind != KIND:
        hint = did_you_mean(kind, [KIND]) if isinstance(kind, str) else None
        problems.add(("kind",), f"kind must be '{KIND}' in an inventory file, got {kind!r}", hint)
    for key in doc:
        if key not in DOCUMENT_KEYS:
            problems.add((key,), f"unknown key '{key}'", did_you_mean(key, DOCUMENT_KEYS))
    metadata = doc.get("metadata")
    if metadata is not None and metadata.__class__ is not dict:
        problems.add(("metadata",), f"metadata must be an object, got {kind_of(metadata)}")
    resources = doc.get("resources", _MISSING)
    if resources is _MISSING:
        problems.add((), "missing 'resources'")
        return []
    if resources.__class__ is not list:
        problems.add(("resources",), f"resources must be an array, got {kind_of(resources)}")
        return []
    return resources


def normalize_resource(resource: object, path: tuple, problems: StructureProblems) -> bool:
    """Check one canonical resource and complete it in place; False (with problems added) when invalid."""
    if resource.__class__ is not dict:
        problems.add(path, f"a resource must be an object, got {kind_of(resource)}")
        return False
    before = problems.total
    get = resource.get

    rid = get("id")
    if rid.__class__ is not str or not rid:
        problems.add(path + ("id",) if rid is not None else path,
                     "missing 'id'" if rid is None else f"'id' must be a non-empty string, got {kind_of(rid)}")
    rtype = get("type")
    if rtype.__class__ is not str or not rtype:
        problems.add(path + ("type",) if rtype is not None else path,
                     "missing 'type'" if rtype is None else f"'type' must be a non-empty string, got {kind_of(rtype)}")

    provider = get("provider")
    if provider is None:
        resource["provider"] = provider_of_type(rtype) or "other"
    elif provider.__class__ is not str or provider not in _PROVIDERS:
        problems.add(path + ("provider",), f"unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}",
                     did_you_mean(provider, PROVIDERS) if provider.__class__ is str else None)

    for key in _OPTIONAL_TEXT:
        value = get(key, _MISSING)
        if value.__class__ is str or value is None:
            continue
        if value is _MISSING:
            resource[key] = None
        else:
            hint = "quote it: account ids are strings and may start with 0" if key == "account" else None
            problems.add(path + (key,), f"'{key}' must be a string or null, got {kind_of(value)}", hint)

    tags = get("tags")
    if tags.__class__ is dict:
        for value in tags.values():
            if value.__class__ is not str and value is not True:
                check_tags_in_place(tags, path + ("tags",), problems)
                break
    elif tags is None:
        resource["tags"] = {}
    else:
        problems.add(path + ("tags",), f"tags must be an object of key/value pairs, got {kind_of(tags)}",
                     "write tags as {\"key\": \"value\"}" if tags.__class__ is list else None)

    relationships = get("relationships")
    if relationships is None:
        resource["relationships"] = []
    elif relationships.__class__ is not list:
        problems.add(path + ("relationships",), f"relationships must be an array, got {kind_of(relationships)}")
    else:
        for index, item in enumerate(relationships):
            if item.__class__ is not dict or item.get("type").__class__ is not str or item.get("id").__class__ is not str:
                problems.add(path + ("relationships", index), "a relationship must be an object with string 'type' and 'id'")

    for key in ("properties", "utilization"):
        value = get(key)
        if value is None:
            resource[key] = {}
        elif value.__class__ is not dict:
            problems.add(path + (key,), f"{key} must be an object, got {kind_of(value)}")
        elif key == "utilization" and value:
            _check_utilization(value, path + ("utilization",), problems)

    resource_class = get("class")
    if resource_class is None:
        resource["class"] = classify(resource["provider"], rtype)
    elif resource_class.__class__ is not str or resource_class not in CLASSES:
        problems.add(path + ("class",), f"unknown class {resource_class!r}",
                     did_you_mean(resource_class, CLASSES) if resource_class.__class__ is str else None)

    if not resource.keys() <= _ALLOWED_KEYS:
        for key in [key for key in resource if key not in _ALLOWED_KEYS]:  # in document order
            if not key.startswith(("x_", "x-")):
                problems.add(path + (key,), f"unknown key '{key}'",
                             did_you_mean(key, RESOURCE_KEYS) or "extension keys start with 'x_'")
    return problems.total == before


def _check_utilization(utilization: dict, path: tuple, problems: StructureProblems) -> None:
    for metric, stats in utilization.items():
        if stats.__class__ is not dict:
            problems.add(path + (metric,), f"utilization '{metric}' must be an object of statistics, got {kind_of(stats)}")
            continue
        for stat, value in stats.items():
            kind = value.__class__
            if kind is not int and kind is not float:
                if value is not None:
                    problems.add(path + (metric, stat), f"utilization statistic must be a number or null, got {kind_of(value)}")
                continue
            problem = statistic_problem(metric, stat, value)
            if problem is not None:
                problems.add(path + (metric, stat), problem)
