"""What follows from the table of policy types (CHECKS) and the table of money fields (MONEY) is
generated from them, or checked against them: the generated schema parts and docs page are not
stale, the outputs, the CLI help and the README follow the tables, and the money a finding carries
is money its type declares."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal

from click.testing import CliRunner

from engine.checks import CHECKS, derived, rightsizing, type_pages
from engine.cli import main
from engine.documents.schemas import load_schema
from engine.findings import MONEY, Finding, Money
from engine.inventory.adapters import ADAPTERS
from engine.outputs import FORMATS
from engine.outputs.labels import dollars
from tests.conftest import ROOT
from tests.output_cases import example_result


def test_the_generated_files_are_not_stale():
    assert derived.stale_files() == [], "run: python -m engine.checks.derived --write"


def test_a_stale_file_is_found_and_rewritten(tmp_path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")  # the type pages read the spec schemas
    for name in derived.derived_files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    policy = json.loads((tmp_path / derived.POLICY).read_text())
    policy["properties"]["type"]["enum"].remove("waste")  # a type hand-removed from the enum
    policy["allOf"].pop()
    (tmp_path / derived.POLICY).write_text(json.dumps(policy))
    page = tmp_path / derived.PAGE
    page.write_text(re.sub(r"^\| \[`budget`\].*\n", "", page.read_text(), flags=re.M))
    type_page = tmp_path / "docs" / "policy-types" / "waste.md"
    type_page.unlink()  # a type's page missing
    assert derived.stale_files(tmp_path) == [derived.POLICY, derived.PAGE, "docs/policy-types/waste.md"]
    assert derived.write_files(tmp_path) == [derived.POLICY, derived.PAGE, "docs/policy-types/waste.md"]
    assert derived.stale_files(tmp_path) == []
    assert all((tmp_path / name).read_text() == (ROOT / name).read_text() for name in derived.derived_files())


def test_the_generated_parts_are_the_tables():
    policy = load_schema("policy.schema.json")
    assert policy["properties"]["type"]["enum"] == list(CHECKS)
    assert [rule["then"]["properties"]["spec"]["$ref"] for rule in policy["allOf"]] == [t.schema for t in CHECKS.values()]
    findings = load_schema("findings.schema.json")
    money = findings["$defs"]["finding"]["properties"]["money"]
    assert money["required"] == list(money["properties"]) == list(MONEY)
    assert [money["properties"][name]["description"] for name in MONEY] == [field.description for field in MONEY.values()]
    for part in ("by_owner", "by_policy"):
        item = findings["properties"]["summary"]["properties"][part]["items"]
        assert item["required"][-len(MONEY):] == list(MONEY) and set(MONEY) <= set(item["properties"])
    case = load_schema("policy-test.schema.json")["properties"]["cases"]["items"]
    assert list(case["properties"]["money"]["properties"]) == list(MONEY)
    page = (ROOT / derived.PAGE).read_text()
    assert [m.group(1) for m in re.finditer(r"^\| \[`([a-z-]+)`\]\(policy-types/\1.md\) \| (?:inventory|the cost|a priced)", page, re.M)] == list(CHECKS)
    for name, policy_type in CHECKS.items():  # each type's page: its docstring's sections and a row per option of its schema
        text = (ROOT / "docs" / "policy-types" / f"{name}.md").read_text()
        assert [line for line in text.splitlines() if line.startswith("## ")] == [f"## {s}" for s in type_pages.SECTIONS]
        options = load_schema(policy_type.schema).get("properties", {})
        assert all(re.search(rf"^\| `{option}` \|", text, re.M) for option in options), name


def test_the_generated_json_layout_is_plain_json():
    value = {"a": [1, 2], "b": {"c": "x" * 200, "d": []}, "e": ["y" * 100, "z" * 100]}
    text = derived.dump(value)
    assert json.loads(text) == value
    assert text.splitlines()[1:3] == ['  "a": [1, 2],', '  "b": {']  # small parts on one line; long ones opened
    assert '  "e": ["' in text  # a list of names stays on one line


def test_a_finding_carries_only_money_its_type_declares():
    result = example_result()
    types = {policy.id: policy.type for policy in result.policies}
    carried: dict[str, set] = {}
    for finding in result.findings:
        declared = CHECKS[types[finding.policy]].findings_money
        assert set(finding.money) <= set(declared), (finding.policy, set(finding.money), declared)
        carried.setdefault(types[finding.policy], set()).update(finding.money)
    # the example estate shows every kind of money but what only change policies give (they price a plan:
    # tests/test_change_cost.py shows theirs)
    only_change = {name for name in MONEY
                   if all(t.target == "change" for t in CHECKS.values() if name in t.findings_money)}
    assert set().union(*carried.values()) == set(MONEY) - only_change
    assert {name for policy_type in CHECKS.values() for name in policy_type.findings_money} == set(MONEY)


def test_outputs_label_money_from_the_money_table():
    amounts = {name: Money(Decimal(index + 1), "USD") for index, name in enumerate(MONEY)}
    finding = Finding("p", "low", "enforce", "m", "t", "none", None, {}, **amounts)
    assert finding.money == amounts and finding.overspend == amounts["overspend"]
    assert dollars(finding) == "; ".join(f"{field.label} {index + 1}.00 USD" for index, field in enumerate(MONEY.values()))
    assert Finding("p", "low", "enforce", "m", "t", "none", None, {}, overspend=None).money == {}


def test_a_finding_refuses_an_unknown_money_field():
    import pytest

    with pytest.raises(TypeError, match="unexpected keyword argument 'overspent'"):
        Finding("p", "low", "enforce", "m", "t", "none", None, {}, overspent=Money(Decimal(1), "USD"))
    with pytest.raises(AttributeError):
        _ = Finding("p", "low", "enforce", "m", "t", "none", None, {}).overspent


def test_the_rightsizing_defaults_are_the_schema_defaults():
    def defaults(schema: dict, pointer: str = "") -> dict:
        found = {}
        for name, item in schema.get("properties", {}).items():
            if "default" in item:
                found[f"{pointer}/{name}"] = item["default"]
            found.update(defaults(item, f"{pointer}/{name}"))
        return found

    assert defaults(load_schema(CHECKS["rightsizing"].schema)) == rightsizing.DEFAULTS


def test_the_check_help_names_every_format_inventory_format_and_cost_type():
    text = " ".join(CliRunner().invoke(main, ["check", "--help"]).output.split()).replace("- ", "-")
    assert f"Output format: {', '.join(FORMATS)} (default" in text
    assert f"Inventory format: {', '.join(ADAPTERS)} (default" in text
    costs = [name for name, policy_type in CHECKS.items() if policy_type.target == "costs"]
    assert f"cost policies (types {', '.join(costs)}) need --costs" in text


def test_the_readme_points_to_the_policy_types_page_instead_of_a_table_of_its_own():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/policy-types.md)" in readme
    assert not re.search(r"^\| `(" + "|".join(map(re.escape, CHECKS)) + r")` \| (?!`)", readme, re.M)  # no row per type
