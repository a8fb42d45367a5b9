"""docs/ci.md and docs/config.md: their YAML parses, their costwarden commands are what the CLI takes,
the action's inputs they use exist, and the config examples run and print what the page shows."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import check, main
from engine.config import Settings, read_config
from tests.conftest import REALDATA, ROOT
from tests.test_ci_integration import ACTION

CI = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
CONFIG = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)


def commands(text: str) -> list[list[str]]:
    """Every `costwarden check ...` command of a page: in shell blocks (continued lines joined) and in YAML run/script values."""
    found = []
    for block in blocks(text, "sh"):
        found += [line for line in block.replace("\\\n", " ").splitlines() if line.startswith("costwarden check")]
    for block in blocks(text, "yaml"):
        for value in _strings(yaml.safe_load(block)):
            found += [line.strip() for line in value.splitlines() if line.strip().startswith("costwarden check")]
    return [shlex.split(line) for line in found if line.strip() != "costwarden check"]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def test_every_yaml_block_of_the_ci_page_parses():
    assert len(blocks(CI, "yaml")) >= 5
    for block in blocks(CI, "yaml"):
        assert yaml.safe_load(block) is not None


def test_every_documented_command_parses_with_the_cli():
    found = commands(CI) + commands(CONFIG)
    assert len(found) >= 4
    for args in found:
        assert args[:2] == ["costwarden", "check"]
        context = check.make_context("check", args[2:])  # raises a usage error for an unknown option or value
        assert context.params["output_format"] or context.params["plan_paths"]


def test_the_action_steps_use_its_inputs_only():
    used = 0
    for block in blocks(CI, "yaml"):
        workflow = yaml.safe_load(block)
        for job in (workflow.get("jobs") or {}).values() if isinstance(workflow, dict) else ():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("your-org/costwarden@"):
                    used += 1
                    assert set(step.get("with", {})) <= set(ACTION["inputs"])
    assert used == 1
    outputs = set(re.findall(r"steps\.costwarden\.outputs\.([a-z-]+)", CI))
    assert outputs and outputs <= set(ACTION["outputs"])


def test_the_gitlab_job_wires_the_junit_report():
    gitlab = next(yaml.safe_load(b) for b in blocks(CI, "yaml") if "stages" in (yaml.safe_load(b) or {}))
    job = gitlab["costwarden"]
    (command,) = [shlex.split(line) for line in job["script"] if line.startswith("costwarden check")]
    junit = command[command.index("junit") + 2]
    assert job["artifacts"]["reports"]["junit"] == junit and job["artifacts"]["when"] == "always"


@pytest.fixture
def documented_repo(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    (repo / "policies").mkdir()
    (repo / "policies" / "data-classification.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: Policy\nid: data-classification\ntitle: Buckets say what they hold\n"
        "type: tagging\nseverity: low\nresource: {types: [storage.bucket]}\nspec: {keys: [{key: data-classification}]}\n")
    shutil.copy(REALDATA / "checkov" / "plan_tags" / "tfplan.json", repo / "infra" / "plan.json")
    (repo / "costwarden.yaml").write_text(blocks(CONFIG, "yaml")[0])
    monkeypatch.chdir(repo)
    return repo


def test_the_config_example_prints_what_the_page_shows(documented_repo):
    (shown,) = [b for b in blocks(CONFIG, "text") if b.startswith("config file:")]
    (command,) = [line for b in blocks(CONFIG, "sh") for line in b.splitlines() if line.startswith("costwarden config")]
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout == shown


def test_the_config_examples_are_valid_and_mean_the_same(documented_repo):
    yaml_settings = Settings(read_config("costwarden.yaml"), main)
    (toml,) = blocks(CONFIG, "toml")
    (documented_repo / "pyproject.toml").write_text(toml)
    toml_settings = Settings(read_config("pyproject.toml"), main)
    for key in ("policy_paths", "plan_paths", "fail_on"):
        assert toml_settings.defaults(("check",))[key] == yaml_settings.defaults(("check",))[key]
    assert toml_settings.defaults(("validate",)) == yaml_settings.defaults(("validate",))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1  # high findings of the TerraGoat plan
    assert (documented_repo / "costwarden.sarif").exists() and (documented_repo / "summary.md").exists()


def test_the_error_example_is_what_costwarden_prints(documented_repo):
    (shown,) = [b for b in blocks(CONFIG, "text") if "E204" in b]
    (documented_repo / "costwarden.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: Config\ncheck:\n  fail-on: hgh\n  polices: [x]\n  plan: infra/plan.json\n"
        "validate:\n  paths: [policies]\nchek:\n  x: 1\n")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2 and result.stderr == shown
