"""Every output format: one line of the FORMATS table, reachable through the API and the CLI, deterministic."""

from __future__ import annotations

import inspect
import json

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.outputs import FORMATS
from tests.output_cases import EXAMPLES, example_result, hostile_result, realdata_result, validate_sarif

NEW_FORMATS = ("sarif", "junit", "github", "markdown", "csv")
QUICK_START = ["check", "--inventory", str(EXAMPLES / "inventory.json"), "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"),
               "--budgets", str(EXAMPLES / "budgets.yaml"), "--prices", str(EXAMPLES / "prices.csv"),
               "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", "2026-11-27"]


def test_the_table_holds_every_format_of_the_product_brief_but_html():
    assert list(FORMATS) == ["text", "json", "sarif", "junit", "github", "markdown", "csv"]
    for name in NEW_FORMATS:  # the renderer signature the table promises
        parameters = inspect.signature(FORMATS[name]).parameters
        assert {"version", "color", "shorten"} <= set(parameters), name
        assert all(p.default is not inspect.Parameter.empty for n, p in parameters.items() if n not in ("result", "version"))


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_two_evaluations_of_the_same_inputs_render_byte_identical(name):
    first = api.render(example_result.__wrapped__(), name)
    second = api.render(example_result.__wrapped__(), name)
    assert first == second
    assert first.encode("utf-8") == second.encode("utf-8")
    assert first == api.render(example_result(), name)


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_every_format_renders_the_hostile_and_the_realdata_results(name):
    for result in (hostile_result(), realdata_result()):
        text = api.render(result, name)
        assert text.endswith("\n") and text == api.render(result, name)


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_the_cli_writes_each_format_and_keeps_the_exit_code(name, tmp_path):
    out = tmp_path / f"report.{name}"
    result = CliRunner().invoke(main, [*QUICK_START, "--format", name, "--output", str(out)])
    assert result.exit_code == 1, result.output  # the example estate has open findings of enforced policies
    assert out.read_bytes().decode("utf-8") == api.render(example_result(), name)  # bytes: CSV records end with CRLF
    if name == "sarif":
        validate_sarif(json.loads(out.read_text(encoding="utf-8")))


def test_an_unknown_format_is_a_usage_error_naming_the_new_ones():
    result = CliRunner().invoke(main, [*QUICK_START, "--format", "sarf"])
    assert result.exit_code == 2 and "did you mean 'sarif'" in result.output



@pytest.mark.parametrize("name", ["junit", "github", "markdown"])
def test_fail_on_must_be_a_severity(name):
    with pytest.raises(ValueError, match="fail_on must be one of info, low, medium, high, critical, not 'hgh'"):
        FORMATS[name](example_result(), version="1", fail_on="hgh")
