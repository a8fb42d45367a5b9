"""JSON Schema validation of documents, turned into :class:`~engine.errors.Problem` s.

The schemas live in ``schemas/`` (Draft 2020-12) and reference each other by relative ``$ref``.
Editors get a form derived from them, one self-contained file per schema:
:mod:`engine.documents.editor_schemas`.
jsonschema's raw messages are rewritten into one error vocabulary with stable codes and
"did you mean" hints:

* ``E201`` unknown key          * ``E204`` value not among the allowed ones
* ``E202`` missing required key * ``E205`` string does not match the expected pattern
* ``E203`` wrong type           * ``E206`` bad format (e.g. a date)
* ``E207`` any other schema rule (length, number of items, ...)

Every document of every kind is validated by :func:`validate_document`, which also refuses numbers
that are not finite (``E203``): YAML reads ``.nan``, ``.inf`` and ``1e400`` (too large for a float)
as numbers, JSON and its schemas have no such numbers, and a NaN compares false with everything (a
threshold of NaN would never fire).
"""

from __future__ import annotations

import copy
import json
import math
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from engine.bundled import schemas_dir
from engine.conditions.operators import type_name
from engine.documents.yaml_loader import YamlDocument
from engine.errors import Problem, did_you_mean, json_pointer

BASE_URI = "https://costwarden.dev/schemas/"

KIND_SCHEMAS = {
    "Policy": "policy.schema.json",
    "PolicySet": "policy-set.schema.json",
    "Ownership": "ownership.schema.json",
    "PolicyTest": "policy-test.schema.json",
    "Budgets": "budgets.schema.json",
    "SizeLadders": "size-ladders.schema.json",
    "GenerationMap": "generation-map.schema.json",
    "Exemption": "exemption.schema.json",  # read by engine.exemptions.documents
    "Config": "config.schema.json",
    "Allocation": "allocation.schema.json",  # read by engine.showback.documents
    "Scorecard": "scorecard.schema.json",  # read by engine.showback.documents
}

_FORMAT_CHECKER = FormatChecker(formats=["date", "regex"])


def schema_names() -> list[str]:
    root = schemas_dir()
    return sorted(str(path.relative_to(root)) for path in root.rglob("*.schema.json"))


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    with open(schemas_dir() / name, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = [(BASE_URI + name, Resource.from_contents(load_schema(name))) for name in schema_names()]
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def validator(name: str, *, without_type_specs: bool = False) -> Draft202012Validator:
    """The validator of a schema file, or of a part of one (``policy.schema.json#/$defs/type-names``)."""
    if "#" in name:
        return Draft202012Validator({"$ref": BASE_URI + name}, registry=_registry(), format_checker=_FORMAT_CHECKER)
    schema = load_schema(name)
    if without_type_specs:  # stage 2 of policy validation: the spec is checked on its own later
        schema = copy.deepcopy(schema)
        schema.pop("allOf", None)
    return Draft202012Validator(schema, registry=_registry(), format_checker=_FORMAT_CHECKER)


def validate_document(doc: YamlDocument, kind: str, *, left_to_semantics: tuple[str, ...] = (), **options) -> list[Problem]:
    """Every problem of a whole document of ``kind`` against its kind's schema, and each number in it
    that is not finite. Schema problems under a pointer of ``left_to_semantics`` are left out (a
    later stage reports them more precisely); problems of numbers never are."""
    numbers = [
        doc.problem("E203", f"expected a finite number, got {_non_finite(value)}", pointer,
                    "JSON and the schemas have no NaN or infinity; write the number itself")
        for pointer, value in non_finite_numbers(doc.data)
    ]
    placed = {problem.pointer for problem in numbers}
    found = [
        problem for problem in validate(doc, doc.data, KIND_SCHEMAS[kind], [], **options)
        if problem.pointer not in placed
        and not any(problem.pointer == p or (problem.pointer or "").startswith(p + "/") for p in left_to_semantics)
    ]
    return numbers + found


def non_finite_numbers(value: object, path: tuple = ()) -> list[tuple[str, float]]:
    """``(pointer, number)`` for each NaN or infinite float inside ``value``."""
    found = []
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if item.__class__ is float and not math.isfinite(item):
            found.append((json_pointer(where), item))
        elif isinstance(item, dict):
            stack.extend((where + (key,), child) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((where + (index,), child) for index, child in enumerate(item))
    return sorted(found)


def _non_finite(value: float) -> str:
    if math.isnan(value):
        return ".nan (not a number)"
    sign = "-" if value < 0 else ""
    return f"{sign}infinity ({sign}.inf, or a number too large for a float such as {sign}1e400)"


def validate(doc: YamlDocument, instance: object, schema_name: str, base: list, **options) -> list[Problem]:
    """Every schema problem of ``instance`` (found at path ``base`` inside ``doc``)."""
    problems: list[Problem] = []
    seen: set[tuple] = set()
    checker = validator(schema_name, **options)
    for error in checker.iter_errors(instance):
        for problem in _problems(doc, error, base, checker.schema):
            key = (problem.code, problem.pointer, problem.message)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    return problems


def _leaf_errors(error):
    """anyOf/oneOf errors: descend into the most relevant alternative."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        yield from _leaf_errors(best_match(error.context))
    else:
        yield error


def _problems(doc: YamlDocument, error, base: list, root: dict):
    for leaf in _leaf_errors(error):
        path = base + list(leaf.absolute_path)
        pointer = json_pointer(path)
        keyword = leaf.validator
        schema = leaf.schema if isinstance(leaf.schema, dict) else {}
        instance = leaf.instance
        if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
            known = list(schema.get("properties", {}))
            for key in _extra_keys(instance, schema):
                hint = _indentation_hint(doc, key, path, instance, schema, leaf, root) or did_you_mean(key, known)
                yield doc.problem("E201", f"unknown key '{key}'", json_pointer(path + [key]), hint, at_key=True)
        elif keyword == "required":
            missing = [key for key in leaf.validator_value if key not in instance]
            for key in missing:
                yield doc.problem("E202", f"missing required key '{key}'", pointer, None)
        elif keyword == "type":
            expected = leaf.validator_value
            expected_text = " or ".join(expected) if isinstance(expected, list) else expected
            hint = None
            if "string" in str(expected) and isinstance(instance, (int, float)) and not isinstance(instance, bool):
                hint = "put the value in quotes to keep it a string"
            got = type_name(instance)
            shown = _short(instance)
            yield doc.problem("E203", f"expected {expected_text}, got {got if shown == got else f'{got} {shown}'}", pointer, hint)
        elif keyword in ("enum", "const"):
            allowed = leaf.validator_value if keyword == "enum" else [leaf.validator_value]
            listed = ", ".join(str(a) for a in allowed)
            hint = did_you_mean(str(instance), [a for a in allowed if isinstance(a, str)])
            yield doc.problem("E204", f"{_short(instance)} is not one of: {listed}", pointer, hint)
        elif keyword == "pattern":
            yield doc.problem(
                "E205", f"{_short(instance)} does not match the pattern {leaf.validator_value}", pointer, _pattern_hint(leaf)
            )
        elif keyword == "format":
            yield doc.problem("E206", f"{_short(instance)} is not a valid {leaf.validator_value}", pointer, None)
        elif keyword == "propertyNames":
            yield doc.problem("E205", f"invalid name: {leaf.message}", pointer, None)
        else:
            yield doc.problem("E207", leaf.message, pointer, None)


def _indentation_hint(doc: YamlDocument, key: str, path: list, instance: dict, schema: dict, error, root: dict) -> str | None:
    """When an unknown key is a key of a neighbouring level, the indentation is the likely mistake.

    One level down: ``key`` is a property of the object a sibling key holds (``types:`` written at
    the root under ``resource:``, whose value is then empty). One level up: ``key`` is a property of
    the object that holds this one (written one indentation too deep).
    """
    for sibling, subschema in schema.get("properties", {}).items():
        if sibling in instance and key in _properties(subschema):
            line = doc.key_position(json_pointer(path + [sibling]))[0]
            where = f" (line {line})" if line is not None else ""
            return f"'{key}' is a key of '{sibling}': indent it under '{sibling}:'{where}"
    parent = _parent_schema(error, root)
    if path and parent is not None and key in _properties(parent) and key != path[-1]:
        return f"'{key}' is a key of the level above: indent it as '{path[-1]}' is indented"
    return None


def _properties(subschema: object) -> dict:
    """The properties an object schema declares, following ``$ref`` (best effort: a hint)."""
    for _ in range(8):
        if not isinstance(subschema, dict):
            return {}
        if "properties" in subschema:
            return subschema["properties"]
        ref = subschema.get("$ref")
        if not isinstance(ref, str):
            return {}
        subschema = _lookup(ref)
    return {}


def _lookup(ref: str) -> object:
    try:
        return _registry().resolver(BASE_URI).lookup(ref).contents
    except Exception:  # noqa: BLE001 - a hint is best effort; a reference it cannot follow gives none
        return None


def _parent_schema(error, root: dict) -> dict | None:
    """The schema of the object holding the object ``error`` is about: the validated schema ``root``
    walked down the instance's path (best effort: properties, items and references)."""
    relative = list(error.absolute_path)
    if not relative:
        return None
    schema = root
    for part in relative[:-1]:
        if isinstance(part, int):
            schema = schema.get("items") if isinstance(schema, dict) else None
        else:
            schema = _properties(schema).get(part)
        while isinstance(schema, dict) and "$ref" in schema and "properties" not in schema and "items" not in schema:
            schema = _lookup(schema["$ref"])
    return schema if isinstance(schema, dict) else None


def _extra_keys(instance: dict, schema: dict) -> list[str]:
    import re

    known = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]


def _pattern_hint(error) -> str | None:
    if error.validator_value == "^[a-z0-9]+(-[a-z0-9]+)*$":
        return "ids are kebab-case: lower-case letters and digits joined by '-'"
    return None


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
