"""The README's YAML examples are real documents: they validate, and its policy test passes."""

from __future__ import annotations

import re
from decimal import Decimal

from engine.documents.loader import load_library
from engine.policy_tests import run_policy_tests
from tests.conftest import ROOT


def readme_documents() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    return [b for b in blocks if "apiVersion: costwarden/v1" in b]


def test_readme_examples_validate_and_their_test_passes(tmp_path):
    documents = readme_documents()
    kinds = sorted(re.search(r"^kind: (\w+)", d, re.M).group(1) for d in documents)
    assert kinds == ["Budgets", "Ownership", "Policy", "Policy", "PolicySet", "PolicyTest"]  # first kind of each block
    for index, document in enumerate(documents):
        (tmp_path / f"doc{index}.yaml").write_text(document)
    library = load_library([str(tmp_path)])
    assert {p.id: p.enabled for p in library.policies} == {"monthly-team-budget": True, "require-team-tags": True, "stopped-and-old": False}
    assert library.budgets["team-monthly"].for_scope("search").money.amount == Decimal("8000.50")
    assert library.get("require-team-tags").severity == "critical"
    outcomes = run_policy_tests([str(tmp_path)])
    assert len(outcomes) == 2 and all(o.passed for o in outcomes), [o.report() for o in outcomes]


def test_public_api_names_are_the_functions():
    import engine
    import engine.api  # noqa: F401 - importing submodules must not shadow the API names

    for name in ("evaluate", "load_budgets", "load_costs", "load_inventory", "load_ownership", "load_policies", "render", "run_policy_tests"):
        assert callable(getattr(engine, name)), name
