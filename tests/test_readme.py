"""The README is a front door: short, its quick start runs as it says, its links lead somewhere, and
it names every dependency with its reason. (Its tour runs in tests/test_docs_pages.py; the user
documentation it used to hold is tested with the pages it moved to.)"""

from __future__ import annotations

import re
import shlex
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_under_15_kb():
    assert len(README.encode("utf-8")) < 15 * 1024


def quick_start_commands() -> list[str]:
    quick_start = README[README.index("## Quick start"):README.index("\n## ", README.index("## Quick start") + 1)]
    return re.findall(r"```sh\n(.*?)\n```", quick_start, re.S)


def test_the_quick_start_is_two_commands_and_ci_runs_the_second():
    first, second = quick_start_commands()
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/costwarden check ")
    assert second == "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 -m venv .venv" in ci and ".venv/bin/pip install --quiet -e '.[test]'" in ci
    assert ci.rstrip().endswith(".venv/bin/python -m pytest")


def test_the_quick_start_command_runs_on_the_bundled_examples(monkeypatch):
    from click.testing import CliRunner

    from engine.cli import main

    arguments = shlex.split(quick_start_commands()[0].split(".venv/bin/costwarden", 1)[1])
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1, result.output  # open findings of enforced policies, as the README says
    for fragment in ("Summary by owner:", "monthly cost", "overspend", "unallocated", "unused commitment", "saving/month"):
        assert fragment in result.output, fragment


def test_every_link_of_the_readme_leads_to_a_file_and_its_anchor():
    from tests.test_docs_site import anchors_of

    for target in re.findall(r"\]\(([^)]+)\)", README):
        path, _, anchor = target.partition("#")
        assert (ROOT / path).exists(), target
        if anchor and path.endswith(".md"):
            assert anchor in anchors_of(ROOT / path), target


def test_every_dependency_is_named_with_its_reason():
    """Each package of pyproject.toml (dependencies and extras) is named in the README's Dependencies section."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + [d for extra in project["optional-dependencies"].values() for d in extra]
    names = {re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in wanted}
    section = README[README.index("## Dependencies"):README.index("\n## ", README.index("## Dependencies") + 1)]
    missing = [name for name in sorted(names) if f"`{name}`" not in section.lower()]
    assert not missing, f"name these in the README's Dependencies section, with why: {missing}"


def test_the_readme_points_to_the_policy_types_page_instead_of_a_table_of_its_own():
    from engine.checks import CHECKS

    assert "(docs/policy-types.md)" in README
    assert not re.search(r"^\| `(" + "|".join(map(re.escape, CHECKS)) + r")` \| (?!`)", README, re.M)  # no row per type


def test_public_api_names_are_the_functions():
    import engine
    import engine.api  # noqa: F401 - importing submodules must not shadow the API names

    for name in ("evaluate", "load_budgets", "load_costs", "load_inventory", "load_metrics", "load_ownership", "load_policies", "load_prices",
                 "render", "run_policy_tests"):
        assert callable(getattr(engine, name)), name
