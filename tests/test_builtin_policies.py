"""Every case of every PolicyTest shipped with the project is one pytest case.

Runs through the same runner as `costwarden test` (engine.policy_tests).
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from engine.policy_tests import collect_tests
from tests.conftest import REALDATA, ROOT

FOLDERS = {"policies": ROOT / "policies", "translated": ROOT / "examples" / "translated"}


@lru_cache(maxsize=None)
def prepared(folder: str):
    return collect_tests([str(FOLDERS[folder])])


@lru_cache(maxsize=None)
def outcomes(folder: str, index: int):
    return prepared(folder)[index].run()


def cases():
    for folder in FOLDERS:
        for index, test in enumerate(prepared(folder)):
            for number, case in enumerate(test.doc.data["cases"]):
                name = f"{folder}/{test.doc.data['name']}/{case['policy']}×{case.get('resource') or 'scope ' + str(case.get('scope'))}#{number}"
                yield pytest.param(folder, index, number, id=name)


@pytest.mark.parametrize("folder, index, number", list(cases()))
def test_policy_test_case(folder, index, number):
    outcome = outcomes(folder, index)[number]
    assert outcome.passed, outcome.report()


def test_every_builtin_policy_has_test_cases():
    from engine.library import load_library

    tested = {case["policy"] for test in prepared("policies") for case in test.doc.data["cases"]}
    assert {p.id for p in load_library([str(FOLDERS["policies"])]).policies} <= tested


def test_every_builtin_policy_has_fail_and_pass_cases():
    expectations: dict[str, set] = {}
    for test in prepared("policies"):
        for case in test.doc.data["cases"]:
            expectations.setdefault(case["policy"], set()).add(case["expect"])
    for policy, seen in expectations.items():
        assert {"fail", "pass"} <= seen, f"{policy} has only {seen}"


def test_the_translated_examples_need_nothing_outside_the_repository(tmp_path):
    """The translated examples' tests run from a copy of their folder alone (their fixtures travel with them)."""
    import shutil

    copy = tmp_path / "translated"
    shutil.copytree(FOLDERS["translated"], copy)
    outcomes = [outcome for test in collect_tests([str(copy)]) for outcome in test.run()]
    assert outcomes and all(o.passed for o in outcomes), [o.report() for o in outcomes if not o.passed]
    assert any(o.test == "gcp enforce_labels" and o.resource.endswith("/valid-instance-8hz5") for o in outcomes)


def test_the_translated_gcp_fixture_is_an_unmodified_copy():
    copy = FOLDERS["translated"] / "gcp-policy-library" / "fixtures" / "enforce-labels-instances.json"
    assert copy.read_bytes() == (REALDATA / "gcp-policy-library" / "assets" / "data.json").read_bytes()
