"""`check` with several outputs in one run (-f X -o F pairs), --fail-on in the verdicts, atomic writes,
outputs with evaluation errors; inventory findings located in small canonical files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.conftest import REALDATA, ROOT
from tests.output_cases import validate_sarif

PLAN = REALDATA / "checkov" / "plan_tags" / "tfplan.json"  # a TerraGoat estate: tagging findings, high and medium
AS_OF = "2026-01-01"


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args, input=None):
    return CliRunner().invoke(main, ["check", "--plan", str(PLAN.relative_to(ROOT)), "--as-of", AS_OF,
                                     *[str(arg) for arg in args]], input=input)


def test_sarif_and_markdown_files_and_text_on_standard_output(tmp_path):
    sarif, summary = tmp_path / "costwarden.sarif", tmp_path / "summary.md"
    result = run("--format", "sarif", "--output", sarif, "-f", "markdown", "-o", summary, "-f", "text")
    assert result.exit_code == 1, result.output
    document = validate_sarif(json.loads(sarif.read_text()))
    single = json.loads(run("-f", "sarif").stdout)
    assert document == single  # the same document as a run with that format alone
    assert summary.read_text() == run("-f", "markdown").stdout
    assert result.stdout == run().stdout  # text, on standard output
    assert result.stdout.startswith("costwarden ")


def test_each_output_goes_with_the_format_next_to_it(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    # --output first, then its --format; a --format alone goes to standard output
    result = run("-o", a, "-f", "junit", "-f", "csv", "-f", "github", "-o", b)
    assert result.exit_code == 1, result.output
    ET.fromstring(a.read_text())  # junit XML
    assert b.read_text().startswith("::")  # github workflow commands
    assert result.stdout.startswith("fingerprint,policy,")  # csv


def test_an_output_without_a_format_is_json(tmp_path):
    out = tmp_path / "findings.json"
    assert run("-o", out).exit_code == 1
    assert json.loads(out.read_text())["schema_version"] == "1.1"


@pytest.mark.parametrize("args, message", [
    (["-f", "json", "-f", "sarif"], "standard output is given two formats (json and sarif)"),
    (["-f", "json", "-o", "x.json", "-f", "sarif", "-o", "x.json"], "--output x.json is given two formats (json and sarif)"),
    (["-o", "a", "-o", "b", "-f", "json"], "--output a and --output b: give a --format for each"),
    (["-f", "json", "-o", "a", "-o", "b"], "--output b has no --format next to it"),
    (["-f", "sarf", "-o", "a"], "unknown format 'sarf' (did you mean 'sarif'?)"),
    (["-o", ""], "--output needs a file path"),
])
def test_output_usage_errors(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--plan", str(PLAN), "--as-of", AS_OF, *args])
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert list(tmp_path.iterdir()) == []


def test_fail_on_reaches_the_verdicts_of_every_format(tmp_path):
    """At --fail-on critical the run passes (exit 0): the Markdown says passes, JUnit has no failure,
    the GitHub summary says passes."""
    md, xml, gh = tmp_path / "s.md", tmp_path / "r.xml", tmp_path / "gh.txt"
    result = run("--fail-on", "critical", "-f", "markdown", "-o", md, "-f", "junit", "-o", xml, "-f", "github", "-o", gh)
    assert result.exit_code == 0, result.output
    assert md.read_text().startswith("### costwarden passes\n\n**Passes** at \\-\\-fail\\-on critical")
    root = ET.fromstring(xml.read_text())
    assert root.get("failures") == "0" and int(root.get("skipped")) > 0
    assert "passes: no open finding of an enforced policy at or above critical (exit code 0)" in gh.read_text()
    result = run("--fail-on", "high", "-f", "markdown", "-o", md)
    assert result.exit_code == 1 and md.read_text().startswith("### costwarden fails\n\n**Fails** at \\-\\-fail\\-on high")


def test_with_an_evaluation_error_every_output_is_written_with_it(tmp_path, write):
    policy = write("strict.yaml", """\
apiVersion: costwarden/v1
kind: Policy
id: strict
title: Instance types compare as numbers
type: condition
severity: low
resource: {types: [aws_instance]}
spec:
  fail_if: {path: properties.instance_type, op: gt, value: 3}
""")
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    result = CliRunner().invoke(main, ["check", "--policies", str(policy), "--plan", str(PLAN), "--as-of", AS_OF,
                                       "-f", "sarif", "-o", str(sarif), "-f", "junit", "-o", str(junit)])
    assert result.exit_code == 2, result.output
    assert "E501 policy strict" in result.stderr
    (sarif_run,) = validate_sarif(json.loads(sarif.read_text()))["runs"]
    assert sarif_run["invocations"][0]["executionSuccessful"] is False
    assert {n["descriptor"]["id"] for n in sarif_run["invocations"][0]["toolExecutionNotifications"]} >= {"E501"}
    assert ET.fromstring(junit.read_text()).get("errors") != "0"


def test_a_file_output_is_replaced_atomically_and_keeps_its_mode(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old")
    out.chmod(0o640)
    assert run("-f", "json", "-o", out).exit_code == 1
    assert json.loads(out.read_text())["findings"] and (out.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no temporary file left


def test_an_unwritable_output_is_exit_code_2(tmp_path):
    result = run("-f", "json", "-o", tmp_path / "missing" / "r.json")
    assert result.exit_code == 2 and "cannot write" in result.stderr


# --- inventory locations ------------------------------------------------------------------------------

def test_inventory_findings_point_at_their_object_in_the_file(write):
    """examples/inventory.json is costwarden's format: each finding's line is where its object starts."""
    result = CliRunner().invoke(main, ["check", "--inventory", "examples/inventory.json", "--as-of", AS_OF, "-f", "json"])
    findings = json.loads(result.stdout)["findings"]
    lines = (ROOT / "examples" / "inventory.json").read_text().splitlines()
    assert findings
    for finding in findings:
        where = finding["location"]
        assert where["file"] == "examples/inventory.json"
        line = lines[where["line"] - 1]
        assert line[where["column"] - 1] == "{"
        block = "\n".join(lines[where["line"] - 1:where["line"] + 3])
        assert json.dumps(finding["resource"]["id"]) in block  # its id is among the object's first lines


def test_json_lines_inventory_findings_point_at_their_line(write):
    resources = json.loads((ROOT / "examples" / "inventory.json").read_text())["resources"]
    inventory = write("inventory.jsonl", "\n".join(json.dumps(r) for r in resources) + "\n")
    result = CliRunner().invoke(main, ["check", "--inventory", str(inventory), "--as-of", AS_OF, "-f", "json"])
    findings = json.loads(result.stdout)["findings"]
    order = [r["id"] for r in resources]
    assert findings and all(f["location"]["line"] == order.index(f["resource"]["id"]) + 1 and f["location"]["column"] == 1
                            for f in findings)


def test_inventories_of_other_formats_or_over_the_size_limit_give_no_location(monkeypatch, write):
    from engine.inventory import snapshot

    policy = write("team.yaml", "apiVersion: costwarden/v1\nkind: Policy\nid: team\ntitle: t\ntype: tagging\nseverity: low\n"
                                "spec: {keys: [{key: team}]}\n")
    tagging_api = REALDATA / "cloud-custodian" / "tagging.GetResources_1.json"  # AWS tagging API output
    result = CliRunner().invoke(main, ["check", "--policies", str(policy), "--inventory", str(tagging_api), "--as-of", AS_OF,
                                       "-f", "json"])
    findings = json.loads(result.stdout)["findings"]
    assert findings and all(f["location"] is None for f in findings)
    monkeypatch.setattr(snapshot, "LOCATION_LIMIT", 100)
    result = CliRunner().invoke(main, ["check", "--inventory", "examples/inventory.json", "--as-of", AS_OF, "-f", "json"])
    findings = json.loads(result.stdout)["findings"]
    assert findings and all(f["location"] is None for f in findings)
