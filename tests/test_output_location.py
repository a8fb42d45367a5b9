"""Finding.location: an optional file/line/column, in the findings JSON as "location" (null when unknown)."""

from __future__ import annotations

import json
from dataclasses import replace

from jsonschema import Draft202012Validator

from engine import api
from engine.documents.schemas import load_schema
from tests.output_cases import example_result

KEYS = ["fingerprint", "policy", "title", "severity", "enforcement", "status", "owner", "owner_source", "resource", "scope",
        "location", "message", "evidence", "money", "exemption"]


def validate(document: dict) -> None:
    errors = list(Draft202012Validator(load_schema("findings.schema.json")).iter_errors(document))
    assert not errors, [e.message for e in errors]


def test_findings_without_a_location_say_null_and_keep_every_other_key():
    """Cost findings are about a scope: null; the example inventory's findings point at their resource's object."""
    document = json.loads(api.render(example_result(), "json"))
    validate(document)
    assert all(list(finding) == KEYS for finding in document["findings"])
    assert all(finding["location"] is None for finding in document["findings"] if finding["resource"] is None)
    assert all(finding["location"]["file"] == "examples/inventory.json" for finding in document["findings"] if finding["resource"])


def test_a_location_is_written_and_validated():
    result = example_result()
    located = replace(result.findings[0], location={"file": "modules/app/main.tf", "line": 12, "column": None})
    document = json.loads(api.render(replace(result, findings=(located, *result.findings[1:])), "json"))
    validate(document)
    assert document["findings"][0]["location"] == {"file": "modules/app/main.tf", "line": 12, "column": None}
    assert located.fingerprint == result.findings[0].fingerprint  # where it points is not what it is


def test_the_schema_refuses_a_malformed_location():
    document = json.loads(api.render(example_result(), "json"))
    for bad in ({"file": "x.tf"}, {"file": "", "line": 1, "column": 1}, {"file": "x.tf", "line": 0, "column": None},
                {"file": "x.tf", "line": 1, "column": None, "extra": 1}):
        document["findings"][0]["location"] = bad
        assert list(Draft202012Validator(load_schema("findings.schema.json")).iter_errors(document)), bad
