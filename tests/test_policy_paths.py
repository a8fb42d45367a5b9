"""Where policies come from: the reserved path ``builtin`` (the bundled library, so a policy set can be
layered over it), no path at all (the bundled library, for check, validate and test alike), and a
folder without any YAML file (an error naming it, for all three)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import engine
from engine.bundled import policies_dir
from engine.cli import main
from engine.errors import InputError
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
CHECK = ["check", "--inventory", str(EXAMPLES / "inventory.json"), "--ownership", str(EXAMPLES / "ownership.yaml"),
         "--as-of", "2026-11-27", "--format", "json"]

BUILTIN_FILES = len([p for p in policies_dir().rglob("*.y*ml")])
BUILTIN_POLICIES = len(engine.load_policies().policies)

SET = """\
apiVersion: costwarden/v1
kind: PolicySet
id: acme
policies:
  required-allocation-tags:
    severity: critical
    parameters:
      required_keys: [{key: team}, {key: cost-center}, {key: environment}, {key: application}]
  stopped-instance:
    enabled: false
"""


def invoke(*args, **options):
    return CliRunner().invoke(main, [str(arg) for arg in args], **options)


def findings(result) -> list[dict]:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


# --- builtin: a policy set over the built-in library -----------------------------------------------


def test_a_policy_set_is_layered_over_the_builtin_library(write):
    policy_set = write("acme-set.yaml", SET)
    plain = findings(invoke(*CHECK))
    layered = findings(invoke(*CHECK, "--policies", "builtin", "--policies", policy_set))
    tagged = [f for f in layered if f["policy"] == "required-allocation-tags"]
    before = [f for f in plain if f["policy"] == "required-allocation-tags"]
    assert tagged and {f["severity"] for f in tagged} == {"critical"}
    assert {f["severity"] for f in before} == {"high"}
    # the parameter override: the new key is required of every selected resource
    assert len(tagged) >= len(before) and all("application" in f["evidence"]["missing"] for f in tagged)
    assert any(f["policy"] == "stopped-instance" for f in plain)
    assert not any(f["policy"] == "stopped-instance" for f in layered)


def test_builtin_is_the_same_library_as_no_policies_option():
    assert invoke(*CHECK, "--policies", "builtin").stdout == invoke(*CHECK).stdout


def test_a_set_naming_builtin_policies_without_builtin_says_how_to_load_them(write):
    policy_set = write("acme-set.yaml", SET)
    result = invoke(*CHECK, "--policies", policy_set)
    assert result.exit_code == 2
    assert (f"{policy_set}:5:3: E306 unknown policy 'required-allocation-tags' (at /policies/required-allocation-tags);"
            " it is a built-in policy, and the built-in library is not loaded: add the path 'builtin'") in result.stderr
    # an id that is not built-in keeps the usual "did you mean" among the loaded policies
    write("mine/p.yaml", "apiVersion: costwarden/v1\nkind: Policy\nid: big-instances\ntitle: t\ntype: condition\n"
                         "severity: low\nspec:\n  fail_if: {path: size, op: eq, value: x}\n")
    write("mine/set.yaml", "apiVersion: costwarden/v1\nkind: PolicySet\nid: s\npolicies:\n  big-instance: {severity: high}\n")
    result = invoke("validate", policy_set.parent / "mine")
    assert result.exit_code == 2
    assert "E306 unknown policy 'big-instance' (at /policies/big-instance); did you mean 'big-instances'?" in result.stderr


def test_validate_and_test_take_builtin_among_their_paths(write):
    policy_set = write("acme-set.yaml", SET)
    validated = invoke("validate", "builtin", policy_set)
    assert validated.exit_code == 0, validated.output
    assert validated.stdout.startswith(f"ok: {BUILTIN_FILES + 1} files, {BUILTIN_POLICIES} policies")
    tested = invoke("test", "builtin")
    assert tested.exit_code == 0, tested.output
    assert tested.stdout == invoke("test", policies_dir()).stdout


def test_validate_and_test_without_a_path_use_the_builtin_library():
    validated = invoke("validate")
    assert validated.exit_code == 0, validated.output
    assert validated.stdout == invoke("validate", policies_dir()).stdout
    assert validated.stdout.startswith(f"ok: {BUILTIN_FILES} files, {BUILTIN_POLICIES} policies")
    tested = invoke("test")
    assert tested.exit_code == 0, tested.output
    assert tested.stdout.endswith(" passed, 0 failed\n") and not tested.stdout.startswith("0 passed")


def test_python_api_takes_builtin_among_the_paths(write):
    library = engine.load_policies(["builtin", str(write("acme-set.yaml", SET))])
    assert library.get("required-allocation-tags").severity == "critical"
    assert library.get("stopped-instance").enabled is False
    assert {p.id for p in library.policies} == {p.id for p in engine.load_policies().policies}
    outcomes = engine.run_policy_tests()
    assert outcomes and all(o.passed for o in outcomes)


def test_a_folder_named_builtin_needs_a_dot_slash(tmp_path, monkeypatch, write):
    write("builtin/p.yaml", "apiVersion: costwarden/v1\nkind: Policy\nid: local-one\ntitle: t\ntype: condition\n"
                            "severity: low\nspec:\n  fail_if: {path: size, op: eq, value: x}\n")
    monkeypatch.chdir(tmp_path)
    reserved = invoke("validate", "builtin")
    assert reserved.exit_code == 0 and reserved.stdout == invoke("validate", policies_dir()).stdout
    assert "note: 'builtin' is the built-in policy library, not ./builtin here (write ./builtin for that)" in reserved.stderr
    local = invoke("validate", "./builtin")
    assert local.exit_code == 0 and local.stdout.startswith("ok: 1 files, 1 policy") and not local.stderr


# --- a folder without YAML ----------------------------------------------------------------------


@pytest.mark.parametrize("command", [["validate", "{dir}"], ["test", "{dir}"], ["validate", "builtin", "{dir}"],
                                     ["test", "builtin", "{dir}"], [*CHECK, "--policies", "{dir}"],
                                     [*CHECK, "--policies", "builtin", "--policies", "{dir}"]])
def test_a_folder_without_yaml_is_an_error_naming_it(tmp_path, command):
    empty = tmp_path / "polcies"
    (empty / "notes").mkdir(parents=True)
    (empty / "notes" / "README.md").write_text("not a policy")
    (empty / ".hidden").mkdir()
    (empty / ".hidden" / "p.yaml").write_text("apiVersion: costwarden/v1\n")
    result = invoke(*[part.format(dir=empty) for part in command])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (f"{empty}: E108 no YAML file (*.yaml, *.yml) in this folder or below it (hidden folders are skipped)\n"
                             "costwarden: 1 problem found; nothing was evaluated\n")


def test_the_api_reports_a_folder_without_yaml(tmp_path):
    with pytest.raises(InputError) as caught:
        engine.load_policies([str(tmp_path)])
    assert [p.code for p in caught.value.problems] == ["E108"]
    assert caught.value.problems[0].file == str(tmp_path)


def test_test_of_a_folder_with_policies_but_no_tests_names_it(write):
    folder = write("p/policy.yaml", "apiVersion: costwarden/v1\nkind: Policy\nid: one\ntitle: t\ntype: condition\n"
                                    "severity: low\nspec:\n  fail_if: {path: size, op: eq, value: x}\n").parent
    result = invoke("test", folder)
    assert result.exit_code == 2
    assert f"Error: no policy tests (kind: PolicyTest) found in {folder}" in result.stderr
