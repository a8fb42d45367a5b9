"""The condition language: operators, absence, strict types, compiled paths."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import jmespath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conditions.compiler import EvaluationFailure, compile_condition
from engine.conditions.operators import OPERATORS
from engine.conditions.paths import PathError, compile_path, field_chain, not_null_chains

AS_OF = datetime(2026, 1, 1, tzinfo=timezone.utc)


def compiled(node):
    problems = []
    condition = compile_condition(node, "", lambda code, message, pointer, hint=None: problems.append((code, message, pointer)))
    return condition, problems


def holds(node, resource):
    condition, problems = compiled(node)
    assert not problems, problems
    return condition.bind(AS_OF)(resource)


R = {
    "id": "i-1",
    "size": "m5.large",
    "state": "stopped",
    "tags": {"team": "payments", "env": "", "flag": True},
    "properties": {"cpus": 4, "ratio": 0.5, "zones": ["a", "b"], "nested": {"x-y": 1}, "nothing": None},
    "created_at": "2025-09-01T00:00:00Z",
}


@pytest.mark.parametrize(
    "node, expected",
    [
        ({"path": "state", "op": "eq", "value": "stopped"}, True),
        ({"path": "state", "op": "ne", "value": "stopped"}, False),
        ({"path": "properties.cpus", "op": "gt", "value": 2}, True),
        ({"path": "properties.cpus", "op": "ge", "value": 4}, True),
        ({"path": "properties.cpus", "op": "lt", "value": 4}, False),
        ({"path": "properties.ratio", "op": "le", "value": 0.5}, True),
        ({"path": "size", "op": "in", "value": ["m5.large", "t3.micro"]}, True),
        ({"path": "size", "op": "not-in", "value": ["m5.large"]}, False),
        ({"path": "properties.zones", "op": "contains", "value": "b"}, True),
        ({"path": "size", "op": "contains", "value": "large"}, True),
        ({"path": "tags", "op": "contains", "value": "team"}, True),
        ({"path": "size", "op": "regex", "value": "^m[0-9]"}, True),
        ({"path": "size", "op": "glob", "value": "m5.*"}, True),
        ({"path": "size", "op": "glob", "value": "M5.*"}, False),
        ({"path": "tags.team", "op": "exists"}, True),
        ({"path": "tags.owner", "op": "absent"}, True),
        ({"path": "tags.env", "op": "empty"}, True),
        ({"path": "tags.team", "op": "empty"}, False),
        ({"path": "created_at", "op": "older-than", "value": "90d"}, True),
        ({"path": "created_at", "op": "newer-than", "value": "90d"}, False),
        ({"path": 'properties.nested."x-y"', "op": "eq", "value": 1}, True),
        ({"path": "properties.zones[0]", "op": "eq", "value": "a"}, True),
        ({"path": "length(properties.zones)", "op": "eq", "value": 2}, True),
        ({"all": [{"path": "state", "op": "eq", "value": "stopped"}, {"path": "size", "op": "glob", "value": "m5*"}]}, True),
        ({"any": [{"path": "state", "op": "eq", "value": "running"}, {"path": "size", "op": "eq", "value": "x"}]}, False),
        ({"not": {"path": "state", "op": "eq", "value": "running"}}, True),
    ],
)
def test_operators(node, expected):
    assert holds(node, R) is expected


@pytest.mark.parametrize(
    "op, value, expected",
    [
        ("exists", None, False),
        ("absent", None, True),
        ("empty", None, True),
        ("eq", "x", False),
        ("eq", None, True),
        ("ne", "x", True),
        ("in", ["x"], False),
        ("not-in", ["x"], True),
        ("lt", 3, False),
        ("gt", 3, False),
        ("regex", ".", False),
        ("glob", "*", False),
        ("contains", "x", False),
        ("older-than", "1d", False),
    ],
)
@pytest.mark.parametrize("path", ["properties.missing", "properties.nothing", "no.such.path"])
def test_missing_and_null_are_the_same_absent_value(op, value, expected, path):
    node = {"path": path, "op": op} if op in ("exists", "absent", "empty") else {"path": path, "op": op, "value": value}
    assert holds(node, R) is expected


@pytest.mark.parametrize(
    "node, fragment",
    [
        ({"path": "properties.cpus", "op": "eq", "value": "4"}, "'eq' needs a string like '4', got number 4"),
        ({"path": "size", "op": "gt", "value": 2}, "'gt' needs a number like 2, got string 'm5.large'"),
        ({"path": "properties.cpus", "op": "regex", "value": "4"}, "'regex' needs a string, got number 4"),
        ({"path": "properties.cpus", "op": "in", "value": ["4", "8"]}, "'in' needs string"),
        ({"path": "tags.flag", "op": "eq", "value": "true"}, "got boolean True"),
        ({"path": "size", "op": "older-than", "value": "1d"}, "ISO-8601"),
        ({"path": "properties.cpus", "op": "empty"}, "'empty' needs a string, an array or an object"),
        # operators that share their test with another name themselves, not the other
        ({"path": "properties.cpus", "op": "ne", "value": "4"}, "'ne' needs a string like '4', got number 4"),
        ({"path": "properties.cpus", "op": "ne", "value": [4]}, "'ne' needs an array like [4], got number 4"),
        ({"path": "size", "op": "lt", "value": 2}, "'lt' needs a number like 2"),
        ({"path": "size", "op": "le", "value": 2}, "'le' needs a number like 2"),
        ({"path": "size", "op": "ge", "value": 2}, "'ge' needs a number like 2"),
        ({"path": "properties.cpus", "op": "not-in", "value": ["4"]}, "'not-in' needs string"),
        ({"path": "properties.cpus", "op": "contains", "value": "4"}, "'contains' needs an array, a string or an object"),
        ({"path": "properties.cpus", "op": "glob", "value": "4*"}, "'glob' needs a string, got number 4"),
        ({"path": "size", "op": "newer-than", "value": "1d"}, "'newer-than' needs an ISO-8601"),
    ],
)
def test_type_mismatch_is_an_error_not_a_silent_false(node, fragment):
    condition, problems = compiled(node)
    assert not problems
    with pytest.raises(EvaluationFailure) as caught:
        condition.bind(AS_OF)(R)
    assert node["path"] in str(caught.value) and fragment in str(caught.value)


def test_age_boundary_is_strict():
    resource = {"created_at": "2025-12-02T00:00:00Z"}  # exactly 30 days before the as-of
    assert holds({"path": "created_at", "op": "older-than", "value": "30d"}, resource) is False
    assert holds({"path": "created_at", "op": "newer-than", "value": "30d"}, resource) is False
    assert holds({"path": "created_at", "op": "older-than", "value": "719h"}, resource) is True


def test_age_accepts_dates_and_naive_timestamps_as_utc():
    assert holds({"path": "d", "op": "older-than", "value": "1w"}, {"d": "2025-12-24"}) is True
    assert holds({"path": "d", "op": "older-than", "value": "1w"}, {"d": "2025-12-25 00:00:01"}) is False


@pytest.mark.parametrize(
    "node, code, pointer",
    [
        ({"path": "a[", "op": "eq", "value": 1}, "E301", "/path"),
        ({"path": "a", "op": "regex", "value": "(("}, "E302", "/value"),
        ({"path": "a", "op": "older-than", "value": "30 days"}, "E303", "/value"),
        ({"path": "a", "op": "exists", "value": 1}, "E311", "/value"),
        ({"path": "a", "op": "in", "value": "x"}, "E311", "/value"),
        ({"path": "a", "op": "eq"}, "E202", ""),
        ({"path": "a", "op": "equal", "value": 1}, "E204", "/op"),
        ({"path": "a", "value": 1}, "E202", ""),
        ({"all": [], "any": []}, "E310", ""),
        ({"al": []}, "E310", ""),
        ({"all": []}, "E203", "/all"),
        ({"path": "a", "op": "eq", "value": 1, "vale": 2}, "E201", "/vale"),
    ],
)
def test_compile_problems(node, code, pointer):
    condition, problems = compiled(node)
    assert condition is None
    assert (code, pointer) in [(c, p) for c, _, p in problems], problems


def test_all_problems_are_reported_not_only_the_first():
    _, problems = compiled({"all": [{"path": "a[", "op": "eq", "value": 1}, {"path": "b", "op": "regex", "value": "(("}]})
    assert [p[0] for p in problems] == ["E301", "E302"]
    assert [p[2] for p in problems] == ["/all/0/path", "/all/1/value"]


@pytest.mark.parametrize(
    "node, hint",
    [
        ({"paht": "state", "op": "exists"}, "did you mean 'path'?"),
        ({"Path": "state", "op": "exists"}, "did you mean 'path'?"),
        ({"al": [{"path": "a", "op": "exists"}]}, "did you mean 'all'?"),
        ({"nto": {"path": "a", "op": "exists"}}, "did you mean 'not'?"),
        ({"field": "state", "op": "exists"}, "a leaf condition names the value to test in 'path' (a JMESPath expression)"),
    ],
)
def test_a_misspelt_condition_key_gets_a_did_you_mean(node, hint):
    problems = []
    compile_condition(node, "/spec/fail_if", lambda *a: problems.append(a))
    assert problems == [("E310", "a condition needs exactly one of all, any, not or path (found none of them)", "/spec/fail_if", hint)]


def test_a_misspelt_condition_key_in_a_policy_file_names_line_column_and_the_fix(tmp_path):
    from click.testing import CliRunner

    from engine.cli import main

    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: stopped\ntitle: Stopped\ntype: condition\nseverity: low\n"
        "spec:\n  fail_if: {paht: state, op: exists}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(policy)])
    assert result.exit_code == 2
    assert f"{policy}:8:12: E310 a condition needs exactly one of all, any, not or path (found none of them) (at /spec/fail_if);" \
           " did you mean 'path'?" in result.output


def test_operator_did_you_mean():
    problems = []
    compile_condition({"path": "a", "op": "not_in", "value": []}, "", lambda *a: problems.append(a))
    assert problems[0][3] == "did you mean 'not-in'? the operators are " + ", ".join(OPERATORS)


def test_simple_paths_do_not_use_jmespath():
    assert field_chain("tags.team") == ("tags", "team")
    assert field_chain('properties."instance-type"') == ("properties", "instance-type")
    assert field_chain("tags[0]") is None
    assert compile_path("tags.team").__module__ == "engine.conditions.paths"


# --- property: direct lookups answer exactly as jmespath.search does ------------------------------

keys = st.sampled_from(["a", "b", "tags", "x-y", "Team", "with space", "0", "é"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


def quoted(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=400, deadline=None)
@given(document=st.dictionaries(keys, json_values, max_size=5), chain=st.lists(keys, min_size=1, max_size=4), quote=st.booleans())
def test_direct_lookup_equals_jmespath(document, chain, quote):
    expression = ".".join(quoted(k) if quote or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else k for k in chain)
    assert field_chain(expression) == tuple(chain)
    assert compile_path(expression)(document) == jmespath.search(expression, document)



def chain_expression(chain, quote: bool) -> str:
    return ".".join(quoted(k) if quote or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else k for k in chain)


@settings(max_examples=400, deadline=None)
@given(document=st.dictionaries(keys, json_values, max_size=5),
       chains=st.lists(st.lists(keys, min_size=1, max_size=3), min_size=1, max_size=4), quote=st.booleans())
def test_not_null_of_field_chains_equals_jmespath(document, chains, quote):
    expression = "not_null(" + ", ".join(chain_expression(chain, quote) for chain in chains) + ")"
    assert not_null_chains(expression) == tuple(tuple(chain) for chain in chains)
    getter = compile_path(expression)
    assert getter.__module__ == "engine.conditions.paths"
    assert getter(document) == jmespath.search(expression, document)
    for not_a_document in (None, [document], "text", 0, False):
        assert getter(not_a_document) == jmespath.search(expression, not_a_document)


def test_not_null_needs_plain_chains_to_skip_jmespath():
    assert not_null_chains("not_null(a.b, c)") == (("a", "b"), ("c",))
    assert not_null_chains("not_null(a[0], c)") is None
    assert not_null_chains("not_null(a, `1`)") is None
    assert not_null_chains("length(a)") is None
    assert not_null_chains("a.b") is None
    assert not_null_chains("a.not_null(b)") is None
    assert compile_path("not_null(a, `1`)")({}) == 1
    for wrong in ("not_null()", "a.not_null()"):  # JMESPath raises its arity error only at search time: we at compile time
        with pytest.raises(PathError, match=r"function not_null\(\) takes at least 1 argument, got 0"):
            compile_path(wrong)
    # false, [] and {} are not null
    assert compile_path("not_null(a, b)")({"a": False, "b": 1}) is False
    assert compile_path("not_null(a, b)")({"a": [], "b": 1}) == []
    assert compile_path("not_null(a, b)")({"a": None, "b": {}}) == {}

def test_operator_table_and_schema_agree():
    from engine.documents.schemas import load_schema

    assert load_schema("condition.schema.json")["properties"]["op"]["enum"] == list(OPERATORS)


@pytest.mark.parametrize("kind", ["any", "all"])
def test_a_flat_list_of_a_thousand_items_is_evaluated_by_the_interpreter(kind):
    """Written out, the 1000th item would sit 999 levels deep: such a condition is interpreted instead."""
    op = "eq" if kind == "any" else "ne"
    condition = compile_condition({kind: [{"path": "size", "op": op, "value": f"s{i}"} for i in range(1000)]},
                                  "/fail_if", lambda *problem: pytest.fail(str(problem)))
    assert condition.source is None
    holds = condition.bind(datetime(2026, 11, 27, tzinfo=timezone.utc))
    assert holds({"size": "s999"}) is (kind == "any") and holds({"size": "other"}) is (kind == "all")
