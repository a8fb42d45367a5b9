"""Validation of what could make a run hang, blow up or lie: regular expressions (RE2), JMESPath depth
and functions, durations, message templates and numbers that are not finite. Each is a located
error at validate, never a traceback or a hang at check."""

from __future__ import annotations

import time

import pytest

from engine.checks import condition as condition_type
from engine.checks.base import CheckContext
from engine.conditions.operators import MAX_DURATION, parse_duration
from engine.conditions.paths import MAX_NESTING, PathError, compile_path
from engine.conditions.patterns import PatternError, compile_pattern
from engine.errors import InputError
from engine.evaluator import as_of_datetime
from engine.library import load_library


def condition_policy(fail_if: str, message: str | None = None, extra: str = "") -> str:
    text = f"""\
apiVersion: costwarden/v1
kind: Policy
id: c
title: x
type: condition
severity: low
{extra}spec:
  fail_if: {fail_if}
"""
    return text + (f"  message: {message}\n" if message is not None else "")


def problems_of(*paths) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_library([str(p) for p in paths])
    return [p.format() for p in caught.value.problems]


# --- regular expressions: RE2 -------------------------------------------------------------------


def test_a_backtracking_pattern_runs_in_linear_time():
    pattern = compile_pattern("(a+)+$")
    started = time.perf_counter()
    assert pattern.search("a" * 5000 + "!") is False  # exponential for Python's re: hours at 40 a's
    assert time.perf_counter() - started < 5  # a guard against a hang, not a timing assertion
    assert pattern.search("aaa") is True


@pytest.mark.parametrize("text, hint", [
    (r"(a)\1", "a backreference (\\1) or an escape RE2 does not know"),
    ("(?=a)b", "RE2 has no lookahead: match the text itself, or use a second rule"),
    ("(?<!a)b", "RE2 has no lookbehind"),
    ("(?P<x>a)(?P=x)", "RE2 has no backreferences"),
    (r"^a\Z", "write \\z for the end of the text"),
    ("a{1001}", "a repetition count is at most 1000, and nested repetitions multiply"),
    ("((", None),
])
def test_patterns_re2_rejects_are_located_e302_errors(write, text, hint):
    with pytest.raises(PatternError):
        compile_pattern(text)
    path = write("p.yaml", condition_policy(f"{{path: name, op: regex, value: '{text}'}}"))
    (line,) = problems_of(path)
    assert line.startswith(f"{path}:8:43: E302 invalid regular expression {text!r}: ")
    assert line.endswith(f"(at /spec/fail_if/value)" + (f"; {hint}" if hint else ""))


def test_a_tagging_pattern_is_re2_too(write):
    path = write("p.yaml", """\
apiVersion: costwarden/v1
kind: Policy
id: t
title: x
type: tagging
severity: low
spec:
  keys:
    - key: team
      pattern: '^(?!x)'
""")
    (line,) = problems_of(path)
    assert line.startswith(f"{path}:10:16: E302 invalid regular expression '^(?!x)': invalid perl operator: (?!")


def test_re2_semantics_that_differ_from_python():
    assert compile_pattern("^a$").search("a\n") is False  # $ is the end of the text (Python's $ matches before \n)
    assert compile_pattern(r"^\d+$").search("١٢") is False  # \d is ASCII
    assert compile_pattern("^é+$").search("éé") is True  # UTF-8 text, matched by character
    assert compile_pattern("(?i)^prod$").search("PROD") is True


# --- JMESPath -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, message", [
    ("not_a_func(name)", "unknown function not_a_func(); the functions are abs, avg,"),
    ("lenght(tags)", "unknown function lenght() (did you mean 'length'?)"),
    ("abs(size, size)", "function abs() takes 1 argument, got 2"),
    ("not_null()", "function not_null() takes at least 1 argument, got 0"),
    ("abs(name)", "function abs() takes number as argument 1; 'name' is string"),
    ("contains(tags, `1`)", "function contains() takes array or string as argument 1; 'tags' is object"),
    ("length(name) > `3` && starts_with(size, `5`)", "function starts_with() takes string as argument 2; the literal is number"),
    ("(" * 60 + "name" + ")" * 60, f"brackets nested 60 deep; at most {MAX_NESTING}"),
    ("not_null(" * 500 + "name" + ")" * 500, f"brackets nested 500 deep; at most {MAX_NESTING}"),
    ("a | " * 150 + "b", "the expression is 151 levels deep; at most 100"),
])
def test_paths_jmespath_would_fail_on_at_run_time_are_e301(write, path, message):
    with pytest.raises(PathError):
        compile_path(path)
    file = write("p.yaml", condition_policy(f'{{path: "{path}", op: exists}}'))
    (line,) = problems_of(file)
    assert line.startswith(f"{file}:8:19: E301 invalid JMESPath expression ")
    assert message in line and "(at /spec/fail_if/path)" in line


@pytest.mark.parametrize("path", [
    "abs(utilization.cpu.p95)",  # a field of a field: only a resource tells its type
    "relationships[*].length(id)",  # evaluated on each relationship, not on the resource
    "relationships[?length(id) > `3`]",
    "length(tags)", "starts_with(name, `\"web\"`)", "to_number(size)", "max_by(relationships, &id)",
])
def test_paths_whose_types_only_a_resource_can_tell_are_valid(path):
    compile_path(path)


def test_a_long_field_chain_is_a_plain_path():
    chain = ".".join(f"k{i}" for i in range(3000))
    resource: dict = {}
    node = resource
    for i in range(2999):
        node = node.setdefault(f"k{i}", {})
    node["k2999"] = "deep"
    assert compile_path(chain)(resource) == "deep"


# --- durations --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["36501d", "999999999999d", "876001h", "5215w", "99999999999999999999999w"])
def test_durations_over_a_hundred_years_are_refused(write, text):
    with pytest.raises(ValueError, match="longer than 36500d"):
        parse_duration(text)
    path = write("p.yaml", condition_policy(f"{{path: created_at, op: older-than, value: {text}}}"))
    (line,) = problems_of(path)
    assert line == (f"{path}:8:54: E303 '{text}' is longer than 36500d (100 years), the longest duration"
                    " (at /spec/fail_if/value)")


def test_the_longest_duration_is_accepted():
    assert parse_duration("36500d") == MAX_DURATION == parse_duration("876000h")
    assert parse_duration("0000000000001d").days == 1


# --- message templates --------------------------------------------------------------------------------


@pytest.mark.parametrize("message, problem", [
    ("{name:>99999999}", "placeholder {name:>99999999} in message: a width of 99999999 is over 1000"),
    ("{id:.5000}", "placeholder {id:.5000} in message: a precision of 5000 is over 1000"),
    ("{name:>{size}}", "placeholder {name:>{size}} in message: a format spec cannot hold a placeholder"),
])
def test_message_format_specs_are_bounded(write, message, problem):
    path = write("p.yaml", condition_policy("{path: state, op: eq, value: stopped}", f'"{message}"'))
    (line,) = problems_of(path)
    assert line.startswith(f"{path}:9:12: E312 {problem}")


def _message_of(message: str, resource: dict) -> str:
    check = condition_type.compile_spec({"fail_if": {"path": "state", "op": "exists"}, "message": message},
                                        lambda *problem: pytest.fail(str(problem)))
    return check.bind(CheckContext(as_of_datetime("2026-01-01")))(resource).message


def test_braces_follow_str_format_with_or_without_placeholders():
    resource = {"state": "stopped", "name": "web"}
    assert _message_of("{{x}} is literal", resource) == "{x} is literal"
    assert _message_of("{{x}} {name}", resource) == "{x} web"
    assert _message_of("{name:>1000}|", resource) == " " * 997 + "web|"
    assert _message_of("{size}", resource) == "(unknown)"


# --- numbers that are not finite ----------------------------------------------------------------------


@pytest.mark.parametrize("value, shown", [
    (".nan", ".nan (not a number)"),
    (".inf", "infinity (.inf, or a number too large for a float such as 1e400)"),
    ("1e400", "infinity (.inf, or a number too large for a float such as 1e400)"),
    ("-.inf", "-infinity (-.inf, or a number too large for a float such as -1e400)"),
])
def test_a_number_that_is_not_finite_is_refused_wherever_it_is(write, value, shown):
    path = write("p.yaml", condition_policy(f"{{path: size, op: lt, value: {value}}}"))
    (line,) = problems_of(path)
    assert line == (f"{path}:8:40: E203 expected a finite number, got {shown} (at /spec/fail_if/value);"
                    " JSON and the schemas have no NaN or infinity; write the number itself")


def test_a_null_is_named_once_in_a_type_error(write):
    path = write("p.yaml", condition_policy("{path: size, op: exists}", extra="resource:\n"))
    (line,) = problems_of(path)
    assert line == f"{path}:7:10: E203 expected object, got null (at /resource)"


# --- every problem at once ------------------------------------------------------------------------------


def test_a_misspelt_envelope_key_does_not_hide_the_semantic_errors(write):
    path = write("p.yaml", """\
apiVersion: costwarden/v1
kind: Policy
id: c
title: x
type: condition
severty: high
resource:
  where: {path: "tags.[", op: exists}
spec:
  fail_if: {path: name, op: regex, value: "(("}
  message: "{nmae}"
""")
    assert [line.split(": ", 1)[1][:4] + line[line.index("(at "):].split(")")[0] for line in problems_of(path)] == [
        "E202(at /", "E201(at /severty", "E301(at /resource/where/path", "E302(at /spec/fail_if/value", "E312(at /spec/message"]


def test_a_schema_error_in_a_policy_test_does_not_hide_an_unknown_policy(write):
    from engine.policy_tests import load_test_library

    write("p.yaml", condition_policy("{path: state, op: eq, value: stopped}").replace("id: c", "id: stopped"))
    test = write("p.test.yaml", """\
apiVersion: costwarden/v1
kind: PolicyTest
name: t
inventory:
  resources:
    - {id: i-1, type: AWS::EC2::Instance, provider: aws, state: stopped}
cases:
  - {policy: stoped, resource: i-1, expect: fial}
  - {policy: stopped, resource: i-1, expect: fail}
""")
    with pytest.raises(InputError) as caught:
        load_test_library([str(test.parent)])
    assert [p.format() for p in caught.value.problems] == [
        f"{test}:8:14: E306 unknown policy 'stoped' (at /cases/0/policy); did you mean 'stopped'?",
        f"{test}:8:45: E204 'fial' is not one of: fail, pass, skip, error, exempted (at /cases/0/expect); did you mean 'fail'?",
    ]


def test_a_key_written_at_the_wrong_level_gets_an_indentation_hint(write):
    dedented = write("d.yaml", condition_policy("{path: state, op: exists}", extra="resource:\ntypes: [compute.instance]\n"))
    assert problems_of(dedented) == [
        f"{dedented}:7:10: E203 expected object, got null (at /resource)",
        f"{dedented}:8:1: E201 unknown key 'types' (at /types); 'types' is a key of 'resource': indent it under 'resource:' (line 7)",
    ]
    indented = write("i.yaml", condition_policy("{path: state, op: exists}").replace("severity: low\n", "resource:\n  severity: low\n"))
    assert problems_of(indented)[-1] == (f"{indented}:7:3: E201 unknown key 'severity' (at /resource/severity);"
                                         " 'severity' is a key of the level above: indent it as 'resource' is indented")


def test_an_unknown_operator_lists_the_operators(write):
    from engine.conditions.operators import OPERATORS

    path = write("p.yaml", condition_policy("{path: state, op: equals, value: x}"))
    (line,) = problems_of(path)
    assert line.endswith("E204 unknown operator 'equals' (at /spec/fail_if/op); the operators are " + ", ".join(OPERATORS))
