"""Sensitive plan values never appear in any output of `check`, in any of the seven formats, nor in an
error message: real plans with sensitive values (a Terraform 1.15 plan of our own configuration, a
terraform-compliance plan whose SSM parameter value, sensitive by the provider's schema, is the API's
name that other resources repeat unmarked) and a synthetic one whose secrets sit where outputs show
values (tags, names, a message template, evidence, an evaluation error).

The secrets are read from the plan JSON here, by walking `after`/`before` along
`after_sensitive`/`before_sensitive`, independently of the plan reader. Policies are chosen so that
every resource is reported with all of its properties in the evidence: a secret that survived
anywhere in a resource would show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.outputs import FORMATS
from tests.conftest import REALDATA, ROOT
from tests.output_cases import validate_sarif

PLANS = [  # the real plans of tests/data whose sensitive values are known (in the others they are unknown too)
    ROOT / "tests" / "data" / "plans" / "terraform-data" / "plan.json",
    REALDATA / "terraform-compliance" / "test_non_created_module_resource_parameter" / "plan.out.json",
]
SHOW_EVERYTHING = """\
apiVersion: costwarden/v1
kind: Policy
id: show-everything
title: Every resource, with all its properties as evidence
type: condition
severity: high
spec:
  fail_if: {path: properties, op: exists}
  message: "{id} ({name}, {type}, {size}, {region}, {account})"
---
apiVersion: costwarden/v1
kind: Policy
id: tags-as-evidence
title: Every resource lists its tags as evidence
type: condition
severity: low
spec:
  fail_if: {path: tags, op: exists}
---
apiVersion: costwarden/v1
kind: Policy
id: owner-tag
title: A tag that fails with its value in the message
type: tagging
severity: medium
spec:
  keys: [{key: owner, pattern: "^team-"}, {key: cost-center, values: [none-allowed]}]
---
apiVersion: costwarden/v1
kind: Policy
id: compares-secrets
title: Compares values that are strings with a number (an evaluation error naming the path)
type: condition
severity: low
spec:
  fail_if:
    any:
      - {path: properties.value, op: gt, value: 1}
      - {path: properties.password, op: gt, value: 1}
      - {path: properties.input.password, op: gt, value: 1}
"""
MIN_LENGTH = 4  # shorter sensitive strings are hidden only where a whole value equals them (docs/plans.md)


def secrets_of(plan: Path) -> set[str]:
    """Every sensitive string and number (as text) of at least MIN_LENGTH characters, and the keys of sensitive maps."""
    found: set[str] = set()

    def collect(value):
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.add(str(value))
        elif isinstance(value, dict):
            for key, inner in value.items():
                found.add(key)
                collect(inner)
        elif isinstance(value, list):
            for inner in value:
                collect(inner)

    def walk(value, marks):
        if marks is True:
            collect(value)
        elif isinstance(marks, dict) and isinstance(value, dict):
            for key, mark in marks.items():
                if key in value:
                    walk(value[key], mark)
        elif isinstance(marks, list) and isinstance(value, list):
            for inner, mark in zip(value, marks):
                walk(inner, mark)

    for entry in json.loads(plan.read_text(encoding="utf-8"))["resource_changes"]:
        change = entry["change"]
        walk(change.get("after"), change.get("after_sensitive"))
        walk(change.get("before"), change.get("before_sensitive"))
    return {secret for secret in found if len(secret) >= MIN_LENGTH}


SECRET_TAG, SECRET_NAME, SECRET_PASSWORD = "cc-4711-confidential", "svc-hidden-name-2931", "hunter2-correct-horse"
SYNTHETIC = {
    "format_version": "1.2", "terraform_version": "1.9.0", "configuration": {"root_module": {}},
    "planned_values": {"root_module": {}},
    "resource_changes": [
        {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
         "provider_name": "registry.terraform.io/hashicorp/aws",
         "change": {"actions": ["create"], "before": None,
                    "after": {"instance_type": "t3.micro", "tags": {"owner": SECRET_NAME, "cost-center": SECRET_TAG},
                              "tags_all": {"owner": SECRET_NAME, "cost-center": SECRET_TAG, "Name": SECRET_NAME},
                              "user_data": f"#!/bin/sh\necho {SECRET_PASSWORD} > /etc/pw"},
                    "after_unknown": {}, "before_sensitive": False,
                    "after_sensitive": {"tags": {"cost-center": True, "owner": True}, "user_data": True}}},
        {"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance", "name": "main",
         "provider_name": "registry.terraform.io/hashicorp/aws",
         "change": {"actions": ["update"],
                    "before": {"instance_class": "db.t3.micro", "password": "old-" + SECRET_PASSWORD, "tags_all": {}},
                    "after": {"instance_class": "db.t3.micro", "password": SECRET_PASSWORD,
                              "endpoint": f"postgres://app:{SECRET_PASSWORD}@db:5432", "tags_all": {}},
                    "after_unknown": {}, "before_sensitive": {"password": True}, "after_sensitive": {"password": True}}},
    ],
}


def run_all_formats(plan: Path, policies: Path, tmp_path: Path, *extra: str) -> tuple[dict[str, str], str, int]:
    """Every format, as files and (text) on standard output, in one run; and standard error."""
    args = ["check", "--policies", str(policies), "--plan", str(plan), "--plan-scope", "all", "--as-of", "2026-01-01", *extra]
    for name in FORMATS:
        if name != "text":
            args += ["-f", name, "-o", str(tmp_path / f"out.{name}")]
    args += ["-f", "text"]
    result = CliRunner().invoke(main, args)
    outputs = {name: (tmp_path / f"out.{name}").read_text(encoding="utf-8") for name in FORMATS if name != "text"}
    outputs["text"] = result.stdout
    if "sarif" in outputs and outputs["sarif"]:
        validate_sarif(json.loads(outputs["sarif"]))
    return outputs, result.stderr, result.exit_code


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.parent.name)
def test_no_sensitive_value_in_any_format(plan, tmp_path, write):
    secrets = secrets_of(plan)
    assert secrets, "the plan has sensitive values of at least 4 characters"
    policies = write("policies.yaml", SHOW_EVERYTHING)
    outputs, stderr, code = run_all_formats(plan, policies, tmp_path)
    assert code == 2, stderr  # compares-secrets meets strings: evaluation errors, reported in every output
    assert set(outputs) == set(FORMATS) and all(outputs.values())
    assert "(sensitive value)" in outputs["json"]
    for name, text in [*outputs.items(), ("stderr", stderr)]:
        leaked = sorted(secret for secret in secrets if secret in text)
        assert not leaked, f"{name} shows sensitive values: {leaked}"


def test_secrets_in_tags_names_messages_and_errors_never_show(tmp_path, write):
    plan = write("plan.json", json.dumps(SYNTHETIC))
    policies = write("policies.yaml", SHOW_EVERYTHING)
    secrets = secrets_of(plan)
    assert {SECRET_TAG, SECRET_NAME, SECRET_PASSWORD, "old-" + SECRET_PASSWORD} <= secrets
    outputs, stderr, code = run_all_formats(plan, policies, tmp_path)
    assert code == 2
    findings = json.loads(outputs["json"])["findings"]
    # the resources are reported, their secrets replaced: the tag, the Name-derived name, the copy in user_data
    web = next(f for f in findings if f["policy"] == "tags-as-evidence" and f["resource"]["id"] == "aws_instance.web")
    assert web["evidence"]["actual"]["tags"]["cost-center"] == "(sensitive value)"
    assert web["resource"]["name"] == "(sensitive value)"
    db = next(f for f in findings if f["policy"] == "show-everything" and f["resource"]["id"] == "aws_db_instance.main")
    assert db["evidence"]["actual"]["properties"]["endpoint"] == "postgres://app:(sensitive value)@db:5432"
    errors = json.loads(outputs["json"])["errors"]
    assert {e["code"] for e in errors} == {"E501"}
    for name, text in [*outputs.items(), ("stderr", stderr)]:
        leaked = sorted(secret for secret in secrets if secret in text)
        assert not leaked, f"{name} shows sensitive values: {leaked}"


def test_a_secret_of_a_change_left_out_is_hidden_in_the_resources_evaluated(write):
    """A value marked sensitive only in an entry the scope leaves out (no-op), repeated unmarked in a created
    resource: hidden there too (a value marked sensitive anywhere in the plans of a run is hidden everywhere)."""
    token = "tok-5ecret-0042"
    plan = write("plan.json", json.dumps({**SYNTHETIC, "resource_changes": [
        {"address": "aws_ssm_parameter.token", "mode": "managed", "type": "aws_ssm_parameter", "name": "token",
         "provider_name": "registry.terraform.io/hashicorp/aws",
         "change": {"actions": ["no-op"], "before": {"value": token}, "after": {"value": token}, "after_unknown": {},
                    "before_sensitive": {"value": True}, "after_sensitive": {"value": True}}},
        {"address": "aws_instance.app", "mode": "managed", "type": "aws_instance", "name": "app",
         "provider_name": "registry.terraform.io/hashicorp/aws",
         "change": {"actions": ["create"], "before": None,
                    "after": {"instance_type": "t3.micro", "user_data": f"TOKEN={token}", "tags_all": {"deploy": token}},
                    "after_unknown": {}, "before_sensitive": False, "after_sensitive": {}}},
    ]}))
    policies = write("policies.yaml", SHOW_EVERYTHING)
    result = CliRunner().invoke(main, ["check", "--policies", str(policies), "--plan", str(plan), "--as-of", "2026-01-01",
                                       "-f", "json"])
    assert token not in result.stdout + result.stderr
    app = next(f for f in json.loads(result.stdout)["findings"] if f["policy"] == "show-everything")
    assert app["evidence"]["actual"]["properties"]["user_data"] == "TOKEN=(sensitive value)"


# --- the quick test before a resource is walked for secrets it repeats unmarked ---------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_SECRET = st.one_of(_TEXT, st.integers(min_value=-10**6, max_value=10**6), st.floats(allow_nan=False, allow_infinity=False))
_VALUE = st.recursive(st.one_of(st.none(), st.booleans(), _SECRET),
                      lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
                      max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(secrets=st.sets(_SECRET, max_size=6), value=_VALUE, planted=st.lists(st.integers(0, 5), max_size=3))
def test_the_quick_test_never_misses_what_scrubbing_would_replace(secrets, value, planted):
    """Scrubber.finds(compact JSON) is False only when Scrubber.value changes nothing: the regex trie over
    the JSON text is checked against the walk over the values, with secrets planted inside strings too."""
    import copy

    import orjson

    from engine.plans.marks import Scrubber

    ordered = sorted(secrets, key=repr)
    if ordered:  # plant some secrets inside strings and as keys
        value = {"planted": [f"x{ordered[i % len(ordered)]}y" for i in planted],
                 **{str(ordered[i % len(ordered)]): i for i in planted}, "value": value}
    scrubber = Scrubber(set(secrets))
    try:
        dumped = orjson.dumps(value)
    except TypeError:
        return  # an integer beyond 64 bits: walked without the quick test
    changed = scrubber.value(copy.deepcopy(value)) != value
    if changed:
        assert scrubber.finds(dumped), (secrets, value)
