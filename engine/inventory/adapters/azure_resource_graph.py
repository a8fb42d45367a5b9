"""Azure Resource Graph query results (and ARM list responses, which have the same resource objects).

Accepted shapes:

* objectArray results: ``{"data": [{id, type, name, location, subscriptionId, tags, sku, properties, ...}],
  "totalRecords", "count"}`` (REST API, ``az graph query`` prints the same with snake_case counts);
* the older table format: ``{"data": {"columns": [{"name", "type"}], "rows": [[...]]}}``;
* ``{"value": [...]}`` (ARM list responses), a bare array of resource objects, an array of pages,
  or JSON Lines with one resource object per line.

Mapping: ``subscriptionId`` (else the ``/subscriptions/<id>/`` part of the id) -> account;
``location`` -> region; ``properties.hardwareProfile.vmSize`` (VMs) else ``sku.name`` -> size;
the power state code without its ``PowerState/`` prefix (``properties.extended.instanceView.powerState.code``,
present when the query projects it) else ``properties.diskState`` / ``powerState`` / ``status`` /
``state`` -> state; ``properties.timeCreated`` (else ``systemData.createdAt``) -> created_at.
Relationships: a disk's ``managedBy`` and a public IP's ``ipConfiguration`` -> ``attached-to``;
a VM's disks -> ``volume``; its NICs -> ``network-interface``. ``properties`` is the resource object
as exported, so ``properties.properties.hardwareProfile.vmSize`` is the path Azure Policy calls
``properties.hardwareProfile.vmSize``.

Ids and types are kept as given (Resource Graph lower-cases types); classes and the merge key
compare them case-insensitively.

A response says how many records the query matched (``totalRecords``, ``total_records`` from
``az graph query``) and how many the page holds (``count``). When it holds fewer rows than it says —
a truncated export, or one page of several whose ``$skipToken`` was not followed — the resources
present are read and a warning names the file and the numbers.
"""

from __future__ import annotations

from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.resource import dig, new_resource, required_text, tags_from_mapping, text

_AZURE_KEYS = ("subscriptionId", "resourceGroup", "location", "tenantId")


def _is_resource(item: object) -> bool:
    if item.__class__ is not dict or "id" not in item or "type" not in item or "provider" in item:
        return False
    rtype = item["type"]
    return any(key in item for key in _AZURE_KEYS) or (rtype.__class__ is str and rtype.lower().startswith("microsoft."))


def _is_table(data: object) -> bool:
    return data.__class__ is dict and "columns" in data and "rows" in data


def _is_page(doc: object) -> bool:
    if doc.__class__ is not dict:
        return False
    for key in ("data", "value"):
        items = doc.get(key)
        if items.__class__ is list:
            return not items or _is_resource(items[0])
    return _is_table(doc.get("data"))


def detect(doc: object) -> bool:
    if doc.__class__ is list:
        return bool(doc) and (_is_resource(doc[0]) or _is_page(doc[0]))
    return _is_page(doc)


def convert(doc: object, problems: StructureProblems) -> list[dict]:
    resources: list[dict] = []
    if doc.__class__ is list and doc and _is_page(doc[0]):
        for index, page in enumerate(doc):
            _convert_page(page, (index,), problems, resources)
        _check_counts([((index,), page) for index, page in enumerate(doc)], problems)
    elif doc.__class__ is list:
        _convert_objects(doc, (), problems, resources)
    else:
        _convert_page(doc, (), problems, resources)
        _check_counts([((), doc)], problems)
    return resources


_TOTALS = ("totalRecords", "total_records")  # the REST API's name; az graph query's


def _check_counts(pages: list[tuple[tuple, object]], problems: StructureProblems) -> None:
    """A warning when the pages hold fewer records than they say: per page ``count``, in all ``totalRecords``."""
    held = 0
    total = None
    for path, page in pages:
        if page.__class__ is not dict:
            continue
        rows = _rows_in(page)
        held += rows
        count = _stated(page, ("count",))
        if count is not None and count > rows and len(pages) > 1:
            problems.warn(path, f"the Resource Graph page holds {_records(rows)} but says count {count}: a truncated export;"
                                " only the records present are read")
        stated = _stated(page, _TOTALS)
        if stated is not None:
            total = stated if total is None else max(total, stated)
    said = []
    if total is not None and total > held:
        said.append(f"totalRecords {total}")
    if len(pages) == 1 and pages[0][1].__class__ is dict:
        count = _stated(pages[0][1], ("count",))
        if count is not None and count > held:
            said.append(f"count {count}")
    if said:
        problems.warn((), f"the Resource Graph response holds {_records(held)} but says {' and '.join(said)}: a truncated export, "
                          "or one page of several (ask for the next with the response's $skipToken); only the records present are read")


def _rows_in(page: dict) -> int:
    data = page.get("data") if "data" in page else page.get("value")
    if data.__class__ is list:
        return len(data)
    if _is_table(data) and data["rows"].__class__ is list:
        return len(data["rows"])
    return 0


def _stated(page: dict, names: tuple[str, ...]) -> int | None:
    for name in names:
        value = page.get(name)
        if value.__class__ is int:
            return value
    return None


def _records(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


def _convert_page(page: object, path: tuple, problems: StructureProblems, out: list[dict]) -> None:
    if page.__class__ is not dict:
        problems.add(path, f"expected a Resource Graph response, got {kind_of(page)}")
        return
    key = "data" if "data" in page else "value"
    data = page.get(key)
    if data.__class__ is list:
        _convert_objects(data, path + (key,), problems, out)
    elif _is_table(data):
        _convert_table(data, path + (key,), problems, out)
    else:
        problems.add(path + (key,), f"expected an array of resources or a table with columns and rows, got {kind_of(data)}")


def _convert_objects(items: list, path: tuple, problems: StructureProblems, out: list[dict]) -> None:
    for index, item in enumerate(items):
        resource = _resource(item, path + (index,), problems)
        if resource is not None:
            out.append(resource)


def _convert_table(table: dict, path: tuple, problems: StructureProblems, out: list[dict]) -> None:
    columns, rows = table["columns"], table["rows"]
    if columns.__class__ is not list or not all(dig(c, "name").__class__ is str for c in columns):
        problems.add(path + ("columns",), "columns must be an array of objects with a string 'name'")
        return
    if rows.__class__ is not list:
        problems.add(path + ("rows",), f"rows must be an array, got {kind_of(rows)}")
        return
    names = [column["name"] for column in columns]
    for index, row in enumerate(rows):
        if row.__class__ is not list or len(row) != len(names):
            problems.add(path + ("rows", index), f"a row must be an array of {len(names)} values (one per column)")
            continue
        resource = _resource(dict(zip(names, row)), path + ("rows", index), problems)
        if resource is not None:
            out.append(resource)


def _resource(item: object, path: tuple, problems: StructureProblems) -> dict | None:
    if item.__class__ is not dict:
        problems.add(path, f"a resource must be an object, got {kind_of(item)}")
        return None
    rid = required_text(item.get("id"), path + (("id",) if "id" in item else ()), "id", problems)
    rtype = required_text(item.get("type"), path + (("type",) if "type" in item else ()), "type", problems)
    if rid is None or rtype is None:
        return None
    properties = item.get("properties")
    if properties.__class__ is not dict:
        properties = {}
    return new_resource(
        id=rid,
        type=rtype,
        provider="azure",
        account=text(item.get("subscriptionId")) or _subscription_of(rid),
        region=text(item.get("location")),
        name=text(item.get("name")),
        tags=tags_from_mapping(item.get("tags"), path + ("tags",), problems),
        size=text(dig(properties, "hardwareProfile", "vmSize")) or text(dig(item, "sku", "name")),
        state=_state(properties),
        created_at=text(properties.get("timeCreated")) or text(dig(item, "systemData", "createdAt")),
        relationships=_relationships(item, properties),
        properties=item,
    )


def _subscription_of(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    if len(parts) > 2 and parts[1].lower() == "subscriptions":
        return parts[2] or None
    return None


def _state(properties: dict) -> str | None:
    code = text(dig(properties, "extended", "instanceView", "powerState", "code"))
    if code is None:
        code = text(dig(properties, "powerState", "code"))
    if code is not None:
        return code.split("/", 1)[1] if code.startswith("PowerState/") else code
    for field in ("diskState", "status", "state"):
        value = text(properties.get(field))
        if value is not None:
            return value
    return None


def _relationships(item: dict, properties: dict) -> list[dict]:
    out = []
    managed_by = text(item.get("managedBy"))
    if managed_by:
        out.append({"type": "attached-to", "id": managed_by})
    ip_configuration = text(dig(properties, "ipConfiguration", "id"))
    if ip_configuration:
        out.append({"type": "attached-to", "id": ip_configuration})
    storage = properties.get("storageProfile")
    if storage.__class__ is dict:
        disks = [storage.get("osDisk")] + (storage.get("dataDisks") if storage.get("dataDisks").__class__ is list else [])
        for disk in disks:
            disk_id = text(dig(disk, "managedDisk", "id"))
            if disk_id:
                out.append({"type": "volume", "id": disk_id})
    interfaces = dig(properties, "networkProfile", "networkInterfaces")
    if interfaces.__class__ is list:
        for interface in interfaces:
            interface_id = text(dig(interface, "id"))
            if interface_id:
                out.append({"type": "network-interface", "id": interface_id})
    return out
