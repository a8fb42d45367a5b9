"""`costwarden validate`: staged validation, every problem with file:line:col, code and hint."""

from __future__ import annotations

import pytest

from engine.checks import CHECKS
from engine.conditions.operators import OPERATORS
from engine.errors import InputError
from engine.library import load_library

OPERATOR_LIST = "the operators are " + ", ".join(OPERATORS)  # every unknown operator's hint lists them

POLICY = """\
apiVersion: costwarden/v1
kind: Policy
id: require-team
title: Team tag
type: tagging
severity: high
parameters:
  keys_to_require:
    default: team
spec:
  keys:
    - key: {param: keys_to_require}
"""


def problems_of(*paths) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_library([str(p) for p in paths])
    return [p.format() for p in caught.value.problems]


def test_valid_policy_loads(write):
    library = load_library([str(write("p.yaml", POLICY))])
    (policy,) = library.policies
    assert policy.id == "require-team" and policy.enforcement == "enforce"
    assert policy.spec == {"keys": [{"key": "team"}]}


def test_every_problem_is_listed_with_file_line_column_code_pointer_and_hint(write):
    path = write(
        "bad.yaml",
        """\
apiVersion: costwarden/v1
kind: Policy
id: Bad_Id
title: x
type: taging
severity: hgh
enforcment: audit
spec: {}
""",
    )
    found = problems_of(path)
    assert found == [
        f"{path}:3:5: E205 'Bad_Id' does not match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$ (at /id); ids are kebab-case: lower-case letters and digits joined by '-'",
        f"{path}:5:7: E204 'taging' is not one of: {', '.join(CHECKS)} (at /type); did you mean 'tagging'?",
        f"{path}:6:11: E204 'hgh' is not one of: info, low, medium, high, critical (at /severity); did you mean 'high'?",
        f"{path}:7:1: E201 unknown key 'enforcment' (at /enforcment); did you mean 'enforcement'?",
    ]


def test_semantic_problems_in_conditions_are_all_reported(write):
    path = write(
        "c.yaml",
        """\
apiVersion: costwarden/v1
kind: Policy
id: c
title: x
type: condition
severity: low
resource:
  where: {path: "tags.[", op: exists}
spec:
  fail_if:
    all:
      - {path: size, op: regex, value: "(("}
      - {path: created_at, op: older-than, value: 3 months}
      - {path: size, op: in, value: m5.large}
  mesage: x
""",
    )
    found = problems_of(path)
    codes = [line.split(": ")[1].split(" ")[0] for line in found]
    assert sorted(codes) == ["E201", "E301", "E302", "E303", "E311"]
    assert any(f"{path}:12:40: E302" in line for line in found)
    assert any("did you mean 'message'" in line for line in found)


def test_spec_is_validated_against_the_policy_type_schema(write):
    path = write(
        "t.yaml",
        POLICY.replace("    - key: {param: keys_to_require}", "    - key: {param: keys_to_require}\n      requird: true\n      values: prod"),
    )
    found = problems_of(path)
    assert any("E201 unknown key 'requird' (at /spec/keys/0/requird); did you mean 'required'?" in line for line in found)
    assert any("E203 expected array, got string 'prod' (at /spec/keys/0/values)" in line for line in found)


def test_number_where_a_string_is_meant_gets_a_quote_hint(write):
    path = write("n.yaml", POLICY.replace("default: team", "default: 1.10"))
    (line,) = problems_of(path)
    assert "E203 expected string, got number 1.1" in line and "put the value in quotes" in line


def test_unknown_parameter_and_unused_parameter(write):
    path = write("p.yaml", POLICY.replace("{param: keys_to_require}", "{param: keys_to_requir}"))
    found = problems_of(path)
    assert any("E305 unknown parameter 'keys_to_requir'" in l and "did you mean 'keys_to_require'" in l for l in found)
    assert any("E305 parameter 'keys_to_require' is declared but never used" in l for l in found)


def test_duplicate_ids_across_files_name_both_places(write):
    first = write("a/p.yaml", POLICY)
    second = write("b/p.yaml", POLICY)
    (line,) = problems_of(first.parent.parent)
    assert line.startswith(f"{second}:3:5: E304 duplicate policy id 'require-team' (also in {first}:3)")


def test_envelope_problems(write):
    path = write("e.yaml", "apiVersion: costwarden/v2\nkind: Polcy\n---\n- a list\n")
    found = problems_of(path)
    assert f"{path}:1:13: E204 'costwarden/v2' is not one of: costwarden/v1 (at /apiVersion); did you mean 'costwarden/v1'?" in found
    assert any("E204 'Polcy'" in l and "did you mean 'Policy'" in l for l in found)
    assert any(l.startswith(f"{path}:4:1: E203 a document must be a mapping") for l in found)


def test_yaml_errors_are_collected_across_files(write):
    write("d/one.yaml", "a: 1\na: 2\n")
    write("d/two.yaml", "a: [\n")
    found = problems_of(write("d/three.yaml", POLICY).parent)
    assert [l.split(": ")[1][:4] for l in found] == ["E102", "E101"]


def test_missing_path(tmp_path):
    (line,) = problems_of(tmp_path / "nope.yaml")
    assert line.endswith("nope.yaml: E401 no such file or folder")


POLICY_SET = """\
apiVersion: costwarden/v1
kind: PolicySet
id: acme
policies:
  require-team:
    severity: critical
    enforcement: audit
    parameters:
      keys_to_require: owner
"""


def test_policy_set_overrides_parameters_without_copying(write):
    write("lib/p.yaml", POLICY)
    write("lib/set.yaml", POLICY_SET)
    (policy,) = load_library([str(write("lib/x.yaml", "").parent)]).policies
    assert (policy.severity, policy.enforcement, policy.policy_set) == ("critical", "audit", "acme")
    assert policy.spec == {"keys": [{"key": "owner"}]}


def test_policy_set_problems(write):
    write("lib/p.yaml", POLICY)
    path = write("lib/set.yaml", POLICY_SET.replace("require-team:", "require-tem:") + "  require-team:\n    parameters: {keys: x}\n")
    found = problems_of(path.parent)
    assert any("E306 unknown policy 'require-tem'" in l and "did you mean 'require-team'" in l for l in found)
    assert any("E305 policy 'require-team' has no parameter 'keys'" in l for l in found)


def test_two_sets_overriding_the_same_field_conflict(write):
    write("lib/p.yaml", POLICY)
    write("lib/a.yaml", POLICY_SET)
    write("lib/b.yaml", POLICY_SET.replace("id: acme", "id: other"))
    found = problems_of(write("lib/x.yaml", "").parent)
    assert any("E318 policy sets 'acme' and 'other' both override" in l for l in found)


OWNERSHIP = """\
apiVersion: costwarden/v1
kind: Ownership
teams:
  - {id: payments, members: [alice@example.com]}
  - {id: search, aliases: [alice@example.com]}
resolution:
  - default: finops
  - tag: team
  - accounts: {"111111111111": paymnts}
"""


def test_ownership_semantics(write):
    found = problems_of(write("o.yaml", OWNERSHIP))
    assert any("E315 'alice@example.com' names both team 'payments' and team 'search'" in l for l in found)
    assert any("E306 unknown team 'finops'" in l for l in found)
    assert any("E306 unknown team 'paymnts'" in l and "did you mean 'payments'" in l for l in found)
    assert any("E317 the default step must be the last one" in l for l in found)


def test_policy_test_document_is_validated(write):
    path = write(
        "t.test.yaml",
        "apiVersion: costwarden/v1\nkind: PolicyTest\nname: t\nas_of: 2026-13-01\ncases:\n  - {policy: a, resource: b, expect: fails}\n",
    )
    found = problems_of(path)
    assert any("E206 '2026-13-01' is not a valid date (at /as_of)" in l for l in found)
    assert any("E204 'fails' is not one of: fail, pass, skip" in l and "did you mean 'fail'" in l for l in found)


def test_every_unknown_message_placeholder_is_reported(write):
    path = write(
        "p.yaml",
        """\
apiVersion: costwarden/v1
kind: Policy
id: stopped
title: Stopped
type: condition
severity: low
spec:
  fail_if: {path: state, op: eqq, value: stopped}
  message: "{nmae} in {regoin} is {state}; {nmae} again, {frobnicate}"
""",
    )
    found = problems_of(path)
    use = "use one of id, name, type, class, provider, size, region, account, state, created_at"
    assert found == [
        f"{path}:8:30: E204 unknown operator 'eqq' (at /spec/fail_if/op); did you mean 'eq'? {OPERATOR_LIST}",
        f"{path}:9:12: E312 unknown placeholder {{frobnicate}} in message (at /spec/message); {use}",
        f"{path}:9:12: E312 unknown placeholder {{nmae}} in message (at /spec/message); did you mean 'name'?",
        f"{path}:9:12: E312 unknown placeholder {{regoin}} in message (at /spec/message); did you mean 'region'?",
    ]  # sorted by place, then code and message


@pytest.mark.parametrize("policy_type", ["condition", "waste"])
def test_an_unparseable_message_does_not_hide_the_other_errors(write, policy_type):
    path = write(
        "p.yaml",
        f"""\
apiVersion: costwarden/v1
kind: Policy
id: stopped
title: Stopped
type: {policy_type}
severity: low
spec:
  fail_if: {{all: [{{path: state, op: eqq, value: stopped}}, {{op: eq, value: 1}}]}}
  message: "{{nme}} {{size"
""",
    )
    found = problems_of(path)
    assert found == [
        f"{path}:8:37: E204 unknown operator 'eqq' (at /spec/fail_if/all/0/op); did you mean 'eq'? {OPERATOR_LIST}",
        f"{path}:8:59: E310 a condition needs exactly one of all, any, not or path (found none of them) (at /spec/fail_if/all/1); "
        "a leaf condition names the value to test in 'path' (a JMESPath expression)",
        f"{path}:9:12: E312 invalid message template: expected '}}' before end of string (at /spec/message); write {{{{ and }}}} for literal braces",
        f"{path}:9:12: E312 unknown placeholder {{nme}} in message (at /spec/message); did you mean 'name'?",
    ]  # the template, the placeholder read before its error, and fail_if: every error at once


@pytest.mark.parametrize("message, reason", [
    ("{size!x}", "Unknown conversion specifier x"),
    ("{name:>>>}", "Unknown format code '>' for object of type 'str'"),
    ("{size:d}", "Unknown format code 'd' for object of type 'str'"),
])
def test_a_message_no_value_can_be_formatted_into_is_a_validation_error(write, message, reason):
    """Placeholders receive text; a conversion or format spec text cannot take fails at validate, not in check."""
    path = write("p.yaml", f"""\
apiVersion: costwarden/v1
kind: Policy
id: stopped
title: Stopped
type: condition
severity: low
spec:
  fail_if: {{path: state, op: eq, value: stopped}}
  message: "{message}"
""")
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{path}:9:12: E312 invalid message template: {reason}")
