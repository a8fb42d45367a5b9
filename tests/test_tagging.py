"""Tag matching rules and the tagging check."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.checks import tagging
from engine.checks.base import CheckContext
from engine.ownership import compile_ownership
from engine.tag_matching import find_tag, has_value, near_misses, normalize_key


@pytest.mark.parametrize(
    "key, mode, expected",
    [
        ("Cost_Center ", "exact", "Cost_Center "),
        ("Cost_Center ", "case-insensitive", "cost_center "),
        ("  Cost_Center\t", "normalized", "cost-center"),
        ("COST-CENTER", "normalized", "cost-center"),
    ],
)
def test_normalize_key(key, mode, expected):
    assert normalize_key(key, mode) == expected


def test_collisions_exact_spelling_wins_else_smallest_code_point():
    tags = {"owner": "b", "Owner": "a", "OWNER": "c"}
    hit = find_tag(tags, "owner", "case-insensitive")
    assert (hit.key, hit.value, hit.collisions) == ("owner", "b", ("OWNER", "Owner"))
    hit = find_tag({"Owner": "a", "OWNER": "c"}, "owner", "case-insensitive")
    assert (hit.key, hit.collisions) == ("OWNER", ("Owner",))


def test_near_misses_ignore_case_and_separators():
    assert near_misses({"CostCenter": "1", "cost center": "2", "team": "x"}, "cost-center") == ["CostCenter", "cost center"]


@pytest.mark.parametrize("value, present", [("x", True), ("", False), ("  \t", False), (True, True), (None, False)])
def test_empty_values_count_as_missing_and_key_only_counts_as_present(value, present):
    assert has_value(value) is present


def build(spec, ownership=None):
    problems = []
    check = tagging.compile_spec(spec, lambda *a: problems.append(a))
    assert not problems, problems
    return check.bind(CheckContext(datetime(2026, 1, 1, tzinfo=timezone.utc), ownership))


SPEC = {
    "keys": [
        {"key": "team"},
        {"key": "cost-center", "pattern": "^CC-[0-9]{4}$"},
        {"key": "environment", "values": ["prod", "dev"]},
        {"key": "project", "required": False, "values": ["a", "b"]},
    ]
}


@pytest.mark.parametrize("mode", ["exact", "case-insensitive", "normalized"])
def test_compliant_resource_passes_in_every_mode(mode):
    check = build({**SPEC, "match": mode})
    assert check({"tags": {"team": "x", "cost-center": "CC-0001", "environment": "prod"}}) is None


def test_missing_key_with_near_miss():
    check = build(SPEC)
    violation = check({"tags": {"team": "x", "CostCenter": "CC-0001", "environment": "prod"}})
    assert violation.evidence["missing"] == ["cost-center"]
    assert violation.evidence["near_misses"] == {"cost-center": ["CostCenter"]}
    assert "missing tag cost-center (found 'CostCenter': spelled differently)" == violation.message


def test_normalized_mode_accepts_underscore_and_whitespace():
    check = build({**SPEC, "match": "normalized"})
    assert check({"tags": {" Team ": "x", "COST_CENTER": "CC-0001", "Environment": "prod"}}) is None


def test_case_insensitive_mode_does_not_accept_underscore():
    check = build({**SPEC, "match": "case-insensitive"})
    violation = check({"tags": {"Team": "x", "cost_center": "CC-0001", "environment": "prod"}})
    assert violation.evidence["missing"] == ["cost-center"]
    assert violation.evidence["near_misses"] == {"cost-center": ["cost_center"]}


def test_invalid_values_and_optional_keys():
    check = build(SPEC)
    violation = check({"tags": {"team": "x", "cost-center": "CC-12", "environment": "production", "project": "c"}})
    assert set(violation.evidence["invalid"]) == {"cost-center", "environment", "project"}
    assert violation.evidence["invalid"]["environment"]["expected"] == {"values": ["prod", "dev"]}
    assert "tag environment='production' is not an allowed value" in violation.message


def test_empty_value_is_missing_and_key_only_fails_values():
    check = build(SPEC)
    violation = check({"tags": {"team": " ", "cost-center": True, "environment": "dev"}})
    assert violation.evidence["missing"] == ["team"]
    assert violation.evidence["invalid"]["cost-center"]["reason"] == "has no value (key-only tag)"


def test_key_only_tag_satisfies_a_presence_rule():
    assert build({"keys": [{"key": "backup"}]})({"tags": {"backup": True}}) is None


def test_collision_is_reported_in_evidence():
    check = build({"match": "case-insensitive", "keys": [{"key": "team", "values": ["b"]}]})
    # 'TEAM' < 'Team' in code-point order, so TEAM's value is the one checked
    violation = check({"tags": {"Team": "b", "TEAM": "a"}})
    assert violation.evidence["collisions"] == {"team": ["TEAM", "Team"]}
    assert violation.evidence["actual"] == {"team": "a"}
    assert check({"tags": {"Team": "a", "team": "b"}}) is None  # the exact spelling wins


OWNER_RULES = {"match": "case-insensitive", "keys": [{"key": "owner", "values": ["alice", "bob"]}, {"key": "team"}]}


@pytest.mark.parametrize("tags, message", [
    # the exact spelling wins: its value is judged, the other is named
    ({"Owner": "carol", "owner": "dave", "team": "t"},
     "tag owner='dave' is not an allowed value (also tagged Owner='carol'; owner wins)"),
    # neither exact: the smallest key wins
    ({"Owner": "alice", "OWNER": "dave", "team": "t"},
     "tag owner='dave' is not an allowed value (also tagged Owner='alice'; OWNER wins)"),
    # a blank winner is a missing tag although another spelling has a value; that spelling is no near miss
    ({"Owner": "carol", "owner": " ", "team": "t"}, "missing tag owner (also tagged Owner='carol'; owner wins)"),
    ({"Owner": "carol", "owner": "", "team": "t", "own_er": "x"},
     "missing tag owner (found 'own_er': spelled differently) (also tagged Owner='carol'; owner wins)"),
    ({"owner": "dave", "Owner": True, "OWNER": "bob", "Team": "", "team": "t"},
     "tag owner='dave' is not an allowed value (also tagged OWNER='bob', Owner=(key only); owner wins)"),
    ({"owner": "alice", "TEAM": "", "Team": "x"}, "missing tag team (also tagged Team='x'; TEAM wins)"),
    ({"OWNER": "x", "owner": "dave", "Team": " ", "team": ""},
     "missing tag team (also tagged Team=' '; team wins); tag owner='dave' is not an allowed value (also tagged OWNER='x'; owner wins)"),
])
def test_a_collision_that_decides_the_value_is_in_the_message(tags, message):
    violation = build(OWNER_RULES)({"tags": tags})
    assert violation.message == message
    assert violation.evidence["collisions"]  # as before, the evidence lists the keys


@pytest.mark.parametrize("tags, message", [
    ({"team": "t", "owner": "carol"}, "tag owner='carol' is not an allowed value"),
    ({"Team": "t"}, "missing tag owner"),
    ({"team": "t", "CostCenter": "x", "Own-er": "a"}, "missing tag owner (found 'Own-er': spelled differently)"),
    # a collision on a key that passes is not what the finding is about: the message is unchanged
    ({"Team": "t", "team": "u", "owner": "carol"}, "tag owner='carol' is not an allowed value"),
    ({"Team": "t", "team": "u"}, "missing tag owner"),
])
def test_messages_without_a_deciding_collision_are_unchanged(tags, message):
    assert build(OWNER_RULES)({"tags": tags}).message == message


def test_normalized_collision_names_a_key_with_blank_edges_quoted():
    check = build({"match": "normalized", "keys": [{"key": "owner"}]})
    violation = check({"tags": {" owner": "carol", "owner": ""}})
    assert violation.message == "missing tag owner (also tagged ' owner'='carol'; owner wins)"
    assert violation.evidence["near_misses"] == {"owner": [" owner"]}  # the evidence is as it was


def test_collision_message_through_the_builtin_library(tmp_path):
    import json

    from engine import evaluate, load_inventory, load_policies

    library = load_policies(["builtin"]).select(("required-allocation-tags",), ())
    resource = {"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws",
                "tags": {"Team": "payments", "team": " ", "cost-center": "CC-1000", "environment": "prod"}}
    (tmp_path / "inventory.json").write_text(json.dumps([resource]))
    resources = load_inventory([str(tmp_path / "inventory.json")]).resources
    (finding,) = evaluate(library, resources, as_of="2026-11-27").findings
    assert finding.message == "missing tag team (also tagged Team='payments'; team wins)"


def test_known_team_uses_the_directory():
    ownership = compile_ownership(
        {"teams": [{"id": "payments", "aliases": ["Pay"], "members": ["alice@example.com"]}], "resolution": [{"default": "payments"}]},
        lambda *a: pytest.fail(str(a)),
    )
    check = build({"keys": [{"key": "team", "known_team": True}]}, ownership)
    assert check({"tags": {"team": "payments"}}) is None
    assert check({"tags": {"team": "pay"}}) is None
    assert check({"tags": {"team": "Alice@Example.com"}}) is None
    assert check({"tags": {"team": "marketing"}}).evidence["invalid"]["team"]["reason"] == "is not a team of the ownership directory"


@pytest.mark.parametrize(
    "spec, code",
    [
        ({"keys": [{"key": "a", "pattern": "(("}]}, "E302"),
        ({"keys": [{"key": "a", "values": ["x"], "pattern": "y"}]}, "E314"),
        ({"match": "normalized", "keys": [{"key": "cost_center"}, {"key": "Cost-Center"}]}, "E313"),
    ],
)
def test_compile_problems(spec, code):
    problems = []
    assert tagging.compile_spec(spec, lambda *a: problems.append(a)) is None
    assert problems[0][0] == code
