"""The GitHub Action's inputs become costwarden's arguments as a workflow author writes them: a path
with a space, quotes in ``args``, values one per line, nothing expanded, and a clear error (exit code
2) for an unclosed quote. action/check_args.py is run as the action runs it, alone and inside the
check step's script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_ci_integration import PLAN, check_args, costwarden, run_check_step  # noqa: F401 - costwarden is a fixture

SCRIPT = ROOT / "action" / "check_args.py"
REPORTS = ["--format", "sarif", "--output", "costwarden.sarif", "--format", "markdown", "--output", "summary.md"]


def arguments(**inputs: str) -> list[str]:
    environ = {"CW_SARIF": "costwarden.sarif"} | {f"CW_{name.upper()}": value for name, value in inputs.items()}
    return check_args.check_args(environ, "summary.md")


def test_args_is_split_as_a_shell_splits_words():
    assert arguments(args='--label tagging --baseline "infra/known findings.json"')[-4:] == [
        "--label", "tagging", "--baseline", "infra/known findings.json"]
    assert arguments(args="--source 'my infra' --label cost\\ tags")[-4:] == ["--source", "my infra", "--label", "cost tags"]
    assert arguments(args="--label 'it''s' --label \"say \\\"hi\\\"\"")[-4:] == ["--label", "its", "--label", 'say "hi"']
    assert arguments(args="  --period\n  last-month\n\t--label  tagging  ")[-4:] == ["--period", "last-month", "--label", "tagging"]
    assert arguments(args='--label ""')[-2:] == ["--label", ""]


def test_nothing_in_args_is_expanded():
    written = "--label $HOME --label * --label $(touch pwned) --label `id` --label ~ --label #x"
    assert arguments(args=written)[len(REPORTS) + 1:] == [
        "--label", "$HOME", "--label", "*", "--label", "$(touch", "pwned)", "--label", "`id`", "--label", "~", "--label", "#x"]


def test_list_inputs_give_one_option_per_line_and_keep_spaces_inside_a_line():
    assert arguments(plan="infra/my plan.json\n", policies="  builtin\n\n  policies/team a  \n", fail_on="high") == [
        "check", "--plan", "infra/my plan.json", "--policies", "builtin", "--policies", "policies/team a",
        "--fail-on", "high", *REPORTS]
    assert arguments() == ["check", *REPORTS]
    assert arguments(costs="focus/\n", prices="prices.csv\n", exemptions="exemptions/\n", period="2026-05") == [
        "check", "--costs", "focus/", "--prices", "prices.csv", "--exemptions", "exemptions/", "--period", "2026-05", *REPORTS]


@pytest.mark.parametrize("written, problem", [('--label "open', "no closing quotation"), ("--label open\\", "no escaped character"),
                                              ("--label 'it", "no closing quotation")])
def test_an_unclosed_quote_is_an_error_naming_the_input(written, problem):
    with pytest.raises(check_args.InputError) as raised:
        arguments(args=written)
    assert str(raised.value).startswith(f"input args: {problem} in {written!r} (args is split into words as a shell")


def run_script(**inputs: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "CW_SARIF": "costwarden.sarif"} | {f"CW_{k.upper()}": v for k, v in inputs.items()}
    return subprocess.run([sys.executable, str(SCRIPT), "summary.md"], env=env, capture_output=True, timeout=60)


def test_the_script_writes_nul_separated_arguments_and_fails_with_2_on_a_bad_quote():
    done = run_script(plan="my plans/plan.json", args='--label "a b\nc" --label é')
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout.split(b"\0")[:-1] == [a.encode() for a in
                                             ["check", "--plan", "my plans/plan.json", *REPORTS, "--label", "a b\nc", "--label", "é"]]
    assert done.stdout.endswith(b"\0")
    done = run_script(args='--label "open')
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().startswith("costwarden action: input args: no closing quotation in '--label \"open'")


# --- the check step's script, with bash, as GitHub runs it ----------------------------------------------------

def test_a_plan_in_a_folder_with_a_space_given_in_args_or_in_plan(tmp_path, costwarden):  # noqa: F811
    for given in ({"args": '--as-of 2026-01-01 --plan "my plans/plan.json" --label tagging'},
                  {"plan": "my plans/plan.json", "args": "--as-of 2026-01-01 --label tagging"}):
        run = tmp_path / str(len(given["args"]))
        (run / "repo" / "my plans").mkdir(parents=True)
        shutil.copy(PLAN, run / "repo" / "my plans" / "plan.json")
        done, outputs, _ = run_check_step(run, costwarden, given)
        assert outputs["exit-code"] == "1", done.stderr
        (sarif_run,) = json.loads(Path(outputs["sarif"]).read_text())["runs"]
        assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif_run["results"]} == {
            "my%20plans/plan.json"}
        assert "--plan my\\ plans/plan.json" in done.stdout  # the log shows the command as a shell would take it


def test_an_unclosed_quote_in_args_ends_the_step_with_exit_code_2_and_no_report(tmp_path, costwarden):  # noqa: F811
    done, outputs, summary = run_check_step(tmp_path, costwarden, {"plan": "plan.json", "args": "--label 'tagging"})
    assert done.returncode == 0 and outputs == {"exit-code": "2"}
    assert "costwarden action: input args: no closing quotation" in done.stderr
    assert not (tmp_path / "repo" / "costwarden.sarif").exists() and summary.read_text() == ""
