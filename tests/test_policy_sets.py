"""Policy sets: where a problem caused by an override is reported, and `resource.types` parameters.

A value a PolicySet supplies for a parameter is checked once it is substituted into the policy
(against the policy type's schema, then by the type's compile step and the condition compiler).
A problem in it is reported at the value in the *set's* file — the file the user edited — and
names the policy, the parameter, the set and where the policy uses it. A problem in a parameter's
default is still reported in the policy's file.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.errors import InputError
from engine.library import load_library

RIGHTSIZE = """\
apiVersion: costwarden/v1
kind: Policy
id: rightsize
title: Rightsize
type: rightsizing
severity: medium
parameters:
  min_days:
    default: 14
spec:
  trigger: {metric: cpu, statistic: p95, below: 20}
  min_days: {param: min_days}
"""

TAGGING = """\
apiVersion: costwarden/v1
kind: Policy
id: cc-tag
title: Cost center tag
type: tagging
severity: medium
parameters:
  mode:
    default: exact
  cc_pattern:
    default: "^CC-[0-9]{4}$"
spec:
  match: {param: mode}
  keys:
    - key: cost-center
      pattern: {param: cc_pattern}
  extra: 1
"""

STALE = """\
apiVersion: costwarden/v1
kind: Policy
id: stale
title: Stale volumes
type: condition
severity: low
parameters:
  name_pattern:
    default: "^vol-"
spec:
  fail_if:
    all:
      - {path: state, op: eq, value: available}
      - {path: name, op: regex, value: {param: name_pattern}}
"""


def validate(*paths) -> tuple[int, list[str]]:
    """Exit code and the problem lines of `costwarden validate PATHS`."""
    result = CliRunner().invoke(main, ["validate", *map(str, paths)])
    lines = [line for line in result.output.splitlines() if not line.startswith("costwarden:")]
    return result.exit_code, lines


def problems_of(*paths) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_library([str(p) for p in paths])
    return [p.format() for p in caught.value.problems]


def test_wrong_type_from_a_policy_set_is_reported_at_the_set(write):
    policy = write("lib/policies/rightsize.yaml", RIGHTSIZE)
    the_set = write(
        "lib/sets/prod.yaml",
        """\
apiVersion: costwarden/v1
kind: PolicySet
id: prod
policies:
  rightsize:
    severity: high
    parameters:
      min_days: thirty
""",
    )
    code, lines = validate(policy.parent.parent)
    assert code == 2
    assert lines == [
        f"{the_set}:8:17: E203 policy 'rightsize' (parameter 'min_days' from policy set 'prod'): "
        f"expected number, got string 'thirty'; used at {policy}:12:13 as /spec/min_days "
        "(at /policies/rightsize/parameters/min_days)"
    ]


def test_wrong_type_in_the_default_is_still_reported_at_the_policy(write):
    policy = write("lib/rightsize.yaml", RIGHTSIZE.replace("default: 14", "default: thirty"))
    write("lib/set.yaml", "apiVersion: costwarden/v1\nkind: PolicySet\nid: prod\npolicies:\n  rightsize: {severity: high}\n")
    code, lines = validate(policy.parent)
    assert code == 2
    assert lines == [f"{policy}:12:13: E203 expected number, got string 'thirty' (at /spec/min_days)"]


def test_bad_regex_enum_and_item_from_a_set_point_at_each_value(write):
    tagging = write("lib/tagging.yaml", TAGGING.replace("  extra: 1\n", ""))
    stale = write("lib/stale.yaml", STALE)
    the_set = write(
        "lib/set.yaml",
        """\
apiVersion: costwarden/v1
kind: PolicySet
id: prod
policies:
  stale:
    parameters:
      name_pattern: "(("
  cc-tag:
    parameters:
      mode: exakt
""",
    )
    found = problems_of(tagging.parent)
    assert found == [
        f"{the_set}:7:21: E302 policy 'stale' (parameter 'name_pattern' from policy set 'prod'): "
        "invalid regular expression '((': missing ): ((; "
        f"used at {stale}:14:40 as /spec/fail_if/all/1/value (at /policies/stale/parameters/name_pattern)",
        f"{the_set}:10:13: E204 policy 'cc-tag' (parameter 'mode' from policy set 'prod'): "
        "'exakt' is not one of: exact, case-insensitive, normalized; "
        f"used at {tagging}:13:10 as /spec/match (at /policies/cc-tag/parameters/mode); did you mean 'exact'?",
    ]


def test_bad_regex_compiled_by_the_policy_type_is_reported_at_the_set(write):
    tagging = write("lib/tagging.yaml", TAGGING.replace("  extra: 1\n", ""))
    the_set = write(
        "lib/set.yaml",
        'apiVersion: costwarden/v1\nkind: PolicySet\nid: prod\npolicies:\n  cc-tag:\n    parameters: {cc_pattern: "[a-"}\n',
    )
    code, lines = validate(tagging.parent)
    assert code == 2
    assert lines == [
        f"{the_set}:6:30: E302 policy 'cc-tag' (parameter 'cc_pattern' from policy set 'prod'): "
        "invalid regular expression '[a-': missing ]: [a-; "
        f"used at {tagging}:16:16 as /spec/keys/0/pattern (at /policies/cc-tag/parameters/cc_pattern)"
    ]


def test_the_same_bad_regex_as_a_default_stays_at_the_policy(write):
    stale = write("lib/stale.yaml", STALE.replace('default: "^vol-"', 'default: "(("'))
    (line,) = problems_of(stale)
    assert line.startswith(f"{stale}:14:40: E302 invalid regular expression '(('")
    assert line.endswith("(at /spec/fail_if/all/1/value)")


def test_problems_inside_a_structured_value_point_into_the_set_and_the_policys_own_stay(write):
    policy = write(
        "lib/tagging.yaml",
        TAGGING.replace("      pattern: {param: cc_pattern}\n", "      pattern: {param: cc_pattern}\n    - {param: env_rules}\n").replace(
            "parameters:\n", "parameters:\n  env_rules:\n    default: {key: env, values: [prod, dev]}\n"
        ),
    )
    the_set = write(
        "lib/set.yaml",
        """\
apiVersion: costwarden/v1
kind: PolicySet
id: prod
policies:
  cc-tag:
    parameters:
      env_rules:
        key: env
        valuez: [prod, 7]
""",
    )
    found = problems_of(policy.parent)
    # the policy's own mistake (an unknown key of the spec) is in the policy
    assert f"{policy}:20:3: E201 unknown key 'extra' (at /spec/extra)" in found
    # an unknown key inside the set's value: at that key, in the set
    assert (
        f"{the_set}:9:9: E201 policy 'cc-tag' (parameter 'env_rules' from policy set 'prod'): unknown key 'valuez'; "
        f"used at {policy}:19:7 as /spec/keys/1 (at /policies/cc-tag/parameters/env_rules/valuez); did you mean 'values'?"
    ) in found
    assert len(found) == 2


def test_two_sets_overriding_different_parameters_each_get_their_own_errors(write):
    tagging = write("lib/tagging.yaml", TAGGING.replace("  extra: 1\n", ""))
    first = write("lib/a.yaml", "apiVersion: costwarden/v1\nkind: PolicySet\nid: a\npolicies:\n  cc-tag:\n    parameters:\n      mode: 1\n")
    second = write("lib/b.yaml", "apiVersion: costwarden/v1\nkind: PolicySet\nid: b\npolicies:\n  cc-tag:\n    parameters:\n      cc_pattern: 7\n")
    found = problems_of(tagging.parent)
    assert [line.split(" (parameter")[0] for line in found] == [
        f"{first}:7:13: E204 policy 'cc-tag'",
        f"{second}:7:19: E203 policy 'cc-tag'",
    ]
    assert "from policy set 'b'): expected string, got number 7" in found[1]


def test_invalid_severity_and_enforcement_in_a_set_are_reported_at_the_set(write):
    policy = write("lib/rightsize.yaml", RIGHTSIZE)
    the_set = write(
        "lib/set.yaml",
        "apiVersion: costwarden/v1\nkind: PolicySet\nid: prod\npolicies:\n  rightsize:\n    severity: urgent\n    enforcement: warn\n    enabled: yes\n",
    )
    code, lines = validate(policy.parent)
    assert code == 2
    assert lines == [
        f"{the_set}:6:15: E204 'urgent' is not one of: info, low, medium, high, critical (at /policies/rightsize/severity)",
        f"{the_set}:7:18: E204 'warn' is not one of: audit, enforce (at /policies/rightsize/enforcement)",
        f"{the_set}:8:14: E203 expected boolean, got string 'yes' (at /policies/rightsize/enabled)",
    ]


# --- resource.types from a parameter ----------------------------------------------------------

UNTAGGED = """\
apiVersion: costwarden/v1
kind: Policy
id: untagged
title: Resources without a team tag
type: tagging
severity: low
resource:
  types: {param: classes}
parameters:
  classes:
    default: [compute.instance]
spec:
  keys:
    - key: team
"""

RETARGET = """\
apiVersion: costwarden/v1
kind: PolicySet
id: storage
policies:
  untagged:
    parameters:
      classes: {classes}
"""

INVENTORY = {
    "apiVersion": "costwarden/v1",
    "kind": "Inventory",
    "resources": [
        {"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "tags": {}},
        {"id": "vol-1", "type": "AWS::EC2::Volume", "provider": "aws", "tags": {}},
        {"id": "vol-2", "type": "AWS::EC2::Volume", "provider": "aws", "tags": {"team": "payments"}},
        {"id": "bucket-1", "type": "AWS::S3::Bucket", "provider": "aws", "tags": {}},
        {"id": "db-1", "type": "AWS::RDS::DBInstance", "provider": "aws", "tags": {}},
    ],
}


def check_findings(policies, inventory) -> list[tuple[str, str]]:
    result = CliRunner().invoke(
        main, ["check", "--policies", str(policies), "--inventory", str(inventory), "--as-of", "2026-01-01", "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    return sorted((f["policy"], f["resource"]["id"]) for f in json.loads(result.output)["findings"])


def test_a_policy_set_retargets_resource_types_end_to_end(write):
    inventory = write("inv.json", json.dumps(INVENTORY))
    policy = write("lib/untagged.yaml", UNTAGGED)
    assert validate(policy) == (0, ["ok: 1 files, 1 policy, 0 policy tests, 0 ownership documents"])
    assert check_findings(policy, inventory) == [("untagged", "i-1")]

    write("lib/set.yaml", RETARGET.format(classes="[block.volume, AWS::S3::Bucket]"))
    assert validate(policy.parent)[0] == 0
    (loaded,) = load_library([str(policy.parent)]).policies
    assert loaded.types == frozenset({"block.volume", "aws::s3::bucket", "s3:bucket", "aws_s3_bucket"})  # every spelling
    assert loaded.policy_set == "storage"
    assert check_findings(policy.parent, inventory) == [("untagged", "bucket-1"), ("untagged", "vol-1")]


def test_an_item_of_resource_types_can_be_a_parameter(write):
    inventory = write("inv.json", json.dumps(INVENTORY))
    policy = write(
        "lib/untagged.yaml",
        UNTAGGED.replace("types: {param: classes}", "types: [compute.instance, {param: classes}]").replace(
            "default: [compute.instance]", "default: block.volume"
        ),
    )
    assert check_findings(policy, inventory) == [("untagged", "i-1"), ("untagged", "vol-1")]
    write("lib/set.yaml", RETARGET.format(classes="database.instance"))
    assert check_findings(policy.parent, inventory) == [("untagged", "db-1"), ("untagged", "i-1")]


@pytest.mark.parametrize(
    "classes, where, message",
    [
        ("compute.instance", "7:16", "E203 {prefix}expected array, got string 'compute.instance'; {used} (at {pointer})"),
        ("[]", "7:16", "E207 {prefix}[] should be non-empty; {used} (at {pointer})"),
        (
            "[block.volume, 3]",
            "7:31",
            "E203 {prefix}expected string, got number 3; {used} (at {pointer}/1); put the value in quotes to keep it a string",
        ),
    ],
)
def test_bad_types_from_a_policy_set_are_reported_at_the_set(write, classes, where, message):
    policy = write("lib/untagged.yaml", UNTAGGED)
    the_set = write("lib/set.yaml", RETARGET.format(classes=classes))
    code, lines = validate(policy.parent)
    prefix = "policy 'untagged' (parameter 'classes' from policy set 'storage'): "
    used = f"used at {policy}:8:10 as /resource/types"
    pointer = "/policies/untagged/parameters/classes"
    assert code == 2
    assert lines == [f"{the_set}:{where}: " + message.format(prefix=prefix, used=used, pointer=pointer)]


def test_bad_types_in_a_default_are_reported_at_the_policy(write):
    policy = write(
        "lib/untagged.yaml",
        UNTAGGED.replace("types: {param: classes}", "types: [block.volume, {param: classes}]"),
    )
    code, lines = validate(policy)
    assert code == 2
    assert lines == [f'{policy}:8:25: E203 expected string, got array ["compute.instance"] (at /resource/types/1)']


@pytest.mark.parametrize(
    "types, expected",
    [
        ("compute.instance", "8:10: E203 expected array, got string 'compute.instance' (at /resource/types)"),
        ("[]", "8:10: E207 [] should be non-empty (at /resource/types)"),
        ("[1]", "8:11: E203 expected string, got number 1 (at /resource/types/0); put the value in quotes to keep it a string"),
        ("{parm: classes}", "8:11: E201 unknown key 'parm' (at /resource/types/parm); did you mean 'param'?"),
    ],
)
def test_literal_types_are_still_checked_by_the_policy_schema(write, types, expected):
    policy = write("p.yaml", UNTAGGED.replace("types: {param: classes}", f"types: {types}"))
    lines = problems_of(policy)
    assert f"{policy}:{expected}" in lines


def test_an_unknown_key_of_the_policy_holding_a_set_value_stays_at_the_policy(write):
    policy = write("lib/tagging.yaml", TAGGING.replace("  extra: 1\n", "  extra: {param: cc_pattern}\n"))
    write("lib/set.yaml", "apiVersion: costwarden/v1\nkind: PolicySet\nid: prod\npolicies:\n  cc-tag:\n    parameters: {cc_pattern: x}\n")
    assert problems_of(policy.parent) == [f"{policy}:17:3: E201 unknown key 'extra' (at /spec/extra)"]


LIMIT = """\
apiVersion: costwarden/v1
kind: Policy
id: big
title: Big
type: condition
severity: low
parameters:
  limit:
    default: 4
spec:
  fail_if: {path: properties.count, op: gt, value: {param: limit}}
"""


def test_an_evaluation_error_from_a_set_value_is_reported_at_the_set(tmp_path):
    """gt with the set's string "4" meets a count that is a number: E501 points at the value the set wrote."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "big.yaml").write_text(LIMIT)
    inventory = tmp_path / "inv.json"
    inventory.write_text(json.dumps([{"id": "i-1", "type": "AWS::EC2::Instance", "properties": {"count": 7}}]))
    check = ["check", "--policies", str(tmp_path / "p"), "--inventory", str(inventory), "--as-of", "2026-11-27"]
    result = CliRunner().invoke(main, check)
    assert result.exit_code == 1  # the default, a number, compares with numbers
    (tmp_path / "set.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: PolicySet\nid: strict\npolicies:\n  big:\n    parameters:\n      limit: \"4\"\n")
    result = CliRunner().invoke(main, check + ["--policies", str(tmp_path / "set.yaml")])
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if "E501" in line)
    assert line.strip().startswith(f"{tmp_path / 'set.yaml'}:7:14: E501 policy big, resource i-1: cannot evaluate the condition at /spec/fail_if:")
    assert line.endswith(f"(parameter 'limit' from policy set 'strict', used at {tmp_path / 'p' / 'big.yaml'}:11:52 as /spec/fail_if/value)")
