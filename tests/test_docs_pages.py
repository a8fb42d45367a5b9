"""The documentation pages' examples are real: their YAML documents validate and their policy test
passes, their tables hold the code's vocabularies, their example files load, the tour runs as it
says, and the evidence example is what the engine writes."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from decimal import Decimal

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.library import load_library
from engine.policy_tests import run_policy_tests
from tests.conftest import ROOT

DOCS = ROOT / "docs"
# the pages whose YAML documents together make one library with a passing policy test
LIBRARY_PAGES = ("policies.md", "conditions.md", "policy-sets.md", "ownership.md", "policy-tests.md", "costs.md", "rightsizing.md")


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def blocks(text: str, language: str | None = None) -> list[str]:
    return [body for lang, body in re.findall(r"^```(\w*)\n(.*?)^```$", text, re.S | re.M) if language is None or lang == language]


def documents(over_builtin: bool = False) -> list[str]:
    """The pages' costwarden documents; those written for the built-in library (``--policies builtin``) apart."""
    return [b for name in LIBRARY_PAGES for b in blocks(page(name), "yaml")
            if "apiVersion: costwarden/v1" in b and ("--policies builtin" in b) == over_builtin]


def test_the_examples_validate_and_their_test_passes(tmp_path):
    found = documents()
    kinds = sorted(re.search(r"^kind: (\w+)", d, re.M).group(1) for d in found)
    assert kinds == ["Budgets", "GenerationMap", "Ownership", "Policy", "Policy", "Policy", "PolicySet", "PolicyTest", "PolicyTest",
                     "SizeLadders"]  # first kind of each block
    for index, document in enumerate(found):
        (tmp_path / f"doc{index}.yaml").write_text(document)
    library = load_library([str(tmp_path)])
    assert {p.id: p.enabled for p in library.policies} == {"monthly-team-budget": True, "require-team-tags": True, "stopped-and-old": False,
                                                             "rightsize-web": True}
    assert library.budgets["team-monthly"].for_scope("search").money.amount == Decimal("8000.50")
    assert library.get("require-team-tags").severity == "critical"
    assert library.catalog.size("aws", "x8g.xlarge").vcpu == 4  # the page's own ladder
    assert library.catalog.replacements("aws", "m5.large") == ("family", ("m7i", "m7g"))
    outcomes = run_policy_tests([str(tmp_path)])
    assert len(outcomes) == 4 and all(o.passed for o in outcomes), [o.report() for o in outcomes]


def test_the_policy_set_over_the_builtin_library_loads_with_it(tmp_path):
    from engine.api import load_policies

    (document,) = documents(over_builtin=True)
    (tmp_path / "acme-set.yaml").write_text(document)
    library = load_policies(["builtin", str(tmp_path / "acme-set.yaml")])
    assert library.get("required-allocation-tags").severity == "critical"
    assert library.get("allowed-environment-values").parameters["environments"] == ["prod", "prd", "staging", "dev"]
    assert library.get("stopped-instance").enabled is False


def test_the_policy_set_without_builtin_says_what_to_add(tmp_path, monkeypatch):
    """policy-sets.md quotes the message a set over the built-in library gives when 'builtin' is not loaded."""
    (document,) = documents(over_builtin=True)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "acme-set.yaml").write_text(document)
    result = CliRunner().invoke(main, ["validate", "acme-set.yaml"])
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    quoted = re.search(r"is an error that says what to add: `([^`]*)`", " ".join(page("policy-sets.md").split())).group(1)
    assert first == quoted


def fenced(text: str, header: str) -> str:
    """The fenced block that starts with ``header`` (a CSV header line)."""
    (block,) = [b for b in blocks(text) if b.startswith(header)]
    return block


def test_the_metrics_and_price_table_examples_load(tmp_path):
    from datetime import timedelta

    from engine.evaluator import as_of_datetime
    from engine.metrics import load_metrics
    from engine.pricing import load_price_table

    metrics = tmp_path / "metrics.csv"
    metrics.write_text(fenced(page("metrics.md"), "resource_id,metric,"))
    loaded = load_metrics([str(metrics)], as_of=as_of_datetime("2026-11-27"), lookback=timedelta(days=30))
    assert sorted(metric for _, metric in loaded.series) == ["cpu", "memory"]
    prices = tmp_path / "prices.csv"
    prices.write_text(fenced(page("prices.md"), "provider,region,size,price"))
    assert len(load_price_table([str(prices)]).rows) == 4


def test_the_canonical_resource_example_loads(tmp_path):
    from engine.api import load_inventory

    (example,) = blocks(page("inventory.md"), "json")
    (tmp_path / "inventory.json").write_text("[" + example + "]")
    (resource,) = load_inventory([str(tmp_path / "inventory.json")]).resources
    assert resource["class"] == "compute.instance" and resource["utilization"]["cpu"]["p95"] == 12.5


def test_the_rightsizing_evidence_example_is_what_the_engine_writes(tmp_path):
    """findings.md's evidence example is what the built-in rightsizing policy gives on the resource it names."""
    from engine.evaluator import evaluate
    from engine.inventory.adapters.costwarden import convert
    from engine.inventory.problems import StructureProblems
    from engine.pricing import load_price_table, price_sources

    (example,) = [b for b in blocks(page("findings.md"), "json") if '"recommendation"' in b]
    expected = json.loads(example)
    library = load_library([str(ROOT / "policies" / "rightsizing" / "rightsize-compute.yaml")])
    prices = tmp_path / "prices.csv"
    prices.write_text("provider,region,size,price,currency\naws,us-east-1,m5.large,0.096,USD\naws,x,y,1,USD\n"
                      "aws,us-east-1,m5.2xlarge,0.384,USD\n")
    named = re.search(r"over\s+`(\{\"id\": \"i-1\".*?\})`", page("findings.md"), re.S).group(1)
    (resource,) = convert([json.loads(" ".join(named.split()))], StructureProblems())
    result = evaluate(library, [resource], as_of="2026-01-01", prices=price_sources(load_price_table([str(prices)])))
    (finding,) = result.findings
    got = json.loads(json.dumps(finding.evidence))
    got["saving"]["source"] = got["saving"]["source"].replace(str(tmp_path) + "/", "")
    assert got == expected
    assert finding.to_dict()["money"]["monthly_saving"] == {"amount": "210.24", "currency": "USD"}


def test_the_type_vocabulary_table_is_the_class_table():
    from engine.inventory.types import CLASS_TABLE

    text = page("policies.md")
    header = "| class | kinds: the spellings of one kind, joined by `=`, its canonical key first |\n|---|---|\n"
    table = text[text.index(header) + len(header):].split("\n\n", 1)[0]
    listed = {}
    for line in table.splitlines():
        name, kinds = (cell.strip() for cell in line.strip("|").split("|"))
        listed[name.strip("`")] = tuple(tuple(s.strip("`") for s in kind.split(" = ")) for kind in kinds.split("; "))
    assert listed == {name: kinds for name, _, kinds in CLASS_TABLE}


def test_the_builtin_library_table_lists_every_builtin_policy():
    library = load_library([str(ROOT / "policies")])
    text = page("policies.md")
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| `([a-z-]+)` \| [^|]+ \| (\w+) \| (\w+) \|", text, re.M)
    assert {(p, t, s, e) for p, t, s, e in rows} == {(p.id, p.type, p.severity, p.enforcement) for p in library.policies}


def test_the_operator_table_names_every_operator():
    from engine.conditions.operators import OPERATORS

    table = page("conditions.md").split("## Operators", 1)[1].split("\n\n", 2)[1]
    named = {op for cell in re.findall(r"^\| ([^|]+) \|", table, re.M) for op in re.findall(r"`([a-z-]+)`", cell)}
    assert named == set(OPERATORS)


def test_every_inventory_format_is_on_the_inventory_page():
    from engine.inventory.adapters import ADAPTERS

    assert set(re.findall(r"^\| `([a-z-]+)` \|", page("inventory.md"), re.M)) == set(ADAPTERS)


# --- the tours: the README's and the index page's run as they say --------------------------------------


def tour(text: str) -> tuple[dict[str, str], list[str]]:
    """The files a tour writes (each YAML block, named by the last "(`path.yaml`" before it) and its commands."""
    files, end = {}, 0
    for match in re.finditer(r"^```yaml\n(.*?)^```$", text, re.S | re.M):
        names = re.findall(r"\(`([\w./-]+\.yaml)`", text[end:match.start()])
        if names:
            files[names[-1]] = match.group(1)
        end = match.end()
    (commands,) = [b for b in blocks(text, "sh") if "costwarden validate" in b]
    return files, [line for line in commands.splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["README.md", "docs/index.md"])
def test_the_tour_runs_as_it_says(name, tmp_path, monkeypatch):
    files, commands = tour((ROOT / name).read_text(encoding="utf-8"))
    assert len(files) == 2 and len(commands) >= 4, (files, commands)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    if name == "docs/index.md":  # the index's tour checks an inventory of its own
        (tmp_path / "inventory.json").write_text('[{"id": "i-9", "type": "AWS::EC2::Instance", "provider": "aws", "tags": {}}]')
    monkeypatch.chdir(tmp_path)
    for line in commands:
        command, _, said = line.partition("#")
        arguments = shlex.split(command)
        assert arguments[0] == "costwarden"
        result = CliRunner().invoke(main, arguments[1:])
        if arguments[1] == "check":
            assert result.exit_code == 1, result.output  # an open finding of an enforced policy
            findings = json.loads((tmp_path / "findings.json").read_text())["findings"]
            assert findings and all(f["message"].startswith("missing tag team") for f in findings)
        else:
            assert result.exit_code == 0, result.output
        if said.strip() and arguments[1] in ("validate", "test"):  # the comment says what the command prints
            assert result.stdout.splitlines()[-1 if arguments[1] == "test" else 0] == said.strip()
    assert (tmp_path / "catalog" / "index.md").is_file()


def test_the_python_api_example_runs_as_written():
    block = re.search(r"```python\n(.*?)```", page("python-api.md"), re.S).group(1)
    done = subprocess.run([sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    exit_code, cases, passed = done.stdout.splitlines()[-1].split()
    assert (exit_code, passed) == ("1", "True") and int(cases) > 100  # the example estate fails at high; every policy test passes
    assert "required-allocation-tags" in done.stdout
