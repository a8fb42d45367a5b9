"""The README's YAML examples are real documents: they validate, and its policy test passes."""

from __future__ import annotations

import re
from decimal import Decimal

from engine.library import load_library
from engine.policy_tests import run_policy_tests
from tests.conftest import ROOT


def readme_documents(over_builtin: bool = False) -> list[str]:
    """The README's YAML documents; those written for the built-in library (``--policies builtin``) apart."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    return [b for b in blocks if "apiVersion: costwarden/v1" in b and ("--policies builtin" in b) == over_builtin]


def test_readme_examples_validate_and_their_test_passes(tmp_path):
    documents = readme_documents()
    kinds = sorted(re.search(r"^kind: (\w+)", d, re.M).group(1) for d in documents)
    assert kinds == ["Budgets", "GenerationMap", "Ownership", "Policy", "Policy", "Policy", "PolicySet", "PolicyTest", "PolicyTest",
                     "SizeLadders"]  # first kind of each block
    for index, document in enumerate(documents):
        (tmp_path / f"doc{index}.yaml").write_text(document)
    library = load_library([str(tmp_path)])
    assert {p.id: p.enabled for p in library.policies} == {"monthly-team-budget": True, "require-team-tags": True, "stopped-and-old": False,
                                                             "rightsize-web": True}
    assert library.budgets["team-monthly"].for_scope("search").money.amount == Decimal("8000.50")
    assert library.get("require-team-tags").severity == "critical"
    assert library.catalog.size("aws", "x8g.xlarge").vcpu == 4  # the README's own ladder
    assert library.catalog.replacements("aws", "m5.large") == ("family", ("m7i", "m7g"))
    outcomes = run_policy_tests([str(tmp_path)])
    assert len(outcomes) == 4 and all(o.passed for o in outcomes), [o.report() for o in outcomes]


def test_readme_policy_set_over_the_builtin_library_loads_with_it(tmp_path):
    from engine.api import load_policies

    (document,) = readme_documents(over_builtin=True)
    (tmp_path / "acme-set.yaml").write_text(document)
    library = load_policies(["builtin", str(tmp_path / "acme-set.yaml")])
    assert library.get("required-allocation-tags").severity == "critical"
    assert library.get("allowed-environment-values").parameters["environments"] == ["prod", "prd", "staging", "dev"]
    assert library.get("stopped-instance").enabled is False


def readme_table(header: str) -> str:
    """The fenced block that starts with ``header`` (a CSV header line)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for _, b in re.findall(r"^```(\w*)\n(.*?)^```$", text, re.S | re.M) if b.startswith(header)]
    return block


def test_readme_metrics_and_price_table_examples_load(tmp_path):
    from datetime import timedelta

    from engine.evaluator import as_of_datetime
    from engine.metrics import load_metrics
    from engine.pricing import load_price_table

    metrics = tmp_path / "metrics.csv"
    metrics.write_text(readme_table("resource_id,metric,"))
    loaded = load_metrics([str(metrics)], as_of=as_of_datetime("2026-11-27"), lookback=timedelta(days=30))
    assert sorted(metric for _, metric in loaded.series) == ["cpu", "memory"]
    prices = tmp_path / "prices.csv"
    prices.write_text(readme_table("provider,region,size,price"))
    assert len(load_price_table([str(prices)]).rows) == 4


def test_readme_rightsizing_evidence_example_is_what_the_engine_writes(tmp_path):
    """The JSON example of a recommendation has the keys and values the engine produces."""
    import json

    from engine.evaluator import evaluate
    from engine.inventory.adapters.costwarden import convert
    from engine.inventory.problems import StructureProblems
    from engine.pricing import load_price_table, price_sources

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```json\n(.*?)```", text, re.S) if '"recommendation"' in b]
    expected = json.loads(example)
    library = load_library([str(ROOT / "policies" / "rightsizing" / "rightsize-compute.yaml")])
    prices = tmp_path / "prices.csv"
    prices.write_text("provider,region,size,price,currency\naws,us-east-1,m5.large,0.096,USD\naws,x,y,1,USD\n"
                      "aws,us-east-1,m5.2xlarge,0.384,USD\n")
    (resource,) = convert([{"id": "i-1", "type": "AWS::EC2::Instance", "region": "us-east-1", "size": "m5.2xlarge",
                            "utilization": {"cpu": {"p95": 12, "days": 30, "samples": 720, "period": 3600}}}], StructureProblems())
    result = evaluate(library, [resource], as_of="2026-01-01", prices=price_sources(load_price_table([str(prices)])))
    (finding,) = result.findings
    got = json.loads(json.dumps(finding.evidence))
    got["saving"]["source"] = got["saving"]["source"].replace(str(tmp_path) + "/", "")
    assert got == expected


def test_public_api_names_are_the_functions():
    import engine
    import engine.api  # noqa: F401 - importing submodules must not shadow the API names

    for name in ("evaluate", "load_budgets", "load_costs", "load_inventory", "load_metrics", "load_ownership", "load_policies", "load_prices",
                 "render", "run_policy_tests"):
        assert callable(getattr(engine, name)), name


def test_the_quick_start_command_runs_on_the_bundled_examples(monkeypatch):
    import shlex

    from click.testing import CliRunner

    from engine.cli import main

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text[text.index("## Quick start"):]
    command = re.search(r"```sh\n(.*?)\n```", quick_start, re.S).group(1)
    arguments = shlex.split(command.split(".venv/bin/costwarden", 1)[1])
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1, result.output  # open findings of enforced policies, as the README says
    for fragment in ("Summary by owner:", "monthly cost", "overspend", "unallocated", "unused commitment", "saving/month"):
        assert fragment in result.output, fragment


def cli_reference() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## CLI reference"):text.index("\n## ", text.index("## CLI reference") + 1)]


def test_the_cli_reference_names_every_option_of_every_command():
    from engine.cli import main

    reference = cli_reference()
    for name, command in main.commands.items():
        assert f"costwarden {name}" in reference
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option != "--help":
                    assert option in reference, f"costwarden {name} {option} is not in the README's CLI reference"


def test_the_cli_reference_says_policy_and_label_select_a_union(tmp_path):
    import json

    from click.testing import CliRunner

    from engine.cli import main

    assert "`--policy` and `--label` combine as a union" in cli_reference()
    (tmp_path / "p.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: one\ntitle: One\ntype: condition\nseverity: low\nlabels: [a]\n"
        "spec: {fail_if: {path: id, op: exists}}\n---\n"
        "apiVersion: costwarden/v1\nkind: Policy\nid: two\ntitle: Two\ntype: condition\nseverity: low\nlabels: [b]\n"
        "spec: {fail_if: {path: id, op: exists}}\n"
    )
    (tmp_path / "inv.json").write_text('[{"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws"}]')
    result = CliRunner().invoke(main, ["check", "--policies", str(tmp_path / "p.yaml"), "--inventory", str(tmp_path / "inv.json"),
                                       "--as-of", "2026-01-01", "--format", "json", "--policy", "one", "--label", "b"])
    assert sorted(p["id"] for p in json.loads(result.stdout)["summary"]["by_policy"]) == ["one", "two"]
