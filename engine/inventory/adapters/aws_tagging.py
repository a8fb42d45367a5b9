"""AWS Resource Groups Tagging API ``GetResources`` output (``aws resourcegroupstaggingapi get-resources``).

Accepted shapes: one response ``{"ResourceTagMappingList": [{"ResourceARN", "Tags": [{"Key", "Value"}]}],
"PaginationToken"}``, the same wrapped by a recorder as ``{"status_code": 200, "data": {...}}``, and
an array of such pages (or JSON Lines, one page per line).

Everything comes from the ARN: account, region, the ``service:type`` type name (``rds:snapshot``)
and the name (the ARN's resource id). ``properties`` is the mapping entry as exported.
"""

from __future__ import annotations

from engine.inventory.adapters.aws_arn import parse_arn
from engine.inventory.problems import StructureProblems, kind_of
from engine.inventory.resource import new_resource, tags_from_pairs

LIST_KEY = "ResourceTagMappingList"


def _unwrap(page: object) -> tuple[object, tuple]:
    """A page and its path: a recorder's ``{"status_code", "data": {...}}`` wrapper is looked through."""
    if page.__class__ is dict and LIST_KEY not in page and page.get("data").__class__ is dict:
        return page["data"], ("data",)
    return page, ()


def _is_page(page: object) -> bool:
    page, _ = _unwrap(page)
    return page.__class__ is dict and LIST_KEY in page


def detect(doc: object) -> bool:
    if doc.__class__ is list:
        return bool(doc) and _is_page(doc[0])
    return _is_page(doc)


def convert(doc: object, problems: StructureProblems) -> list[dict]:
    pages = [((index,), page) for index, page in enumerate(doc)] if doc.__class__ is list else [((), doc)]
    resources: list[dict] = []
    for base, page in pages:
        page, inner = _unwrap(page)
        path = base + inner
        if page.__class__ is not dict or LIST_KEY not in page:
            problems.add(path, f"expected a GetResources response with '{LIST_KEY}', got {kind_of(page)}")
            continue
        mappings = page[LIST_KEY]
        if mappings.__class__ is not list:
            problems.add(path + (LIST_KEY,), f"{LIST_KEY} must be an array, got {kind_of(mappings)}")
            continue
        for index, mapping in enumerate(mappings):
            resource = _resource(mapping, path + (LIST_KEY, index), problems)
            if resource is not None:
                resources.append(resource)
    return resources


def _resource(mapping: object, path: tuple, problems: StructureProblems) -> dict | None:
    if mapping.__class__ is not dict:
        problems.add(path, f"a tag mapping must be an object, got {kind_of(mapping)}")
        return None
    arn_text = mapping.get("ResourceARN")
    arn = parse_arn(arn_text)
    if arn is None:
        if arn_text is None:
            problems.add(path, "missing 'ResourceARN'")
        else:
            problems.add(path + ("ResourceARN",), f"ResourceARN is not an ARN: {arn_text!r}")
        return None
    return new_resource(
        id=arn_text,
        type=arn.type,
        provider="aws",
        account=arn.account,
        region=arn.region,
        name=arn.resource_id,
        tags=tags_from_pairs(mapping.get("Tags"), path + ("Tags",), problems),
        properties=mapping,
    )
