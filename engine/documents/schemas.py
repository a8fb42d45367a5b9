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
"""

from __future__ import annotations

import copy
import json
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


def validate(doc: YamlDocument, instance: object, schema_name: str, base: list, **options) -> list[Problem]:
    """Every schema problem of ``instance`` (found at path ``base`` inside ``doc``)."""
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for error in validator(schema_name, **options).iter_errors(instance):
        for problem in _problems(doc, error, base):
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


def _problems(doc: YamlDocument, error, base: list):
    for leaf in _leaf_errors(error):
        path = base + list(leaf.absolute_path)
        pointer = json_pointer(path)
        keyword = leaf.validator
        schema = leaf.schema if isinstance(leaf.schema, dict) else {}
        instance = leaf.instance
        if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
            known = list(schema.get("properties", {}))
            for key in _extra_keys(instance, schema):
                yield doc.problem(
                    "E201", f"unknown key '{key}'", json_pointer(path + [key]), did_you_mean(key, known), at_key=True
                )
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
            yield doc.problem(
                "E203", f"expected {expected_text}, got {type_name(instance)} {_short(instance)}", pointer, hint
            )
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
