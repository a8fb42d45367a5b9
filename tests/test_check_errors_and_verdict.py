"""`costwarden check`: an evaluation error is shown once, and the formats that state a verdict state
the one of the run's --fail-on (through the CLI and through engine.api.render)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from tests.conftest import ROOT
from tests.output_cases import ERROR_POLICY, example_result
from tests.output_cases import validate_sarif

ERROR_LINE = "E501 policy fn, resource i-1"


@pytest.fixture
def error_run(tmp_path):
    (tmp_path / "fn.yaml").write_text(ERROR_POLICY)
    inventory = {"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": [
        {"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "properties": {"labels": "not an object"}}]}
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))

    def run(*options: str):
        return CliRunner().invoke(main, ["check", "--policies", str(tmp_path / "fn.yaml"), "--inventory", str(tmp_path / "inventory.json"),
                                         "--as-of", "2026-01-01", *options])

    return run


def test_the_text_report_on_standard_output_shows_an_evaluation_error_once(error_run):
    result = error_run()
    assert result.exit_code == 2
    assert result.stdout.count(ERROR_LINE) == 1  # in the report's list of evaluation errors
    assert ERROR_LINE not in result.stderr


@pytest.mark.parametrize("output_format", ["json", "sarif", "junit", "github", "markdown", "csv"])
def test_another_format_on_standard_output_leaves_the_error_on_standard_error(error_run, output_format):
    result = error_run("--format", output_format)
    assert result.exit_code == 2
    assert result.stderr.count(ERROR_LINE) == 1
    if output_format == "sarif":
        validate_sarif(json.loads(result.stdout))


def test_a_report_written_to_a_file_leaves_the_error_on_standard_error(error_run, tmp_path):
    report = tmp_path / "report.txt"
    result = error_run("--format", "text", "--output", str(report))
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.count(ERROR_LINE) == 1
    assert report.read_text().count(ERROR_LINE) == 1


def test_render_gives_the_verdict_at_fail_on():
    result = example_result()
    assert "**Fails** at \\-\\-fail\\-on info" in api.render(result, "markdown")
    assert "**Passes** at \\-\\-fail\\-on critical" in api.render(result, "markdown", fail_on="critical")
    junit = api.render(result, "junit", fail_on="critical")
    assert 'failures="0"' in junit.split("\n", 2)[1]  # nothing fails at critical: every finding is a skipped test case
    assert api.render(result, "json", fail_on="critical") == api.render(result, "json")  # a format without a verdict
    with pytest.raises(ValueError, match="fail_on must be one of info, low, medium, high, critical, not 'severe'"):
        api.render(result, "markdown", fail_on="severe")


def test_check_passes_its_fail_on_to_the_format(monkeypatch):
    monkeypatch.chdir(ROOT)
    arguments = ["check", "--policies", "policies", "--inventory", "examples/inventory.json", "--ownership", "examples/ownership.yaml",
                 "--as-of", "2026-11-27", "--format", "markdown"]
    high = CliRunner().invoke(main, [*arguments, "--fail-on", "critical"])
    assert high.exit_code == 0
    assert "**Passes** at \\-\\-fail\\-on critical" in high.stdout

