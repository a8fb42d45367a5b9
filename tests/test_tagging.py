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
    check = tagging.compile(spec, lambda *a: problems.append(a))
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
    assert tagging.compile(spec, lambda *a: problems.append(a)) is None
    assert problems[0][0] == code
