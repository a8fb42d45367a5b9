"""Contracts between tables, schemas and docs: they cannot drift apart."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from engine.bundled import schemas_dir
from engine.checks import CHECKS
from engine.documents.schemas import load_schema, schema_names
from tests.conftest import ROOT

FOCUS_DATA = ROOT / "policies" / "fixtures"

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Options")


def test_policy_types_and_schema_files_are_one_to_one():
    files = {name for name in schema_names() if name.startswith("policy-types/")}
    assert files == {policy_type.schema for policy_type in CHECKS.values()}


def test_policy_schema_lists_every_type_and_routes_its_spec():
    schema = load_schema("policy.schema.json")
    assert schema["properties"]["type"]["enum"] == list(CHECKS)
    routed = {
        rule["if"]["properties"]["type"]["const"]: rule["then"]["properties"]["spec"]["$ref"] for rule in schema["allOf"]
    }
    assert routed == {name: t.schema for name, t in CHECKS.items()}


def test_document_kinds_are_the_loader_table_and_policy_test_money_the_finding_fields():
    from engine.documents.schemas import KIND_SCHEMAS
    from engine.findings import MONEY_FIELDS

    assert load_schema("document.schema.json")["properties"]["kind"]["enum"] == list(KIND_SCHEMAS)
    case = load_schema("policy-test.schema.json")["properties"]["cases"]["items"]
    assert list(case["properties"]["money"]["properties"]) == list(MONEY_FIELDS)
    assert list(load_schema("findings.schema.json")["$defs"]["finding"]["properties"]["money"]["properties"]) == list(MONEY_FIELDS)


@pytest.mark.parametrize("name", schema_names())
def test_every_schema_is_a_valid_draft_2020_12_schema(name):
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith("/" + name)


@pytest.mark.parametrize("name", list(CHECKS))
def test_policy_type_docs_have_the_fixed_sections(name):
    doc = CHECKS[name].module.__doc__
    positions = [doc.find("\n" + section + "\n") for section in SECTIONS]
    assert all(p >= 0 for p in positions), f"{name}: missing one of {SECTIONS}"
    assert positions == sorted(positions), f"{name}: sections out of order"


def docstring_example(module, language: str = "yaml") -> str | None:
    match = re.search(rf"\.\. code-block:: {language}\n\n((?:(?: {{8}}.*)?\n)*)", module.__doc__)
    if match is None:
        return None
    lines = match.group(1).rstrip("\n").splitlines()
    return "\n".join(line[8:] for line in lines) + "\n"


DEFAULT_EXAMPLE_RESOURCE = {"id": "r", "type": "AWS::EC2::Instance", "class": "compute.instance", "provider": "aws", "tags": {}, "size": "x1.32xlarge"}


def example_resource(module) -> dict:
    """The resource the example fails on: a ``json`` block after the YAML one, or a default instance."""
    import json

    from engine.inventory.adapters.costwarden import convert
    from engine.inventory.problems import StructureProblems

    text = docstring_example(module, "json")
    if text is None:
        return dict(DEFAULT_EXAMPLE_RESOURCE)
    problems = StructureProblems()
    (resource,) = convert([json.loads(text)], problems)
    assert not problems, problems.items
    return resource


@pytest.mark.parametrize("name", list(CHECKS))
def test_docstring_examples_load_and_evaluate(name, tmp_path):
    from engine.evaluator import evaluate
    from engine.library import load_library

    path = tmp_path / "example.yaml"
    path.write_text(docstring_example(CHECKS[name].module))
    library = load_library([str(path)])
    (policy,) = library.policies
    assert policy.type == name
    if CHECKS[name].target == "change":  # the examples describe a change that fails: the change policies' fixtures
        from engine.costs.reader import load_costs
        from engine.library import load_ownership
        from engine.plans import load_plans
        from engine.pricing import load_price_table, price_sources

        fixtures = ROOT / "policies" / "change" / "fixtures"
        result = evaluate(library, None, costs=load_costs([str(fixtures / "focus-may-2026.csv")]),
                          ownership=load_ownership(str(fixtures / "ownership.yaml")), as_of="2026-05-16", budgets=library.budgets,
                          prices=price_sources(load_price_table([str(fixtures / "prices.csv")])),
                          plans=load_plans([str(fixtures / "realdata" / "terraform_v0.14_plan.json")], sides=True))
        assert not result.errors and not result.skipped
        assert result.findings and all(f.scope is not None and f.resource is None for f in result.findings)
        return
    if CHECKS[name].target == "costs":  # the examples describe failing scopes of a small FOCUS file
        from engine.costs.reader import load_costs
        from engine.library import load_ownership

        costs = load_costs([str(FOCUS_DATA / "focus-may-june-2026.csv")])
        ownership = load_ownership(str(FOCUS_DATA / "ownership.yaml"))
        result = evaluate(library, None, costs=costs, ownership=ownership, as_of="2026-05-16", budgets=library.budgets)
        assert not result.errors and not result.skipped
        assert result.findings and all(f.scope is not None and f.resource is None for f in result.findings)
        return
    resource = example_resource(CHECKS[name].module)
    result = evaluate(library, [resource], as_of="2026-01-01")
    assert not result.errors
    assert [f.resource["id"] for f in result.findings] == [resource["id"]]  # the examples describe failing resources


def test_schemas_ship_outside_and_inside_the_package():
    assert (schemas_dir() / "policy.schema.json").is_file()
