"""The project config file (costwarden.yaml or [tool.costwarden] in pyproject.toml): where it is found,
what it may set (every option of every command, found generically), paths relative to the file, the
command line winning, errors with line and column, and `costwarden config`."""

from __future__ import annotations

import json
import shutil

import click
import pytest
from click.testing import CliRunner

from engine import cli
from engine.cli import main
from engine.config import Settings, config_name, find_config, read_config
from engine.errors import InputError
from tests.conftest import REALDATA, ROOT

PLAN = REALDATA / "checkov" / "plan_tags" / "tfplan.json"  # tagging findings of severity high and medium


def run(*args, input=None):
    return CliRunner().invoke(main, [str(arg) for arg in args], input=input)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository (it has .git) with a plan and a policies folder, the working directory its infra/ folder."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "infra").mkdir()
    shutil.copy(PLAN, root / "plan.json")
    shutil.copytree(ROOT / "policies", root / "policies")
    monkeypatch.chdir(root / "infra")
    return root


CONFIG = """\
apiVersion: costwarden/v1
kind: Config
check:
  policies: [policies]
  plan: plan.json
  fail-on: critical
  format: [json, markdown]
  output: [out/findings.json, out/summary.md]
validate:
  paths: [policies]
"""


def test_found_upward_and_paths_relative_to_the_file(repo):
    (repo / "costwarden.yaml").write_text(CONFIG)
    (repo / "out").mkdir()
    assert find_config() == str(repo / "costwarden.yaml")  # outside the working directory: as it is
    result = run("check", "--as-of", "2026-01-01")
    assert result.exit_code == 0, result.output  # fail-on critical: nothing fails
    document = json.loads((repo / "out" / "findings.json").read_text())
    assert document["findings"] and {f["resource"]["id"] for f in document["findings"]} <= {
        e["address"] for e in json.loads(PLAN.read_text())["resource_changes"]}
    assert (repo / "out" / "summary.md").read_text().startswith("### costwarden passes")
    assert run("validate").stdout.startswith("ok: ")


def test_the_command_line_wins(repo):
    (repo / "costwarden.yaml").write_text(CONFIG)
    (repo / "out").mkdir()
    result = run("check", "--as-of", "2026-01-01", "--fail-on", "high", "-f", "text")
    assert result.exit_code == 1  # --fail-on high from the command line
    assert result.stdout.startswith("costwarden ")  # -f text: the config's format/output pairs are not used
    assert not (repo / "out" / "findings.json").exists()


def test_a_config_above_the_repository_is_not_read(repo):
    (repo.parent / "costwarden.yaml").write_text(CONFIG.replace("fail-on: critical", "fail-on: nonsense"))
    assert find_config() is None
    result = run("check", "--plan", repo / "plan.json", "--as-of", "2026-01-01")
    assert result.exit_code == 1, result.output


def test_pyproject_tool_table_and_costwarden_yaml_first(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "infra"\n\n[tool.costwarden.check]\nplan = ["plan.json"]\n'
                                         'fail-on = "critical"\n')
    assert find_config() == str(repo / "pyproject.toml")
    assert run("check", "--as-of", "2026-01-01").exit_code == 0
    (repo / "costwarden.yaml").write_text("apiVersion: costwarden/v1\nkind: Config\ncheck:\n  plan: plan.json\n")
    assert find_config() == str(repo / "costwarden.yaml")
    assert run("check", "--as-of", "2026-01-01").exit_code == 1  # the yaml file's defaults: fail-on info


def test_a_pyproject_without_the_table_is_passed_over(repo, tmp_path):
    (repo / "pyproject.toml").write_text('[project]\nname = "costwarden-user"\n')
    assert find_config() is None


def test_config_and_no_config(repo, tmp_path):
    (repo / "costwarden.yaml").write_text(CONFIG.replace("fail-on: critical", "fail-on: high").replace(
        "  format: [json, markdown]\n  output: [out/findings.json, out/summary.md]\n", ""))
    other = tmp_path / "other.yaml"
    other.write_text(f"apiVersion: costwarden/v1\nkind: Config\ncheck:\n  plan: [{repo / 'plan.json'}]\n  fail-on: critical\n")
    assert run("check", "--as-of", "2026-01-01").exit_code == 1
    assert run("check", "--config", other, "--as-of", "2026-01-01").exit_code == 0
    no_config = run("check", "--no-config", "--as-of", "2026-01-01")
    assert no_config.exit_code == 2 and "give at least one snapshot" in no_config.stderr
    both = run("check", "--no-config", "--config", other)
    assert both.exit_code == 2 and "--config and --no-config cannot be used together" in both.stderr
    missing = run("check", "--config", tmp_path / "missing.yaml")
    assert missing.exit_code == 2 and "missing.yaml: E401 cannot read the config file: no such file" in missing.stderr


def test_every_problem_with_file_line_and_column(repo):
    (repo / "costwarden.yaml").write_text("""\
apiVersion: costwarden/v1
kind: Config
check:
  fail-on: hgh
  polices: [x]
  plan-scope: [all]
  stale-after: -1
  fail-on-x: {a: 1}
chek:
  x: 1
validate:
  paths: [1, true]
""")
    result = run("check")
    assert result.exit_code == 2
    lines = [line.replace(str(repo), "REPO") for line in result.stderr.splitlines()]  # a path outside the working directory: as found
    assert lines[:-1] == [
        "REPO/costwarden.yaml:4:12: E204 'fail-on': 'hgh' is not one of 'info', 'low', 'medium', 'high', 'critical'. "
        "(at /check/fail-on); did you mean 'high'?",
        "REPO/costwarden.yaml:5:3: E201 unknown option 'polices' of costwarden check (at /check/polices); did you mean 'policies'?",
        "REPO/costwarden.yaml:6:15: E203 'plan-scope' takes one value, not a list (at /check/plan-scope)",
        "REPO/costwarden.yaml:7:16: E203 'stale-after': -1 is not in the range x>=0. (at /check/stale-after)",
        "REPO/costwarden.yaml:8:3: E201 unknown option 'fail-on-x' of costwarden check (at /check/fail-on-x); did you mean 'fail-on'?",
        "REPO/costwarden.yaml:9:1: E201 unknown command 'chek' (at /chek); did you mean 'check'?",
        "REPO/costwarden.yaml:12:14: E203 'paths' takes path, not a boolean (at /validate/paths/1)",
    ] or lines  # (paths are shown as given: relative to the working directory when inside it)
    assert lines[-1] == "costwarden: 7 problems found; nothing was evaluated"


def test_schema_and_yaml_errors_are_located(repo):
    (repo / "costwarden.yaml").write_text("apiVersion: costwarden/v2\nkind: Config\ncheck:\n  plan: {a: {b: 1}}\n")
    result = run("check")
    assert result.exit_code == 2
    assert "costwarden.yaml:1:13: E204" in result.stderr and "(at /apiVersion)" in result.stderr
    (repo / "costwarden.yaml").write_text("apiVersion: costwarden/v1\nkind: Config\ncheck:\n  plan: [a\n")
    result = run("check")
    assert result.exit_code == 2 and "costwarden.yaml:" in result.stderr and "E101 YAML syntax error" in result.stderr
    (repo / "costwarden.yaml").unlink()
    (repo / "pyproject.toml").write_text('[tool.costwarden.check]\nfail-on = "hi"\n[tool.costwarden.chek]\nx = 1\n')
    result = run("check")
    assert [line.replace(str(repo), "REPO") for line in result.stderr.splitlines()[:2]] == [
        "REPO/pyproject.toml:2:1: E204 'fail-on': 'hi' is not one of 'info', 'low', 'medium', 'high', 'critical'. "
        "(at /check/fail-on); did you mean 'high'?",
        "REPO/pyproject.toml:3:1: E201 unknown command 'chek' (at /chek); did you mean 'check'?",
    ]
    (repo / "pyproject.toml").write_text("[tool.costwarden.check\nx = 1\n")
    result = run("check")
    assert "pyproject.toml:1:23: E101 TOML syntax error" in result.stderr


def test_help_works_with_a_broken_config(repo):
    (repo / "costwarden.yaml").write_text("kind: [")
    result = run("check", "--help")
    assert result.exit_code == 0 and "--config" in result.stdout


def test_config_shows_each_setting_and_where_it_comes_from(repo):
    (repo / "costwarden.yaml").write_text(CONFIG)
    result = run("config", "check", "--fail-on", "low", "--plan-scope", "all")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[3:] if line.strip()}
    assert result.stdout.startswith(f"config file: {repo / 'costwarden.yaml'}\n\ncostwarden check\n")
    assert rows["policies"].split()[1:] == [str(repo / "policies"), f"{repo / 'costwarden.yaml'}:4"]
    assert rows["fail-on"].split()[1:] == ["low", "command", "line"]
    assert rows["plan-scope"].split()[1:] == ["all", "command", "line"]
    assert rows["lookback"].split()[1:] == ["30d", "default"]
    assert rows["output"].endswith(f"{repo / 'costwarden.yaml'}:8")
    every = run("config")
    assert "costwarden validate\n  paths" in every.stdout and "costwarden config" not in every.stdout
    unused = run("config", "check", "-f", "text")
    assert "(not used: --format is on the command line)" in next(l for l in unused.stdout.splitlines() if l.strip().startswith("output"))
    assert run("config", "nope").exit_code == 2


def test_period_and_as_of_one_on_the_command_line_wins(repo):
    (repo / "costwarden.yaml").write_text(
        "apiVersion: costwarden/v1\nkind: Config\ncheck:\n  period: last-month\n"
        f"  costs: [{ROOT / 'examples' / 'costs' / 'focus-2026-11.csv'}]\n  policies: [builtin]\n")
    result = run("check", "--as-of", "2026-11-27", "-f", "json")
    assert json.loads(result.stdout)["period"] is None  # --as-of on the command line: the config's period is not used
    (repo / "costwarden.yaml").write_text("apiVersion: costwarden/v1\nkind: Config\ncheck:\n  period: 2026-11\n  as-of: 2026-11-27\n")
    result = run("check", "--plan", repo / "plan.json")
    assert result.exit_code == 2 and "--period and --as-of cannot be used together" in result.stderr


def test_a_config_document_among_policies_is_valid_and_ignored(repo):
    (repo / "policies" / "costwarden.yaml").write_text(CONFIG)
    result = run("validate", "--no-config", repo / "policies")
    assert result.exit_code == 0, result.output


# --- generic: every option of every command, and options another module adds ----------------------------

def leaf_commands(group, path=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, path + (name,))
        else:
            yield path + (name,), command


def test_every_option_of_every_command_can_be_set(tmp_path):
    """A config that sets every option and argument of every command (each to a value its type takes)
    is accepted, and each becomes that command's default."""
    sections = {}
    for path, command in leaf_commands(main):
        section = sections
        for name in path[:-1]:
            section = section.setdefault(name, {})
        values = {}
        for param in command.params:
            name = config_name(param)
            if name is None:
                continue
            if isinstance(param, click.Option) and param.is_flag:
                value = True
            elif isinstance(param.type, click.Choice):
                value = param.type.choices[-1]
            elif isinstance(param.type, click.types.IntRange | click.types.IntParamType):
                value = 7
            elif name in ("as-of",):
                value = "2026-01-01"
            elif name == "lookback":
                value = "14d"
            else:
                value = "x"
            values[name] = [value] if (getattr(param, "multiple", False) or param.nargs == -1) else value
        section[path[-1]] = values
    config = tmp_path / "costwarden.yaml"
    config.write_text(json.dumps({"apiVersion": "costwarden/v1", "kind": "Config", **sections}))  # JSON is YAML
    settings = Settings(read_config(str(config)), main)
    for path, command in leaf_commands(main):
        defaults = settings.defaults(path)
        assert set(defaults) == {p.name for p in command.params if config_name(p) is not None}, path
        assert all(settings.source(path, name) for name in defaults)


def test_an_option_added_by_another_module_is_covered_without_a_list(tmp_path, monkeypatch):
    """A command group built with the CLI's classes gets --config/--no-config and reads its section."""
    group = cli._Group(name="costwarden")

    @group.command()
    @click.option("--baseline", type=click.Path())
    @click.option("--strict/--lenient", default=False)
    def gate(baseline, strict):
        click.echo(f"{baseline} {strict}")

    baseline_dir = tmp_path / "team"
    baseline_dir.mkdir()
    (baseline_dir / "costwarden.yaml").write_text("apiVersion: costwarden/v1\nkind: Config\ngate:\n  baseline: b.json\n  strict: true\n")
    monkeypatch.chdir(baseline_dir)
    result = CliRunner().invoke(group, ["gate"])
    assert result.output == "b.json True\n", result.output
    result = CliRunner().invoke(group, ["gate", "--lenient", "--no-config"])
    assert result.output == "None False\n"
    (baseline_dir / "costwarden.yaml").write_text("apiVersion: costwarden/v1\nkind: Config\ngate:\n  basline: b.json\n")
    with pytest.raises(InputError) as error:
        Settings(read_config(str(baseline_dir / "costwarden.yaml")), group)
    assert error.value.problems[0].hint == "did you mean 'baseline'?"


def test_a_command_groups_commands_have_sections_too(repo):
    (repo / "costwarden.yaml").write_text("apiVersion: costwarden/v1\nkind: Config\nbaseline:\n  create:\n"
                                          "    plan: plan.json\n    output: baseline.json\n    as-of: 2026-01-01\n")
    result = run("baseline", "create")
    assert result.exit_code == 0, result.output
    assert (repo / "baseline.json").exists()  # relative to the config file, not to infra/
    shown = run("config", "baseline", "create")
    assert f"{repo / 'costwarden.yaml'}:6" in next(l for l in shown.stdout.splitlines() if l.strip().startswith("output"))
