"""The rightsizing, previous-generation and waste policy types: options, errors, and `check` end to end.

The hand-computed boundary cases of the built-in policies are PolicyTest files under
policies/rightsizing and policies/waste (run by tests/test_builtin_policies.py); the real data
and `check` end to end are in tests/test_savings_check.py.
"""

from __future__ import annotations

import pytest
from engine.errors import InputError
from engine.evaluator import evaluate
from engine.inventory.adapters.costwarden import convert
from engine.inventory.problems import StructureProblems
from engine.library import load_library
POLICY = """\
apiVersion: costwarden/v1
kind: Policy
id: rs
title: rightsizing under test
type: rightsizing
severity: medium
resource: {{types: [compute.instance]}}
spec:
{spec}
"""


def library(write, tmp_path, spec: str, extra: str = ""):
    write("policy.yaml", POLICY.format(spec=spec))
    if extra:
        write("extra.yaml", extra)
    return load_library([str(tmp_path)])


def resources(*items) -> list[dict]:
    problems = StructureProblems()
    out = convert([dict(item) for item in items], problems)
    assert not problems, problems.items
    return out


def instance(rid: str, size: str, cpu: float, days: float = 30, **extra) -> dict:
    return {"id": rid, "type": "AWS::EC2::Instance", "region": "us-east-1", "size": size,
            "utilization": {"cpu": {"p95": cpu, "days": days, **extra}}}


def findings(lib, items, **options):
    result = evaluate(lib, resources(*items), as_of="2026-01-01", **options)
    assert not result.errors, [e.format() for e in result.errors]
    return {f.resource["id"]: f for f in result.findings}


BASE = "  trigger: {below: 20}\n  ceiling: {limit: 80, headroom: 10}\n"


def test_defaults_read_cpu_p95_and_the_trigger_is_strict(write, tmp_path):
    lib = library(write, tmp_path, BASE)
    found = findings(lib, [instance("a", "m5.2xlarge", 20), instance("b", "m5.2xlarge", 19.999)])
    assert list(found) == ["b"] and found["b"].evidence["recommendation"]["target"] == "m5.xlarge"


def test_max_steps_limits_how_far_down(write, tmp_path):
    lib = library(write, tmp_path, BASE + "  max_steps: 1\n")
    found = findings(lib, [instance("a", "m5.4xlarge", 2)])
    assert found["a"].evidence["recommendation"] == {"current": "m5.4xlarge", "target": "m5.2xlarge", "family": "m5", "steps": 1}


def test_max_period_turns_coarse_samples_into_too_little_data(write, tmp_path):
    lib = library(write, tmp_path, BASE + "  max_period: 3600\n")
    found = findings(lib, [instance("daily", "m5.2xlarge", 5, period=86400), instance("hourly", "m5.2xlarge", 5, period=3600)])
    assert found["daily"].message == "no recommendation (insufficient-data): cpu: sampled every 86400 s, at most 3600 s accepted"
    assert found["hourly"].evidence["recommendation"]["target"] == "m5.large"


def test_no_recommendation_notes_are_info_and_audit_and_can_be_ignored(write, tmp_path):
    lib = library(write, tmp_path, BASE)
    note = findings(lib, [instance("a", "m5.2xlarge", 5, days=3)])["a"]
    assert (note.severity, note.enforcement, note.monthly_saving) == ("info", "audit", None)
    result = evaluate(lib, resources(instance("a", "m5.2xlarge", 5, days=3)), as_of="2026-01-01")
    assert result.exit_code() == 0  # an enforced policy's note never fails the run
    quiet = library(write, tmp_path, BASE + "  insufficient_data: ignore\n  no_target: ignore\n")
    assert findings(quiet, [instance("a", "m5.2xlarge", 5, days=3), instance("b", "m5.large", 5), instance("c", "z9.huge", 5)]) == {}


def test_a_recommendation_of_an_enforced_policy_fails_the_run(write, tmp_path):
    lib = library(write, tmp_path, BASE)
    assert evaluate(lib, resources(instance("a", "m5.2xlarge", 5)), as_of="2026-01-01").exit_code() == 1


def test_burstable_and_architecture_changes_need_permission(write, tmp_path):
    ladder = """\
apiVersion: costwarden/v1
kind: SizeLadders
provider: aws
families:
  - family: mixed
    sizes:
      - {size: mixed.arm, vcpu: 2, memory_gib: 8, architecture: arm64}
      - {size: mixed.burst, vcpu: 4, memory_gib: 16, burstable: true}
      - {size: mixed.big, vcpu: 8, memory_gib: 32}
"""
    strict = library(write, tmp_path, BASE, ladder)
    assert findings(strict, [instance("a", "mixed.big", 5)])["a"].evidence["reason"] == "no-smaller-size"
    burst = library(write, tmp_path, BASE + "  allow_burstable: true\n", ladder)
    assert findings(burst, [instance("a", "mixed.big", 5)])["a"].evidence["recommendation"]["target"] == "mixed.burst"
    both = library(write, tmp_path, BASE + "  allow_burstable: true\n  allow_architecture_change: true\n", ladder)
    assert findings(both, [instance("a", "mixed.big", 5)])["a"].evidence["recommendation"]["target"] == "mixed.arm"
    assert findings(burst, [instance("t", "t3.xlarge", 3)])["t"].evidence["recommendation"]["target"] == "t3.nano"


def test_a_statistic_of_the_wrong_type_is_an_evaluation_error(write, tmp_path):
    lib = library(write, tmp_path, BASE)
    bad = {"id": "i-1", "type": "AWS::EC2::Instance", "class": "compute.instance", "provider": "aws", "size": "m5.2xlarge",
           "tags": {}, "properties": {}, "utilization": {"cpu": {"p95": "12", "days": 30}}}
    result = evaluate(lib, [bad], as_of="2026-01-01")
    (error,) = result.errors
    assert (error.code, error.resource, error.path) == ("E501", "i-1", "utilization.cpu.p95")
    assert result.exit_code() == 2


def test_spec_errors(write, tmp_path):
    write("policy.yaml", POLICY.format(spec="  trigger: {below: 75}\n  ceiling: {limit: 80, headroom: 10}\n"))
    with pytest.raises(InputError) as error:
        load_library([str(tmp_path)])
    assert "E328 the trigger (below 75) is above the ceiling (80 - 10)" in error.value.problems[0].format()
    write("policy.yaml", POLICY.format(spec="  trigger: {below: 10, statistic: p90}\n"))
    with pytest.raises(InputError) as error:
        load_library([str(tmp_path)])
    assert "E204 'p90' is not one of: p50, p95, p99, max, avg" in error.value.problems[0].format()


def test_waste_without_price_reports_like_a_condition(write, tmp_path):
    write("p.yaml", """\
apiVersion: costwarden/v1
kind: Policy
id: w
title: waste
type: waste
severity: low
spec:
  fail_if: {path: state, op: eq, value: stopped}
  price: none
""")
    lib = load_library([str(tmp_path)])
    found = findings(lib, [{"id": "i", "type": "AWS::EC2::Instance", "state": "stopped"}])
    assert found["i"].message == "the resource matches the policy's fail_if condition" and "saving" not in found["i"].evidence
