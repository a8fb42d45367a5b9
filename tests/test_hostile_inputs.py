"""Hostile inputs through the real command line: every bad input gets a clear error, every
valid-but-unusual one the correct result.

The cases are data, in ``tests/hostile/cases_*.py`` (one table per engine area); the harness that
runs and judges them is ``tests/hostile/harness.py``, and the canonical inputs they start from
are in ``tests/hostile/kit/``. Each case runs ``python -m engine ...`` in a fresh folder (a copy
of the kit with the case's files laid over it), with a hang guard, and must:

* bad input: exit 2 and name the file, a place and an E-code on standard error, writing nothing;
* valid input: exit 0/1 with the correct findings (usually: the same JSON as the canonical files);
* always: no traceback, no "internal error", no hang, nothing left in the folder but its outputs.

A failure message names the case, what happened (exit code and the first lines of standard
error, or the hang) and what was expected.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile import (
    cases_cli, cases_conditions, cases_costs, cases_documents, cases_inventory, cases_metrics, cases_plans, cases_prices,
)
from tests.hostile.harness import (
    AS_OF, INV, Accepted, Case, OneOf, Outcome, Rejected, Same, UsageError, judge, prepare, run_case, run_command,
)

CASES: list[Case] = (
    cases_documents.CASES + cases_inventory.CASES + cases_costs.CASES + cases_metrics.CASES + cases_prices.CASES
    + cases_cli.CASES + cases_conditions.CASES + cases_plans.CASES
)

_references: dict = {}


def _reference(case: Case, same: Same, factory) -> Outcome:
    """The same command over the canonical files (or the case's reference files), run once per session."""
    args = same.reference_args or case.args
    key = (args, tuple(sorted((name, value if isinstance(value, (bytes, str)) else repr(value)) for name, value in same.reference.items())))
    if key not in _references:
        work, writers, _ = prepare(factory.mktemp("reference") / "work", same.reference)
        _references[key] = run_command(args, work, writers=writers)
    return _references[key]


def test_case_ids_are_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.area}:{case.id}")
def test_hostile_input(case: Case, tmp_path: Path, tmp_path_factory):
    outcome = run_case(case, tmp_path / "work")
    complaint = judge(case.expect, outcome, reference=lambda same: _reference(case, same, tmp_path_factory))
    assert complaint is None, (
        f"\n  case:     {case.id} [{case.area}] {case.note}\n  command:  costwarden {' '.join(case.args)}"
        f"\n  happened: {complaint}\n  expected: {case.expect.describe()}"
    )


# --- the harness itself: its judgements bite --------------------------------------------------


@pytest.fixture(scope="module")
def canonical(tmp_path_factory) -> Outcome:
    work, writers, _ = prepare(tmp_path_factory.mktemp("canonical") / "work", {})
    return run_command(INV, work, writers=writers)


def test_the_canonical_run_is_clean_and_has_findings(canonical):
    assert canonical.exit == 1, canonical.summary()
    document = json.loads(canonical.stdout)
    assert document["as_of"] == f"{AS_OF}T00:00:00Z"
    assert {(f["policy"], f["resource"]["id"].rsplit("/", 1)[-1]) for f in document["findings"]} == {
        ("team-tags", "i-0002"), ("team-tags", "vol-0003"), ("team-tags", "vm-4"), ("stopped-long", "i-0002")}
    assert judge(Accepted(1, lambda doc: None, "anything"), canonical) is None


def test_the_judge_refuses_what_did_not_happen(canonical):
    assert judge(Rejected("E403", "inventory.json", 1), canonical) is not None
    assert judge(UsageError("--as-of"), canonical) is not None
    assert judge(Accepted(0, lambda doc: None, "exit 0"), canonical) is not None
    assert judge(Accepted(1, lambda doc: "a complaint", "a check that fails"), canonical) is not None
    assert judge(OneOf((Rejected("E403", "x", 1), Accepted(0, lambda doc: None, "exit 0"))), canonical) is not None


def test_the_judge_checks_file_code_and_line_of_a_problem():
    stderr = "policies/a.yaml:4:11: E106 invalid UTF-8 (byte 0xff at offset 70)\ncostwarden: 1 problem found; nothing was evaluated\n"
    outcome = Outcome(2, b"", stderr, 0.1, [])
    assert judge(Rejected("E106", "policies/a.yaml", 4, 11), outcome) is None
    assert judge(Rejected("E106", "./policies/a.yaml", 4), outcome) is None
    assert judge(Rejected("E106", "policies/a.yaml", 5), outcome) is not None
    assert judge(Rejected("E106", "policies/a.yaml", 4, 12), outcome) is not None
    assert judge(Rejected("E101", "policies/a.yaml", 4), outcome) is not None
    assert judge(Rejected("E106", "policies/b.yaml", 4), outcome) is not None
    assert judge(Rejected("E106", "policies/a.yaml", None), outcome) is None
    file_level = Outcome(2, b"", "policies/a.yaml: E106 invalid UTF-8\n", 0.1, [])
    assert judge(Rejected("E106", "policies/a.yaml"), file_level) is not None  # a place is needed
    assert judge(Rejected("E106", "policies/a.yaml", None), file_level) is None
    pointer = Outcome(2, b"", "inv.json: E405 bad value (at /resources/1/id)\n", 0.1, [])
    assert judge(Rejected("E405", "inv.json", pointer="/resources/1/id"), pointer) is None
    assert judge(Rejected("E405", "inv.json", pointer="/resources/0/id"), pointer) is not None


def test_the_judge_refuses_tracebacks_internal_errors_hangs_and_left_over_files():
    expect = Rejected("E401", "x", None)
    good = "x: E401 file not found\n"
    assert judge(expect, Outcome(2, b"", good, 0.1, [])) is None
    assert judge(expect, Outcome(2, b"", good + "Traceback (most recent call last):\n  ...\nValueError: x\n", 0.1, [])) is not None
    assert judge(expect, Outcome(2, b"", good + "costwarden: internal error: ValueError: x\n", 0.1, [])) is not None
    assert judge(expect, Outcome(None, b"", "", 60.0, [])) is not None
    assert judge(expect, Outcome(2, b"", good, 0.1, ["out/.costwarden-1a2b3c"])) is not None
    assert judge(expect, Outcome(2, b'{"partial": ', good, 0.1, [])) is not None



def test_the_judge_ignores_only_the_keys_it_is_told_to():
    located = {"findings": [{"policy": "p", "location": {"file": "inventory.json", "line": 8}}], "errors": []}
    unlocated = {"findings": [{"policy": "p", "location": None}], "errors": []}
    other = {"findings": [{"policy": "q", "location": None}], "errors": []}

    def outcome(document) -> Outcome:
        return Outcome(1, json.dumps(document).encode(), "", 0.1, [])

    reference = lambda same: outcome(located)  # noqa: E731
    assert judge(Same(ignore=("location",)), outcome(unlocated), reference) is None
    assert judge(Same(), outcome(unlocated), reference) is not None
    assert judge(Same(ignore=("location",)), outcome(other), reference) is not None
