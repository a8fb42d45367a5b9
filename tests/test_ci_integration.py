"""The GitHub Action (action.yml) and the pre-commit hooks (.pre-commit-hooks.yaml), tested offline:
the action's inputs map to real options of `costwarden check`, its check step's script runs with bash
in a repository with a local plan (outputs, SARIF, job summary, exit code), and each hook's entry
runs as pre-commit would run it."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from engine.cli import check
from tests.conftest import REALDATA, ROOT
from tests.output_cases import validate_sarif

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
_spec = importlib.util.spec_from_file_location("check_args", ROOT / "action" / "check_args.py")
check_args = importlib.util.module_from_spec(_spec)  # the action's argument builder (run by its check step)
_spec.loader.exec_module(check_args)
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
PLAN = REALDATA / "checkov" / "plan_tags" / "tfplan.json"


def step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def check_options() -> set[str]:
    return {opt for param in check.params for opt in getattr(param, "opts", []) if opt.startswith("--")}


@pytest.fixture
def costwarden(tmp_path) -> Path:
    """An executable that runs this costwarden (as the action's venv would)."""
    wrapper = tmp_path / "bin" / "costwarden"
    wrapper.parent.mkdir()
    wrapper.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m engine \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


# --- action.yml ---------------------------------------------------------------------------------------

def test_the_action_is_a_composite_action_with_described_inputs():
    assert ACTION["runs"]["using"] == "composite"
    assert {"plan", "policies", "costs", "budgets", "baseline", "fail-on", "args", "sarif"} <= set(ACTION["inputs"])
    assert all(spec.get("description") for spec in ACTION["inputs"].values())
    uses = [s.get("uses", "") for s in ACTION["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert "${{ github.action_path }}" in json.dumps(step("install"))  # installed from the action's own checkout
    assert step("install")["run"].count("python3 -m venv") == 1


def test_every_input_reaches_a_real_option_of_check():
    env = step("check")["env"]
    script = step("check")["run"]
    passed = {option: variable for variable, option in check_args.OPTIONS}  # option -> variable
    inputs_of = {name: re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)[1]
                 for name, value in env.items() if name.startswith("CW_")}
    assert set(inputs_of.values()) <= set(ACTION["inputs"])
    for option, variable in passed.items():
        assert option in check_options(), option
        assert variable in inputs_of
    # each input either becomes an option, or is how the script itself uses it
    used_otherwise = {"CW_ARGS", "CW_SARIF", "CW_SUMMARY"}
    assert set(inputs_of) == set(passed.values()) | used_otherwise
    for option in ("--format", "--output"):
        assert option in check_options() and option in check_args.check_args({}, "summary.md")
    assert "action/check_args.py" in script


def run_check_step(tmp_path: Path, costwarden: Path, inputs: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict, Path]:
    """The check step's script with bash, its env as GitHub would set it from the inputs."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copy(PLAN, repo / "plan.json")
    runner_temp, output, summary = tmp_path / "runner", tmp_path / "github_output", tmp_path / "step_summary"
    runner_temp.mkdir()
    output.write_text("")
    summary.write_text("")
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output),
           "GITHUB_STEP_SUMMARY": str(summary)}
    for name, value in step("check")["env"].items():
        if value == "${{ steps.install.outputs.costwarden }}":
            env[name] = str(costwarden)
        elif value == "${{ steps.install.outputs.python }}":
            env[name] = sys.executable
        elif value == "${{ github.action_path }}":
            env[name] = str(ROOT)
        else:
            env[name] = values[re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)[1]]
    # how GitHub runs a step with shell: bash
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step("check")["run"]], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done, outputs, summary


def test_the_check_step_writes_sarif_the_summary_and_costwardens_exit_code(tmp_path, costwarden):
    done, outputs, summary = run_check_step(tmp_path, costwarden, {"plan": "plan.json\n", "fail-on": "high",
                                                                   "args": "--as-of 2026-01-01"})
    assert done.returncode == 0, done.stderr  # the step itself succeeds; the last step exits with the code
    assert outputs["exit-code"] == "1"
    sarif = Path(outputs["sarif"])
    assert sarif.is_absolute() and sarif == tmp_path / "repo" / "costwarden.sarif"
    (sarif_run,) = validate_sarif(json.loads(sarif.read_text()))["runs"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif_run["results"]} == {"plan.json"}
    markdown = summary.read_text()
    assert markdown.startswith("### costwarden fails\n\n**Fails** at \\-\\-fail\\-on high")
    assert Path(outputs["markdown"]).read_text() == markdown
    assert "costwarden check --plan plan.json --fail-on high --format sarif" in done.stdout


def test_the_check_step_passes_and_can_skip_the_summary(tmp_path, costwarden):
    done, outputs, summary = run_check_step(tmp_path, costwarden, {"plan": "plan.json", "fail-on": "critical",
                                                                   "summary": "false", "args": "--as-of 2026-01-01"})
    assert done.returncode == 0 and outputs["exit-code"] == "0"
    assert summary.read_text() == "" and Path(outputs["markdown"]).exists()


def test_a_broken_input_is_exit_code_2_with_no_sarif(tmp_path, costwarden):
    done, outputs, _ = run_check_step(tmp_path, costwarden, {"plan": "missing.json"})
    assert outputs["exit-code"] == "2" and "sarif" not in outputs
    assert "missing.json: E401" in done.stderr


@pytest.mark.parametrize("code", ["0", "1", "2", ""])
def test_the_last_step_exits_with_costwardens_code(code):
    last = ACTION["runs"]["steps"][-1]
    assert last["if"] == "always()"
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", last["run"]],
                          env={"CODE": code, "PATH": os.environ["PATH"]})
    assert done.returncode == int(code or 2)


# --- .pre-commit-hooks.yaml -------------------------------------------------------------------------------

def test_the_hooks_are_python_hooks_for_policy_files():
    assert [hook["id"] for hook in HOOKS] == ["costwarden-validate", "costwarden-test"]
    for hook in HOOKS:
        assert hook["language"] == "python" and hook["entry"].startswith("costwarden ")
        files = re.compile(hook["files"])
        assert files.search("policies/tagging/required-tags.yaml") and files.search("infra/policies/a.yml")
        assert files.search("costwarden.yaml") and files.search("sub/pyproject.toml")
        assert not files.search(".github/workflows/ci.yml") and not files.search("src/app.py")


@pytest.fixture
def policy_repo(tmp_path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(ROOT / "policies", repo / "policies")
    (repo / "costwarden.yaml").write_text("apiVersion: costwarden/v1\nkind: Config\nvalidate:\n  paths: [policies]\n"
                                          "test:\n  paths: [policies]\n")
    return repo


def run_hook(hook: dict, repo: Path, costwarden: Path) -> subprocess.CompletedProcess:
    """The hook's entry and args, as pre-commit runs them (pass_filenames: false), from the repository root."""
    command = shlex.split(hook["entry"]) + list(hook.get("args", []))
    assert hook.get("pass_filenames") is False
    return subprocess.run([str(costwarden), *command[1:]], cwd=repo, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook["id"])
def test_each_hook_passes_on_good_policies_and_fails_on_a_broken_one(hook, policy_repo, costwarden):
    done = run_hook(hook, policy_repo, costwarden)
    assert done.returncode == 0, done.stdout + done.stderr
    policy = policy_repo / "policies" / "tagging" / "required-allocation-tags.yaml"
    policy.write_text(policy.read_text().replace("severity: high", "severity: hgih"))
    done = run_hook(hook, policy_repo, costwarden)
    assert done.returncode == 2
    assert "policies/tagging/required-allocation-tags.yaml:" in done.stderr and "E204" in done.stderr
