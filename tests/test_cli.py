"""The command line as a user meets it: output, exit codes, messages — never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from engine.cli import main
from engine.documents.schemas import load_schema
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
CHECK = ["check", "--inventory", str(EXAMPLES / "inventory.json"), "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", "2026-11-27"]

POLICY = """\
apiVersion: costwarden/v1
kind: Policy
id: big-instances
title: Big instances
type: condition
severity: {severity}
enforcement: {enforcement}
spec:
  fail_if: {{path: properties.cpus, op: gt, value: 4}}
"""

INVENTORY = {
    "apiVersion": "costwarden/v1",
    "kind": "Inventory",
    "resources": [
        {"id": "i-1", "type": "AWS::EC2::Instance", "provider": "aws", "account": "111111111111", "tags": {"team": "payments"}, "properties": {"cpus": 8}},
        {"id": "i-2", "type": "AWS::EC2::Instance", "provider": "aws", "tags": {}, "properties": {"cpus": 2}},
    ],
}


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def setup(write):
    def _setup(severity="high", enforcement="enforce", inventory=INVENTORY):
        policy = write("p/policy.yaml", POLICY.format(severity=severity, enforcement=enforcement))
        inv = write("inv.json", json.dumps(inventory))
        return str(policy), str(inv)

    return _setup


def test_check_on_the_bundled_examples_groups_findings_by_owner():
    result = invoke(*CHECK)
    assert result.exit_code == 1, result.output
    assert "Summary by owner:" in result.output
    for team in ("payments", "search", "data-platform"):
        assert f"\n{team}" in result.output


def test_json_output_validates_against_the_findings_schema_and_is_deterministic(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke(*CHECK, "--output", str(first)).exit_code == 1
    assert invoke(*CHECK, "--format", "json", "--output", str(second)).exit_code == 1
    assert first.read_bytes() == second.read_bytes()
    document = json.loads(first.read_text())
    errors = list(Draft202012Validator(load_schema("findings.schema.json")).iter_errors(document))
    assert not errors, errors[0].message
    assert document["findings"] and all(f["owner"] and f["owner_source"] for f in document["findings"])
    assert document["summary"]["by_owner"]


@pytest.mark.parametrize(
    "severity, enforcement, fail_on, code",
    [
        ("high", "enforce", "info", 1),
        ("high", "enforce", "high", 1),
        ("high", "enforce", "critical", 0),
        ("high", "audit", "info", 0),
    ],
)
def test_exit_codes(setup, severity, enforcement, fail_on, code):
    policy, inventory = setup(severity, enforcement)
    result = invoke("check", "--policies", policy, "--inventory", inventory, "--fail-on", fail_on, "--as-of", "2026-01-01")
    assert result.exit_code == code, result.output
    assert "i-1" in result.output and "i-2" not in result.output.split("Summary")[0]


def test_type_mismatch_exits_2_naming_policy_resource_and_path(setup):
    inventory = {"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": [{"id": "i-9", "type": "AWS::EC2::Instance", "provider": "aws", "properties": {"cpus": "8"}}]}
    policy, inv = setup(inventory=inventory)
    result = invoke("check", "--policies", policy, "--inventory", inv, "--as-of", "2026-01-01")
    assert result.exit_code == 2
    assert "E501 policy big-instances, resource i-9" in result.output
    assert "path 'properties.cpus': 'gt' needs a number like 4, got string '8'" in result.output
    assert "Traceback" not in result.output


def test_invalid_policy_exits_2_with_every_problem(write, setup):
    _, inventory = setup()
    bad = write("bad.yaml", "apiVersion: costwarden/v1\nkind: Policy\nid: x\ntitle: t\ntype: tagging\nseverity: hgh\nspec: {keys: []}\n")
    result = invoke("check", "--policies", str(bad), "--inventory", inventory)
    assert result.exit_code == 2
    assert f"{bad}:6:11: E204 'hgh'" in result.output
    assert "E207" in result.output  # keys: [] is too short
    assert "nothing was evaluated" in result.output


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"{\"resources\": [", "E403"),
        (b"\xff\xfe{}", "E402"),
        (b"[" * 5000 + b"]" * 5000, "E407"),
        (b"{\"apiVersion\": \"costwarden/v1\", \"kind\": \"Inventory\", \"resources\": [{\"type\": \"x\"}]}", "E405"),
        (b"{\"something\": 1}", "E404"),
    ],
)
def test_malformed_inventories_exit_2_naming_the_file(setup, write, content, fragment):
    policy, _ = setup()
    bad = write("bad.json", content)
    result = invoke("check", "--policies", policy, "--inventory", str(bad))
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and fragment in result.output
    assert "Traceback" not in result.output


def test_missing_inventory_file(setup):
    policy, _ = setup()
    result = invoke("check", "--policies", policy, "--inventory", "/nonexistent.json")
    assert result.exit_code == 2 and "/nonexistent.json" in result.output and "E401" in result.output


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["check"], "give at least one snapshot"),
        (["check", "--inventory", "x.json", "--format", "jsn"], "did you mean 'json'"),
        (["check", "--inventory", "x.json", "--as-of", "tomorrow"], "is not a date"),
        (["check", "--inventory", "x.json", "--fail-on", "urgent"], "urgent"),
    ],
)
def test_usage_errors_exit_2(args, fragment):
    result = invoke(*args)
    assert result.exit_code == 2 and fragment in result.output


def test_policy_selection_by_id_and_label(setup):
    policy, inventory = setup()
    assert invoke("check", "--policies", policy, "--inventory", inventory, "--policy", "big-instances").exit_code == 1
    result = invoke("check", "--policies", policy, "--inventory", inventory, "--policy", "big-instance")
    assert result.exit_code == 2 and "did you mean 'big-instances'" in result.output
    assert invoke("check", "--policies", policy, "--inventory", inventory, "--label", "nothing").exit_code == 2


def test_output_is_written_atomically_and_not_at_all_on_input_errors(setup, tmp_path, write):
    policy, inventory = setup()
    out = tmp_path / "findings.json"
    bad = write("bad.json", b"{")
    assert invoke("check", "--policies", policy, "--inventory", str(bad), "--output", str(out)).exit_code == 2
    assert not out.exists()
    assert invoke("check", "--policies", policy, "--inventory", inventory, "--output", str(out)).exit_code == 1
    assert json.loads(out.read_text())["summary"]["findings"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".costwarden-")] == []


def test_terminal_escapes_from_snapshots_are_neutralised(setup):
    inventory = {"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": [{"id": "i-1", "name": "\x1b[31mevil\x1b[0m", "type": "AWS::EC2::Instance", "provider": "aws", "properties": {"cpus": 8}}]}
    policy, inv = setup(inventory=inventory)
    result = invoke("check", "--policies", policy, "--inventory", inv)
    assert "\x1b" not in result.output and "\\x1b[31mevil" in result.output


def test_validate_builtin_library():
    result = invoke("validate", str(ROOT / "policies"))
    assert result.exit_code == 0 and result.output.startswith("ok:")


def test_validate_reports_all_problems_and_exits_2(write):
    one = write("d/one.yaml", "a: 1\na: 2\n")
    two = write("d/two.yaml", "apiVersion: costwarden/v1\nkind: Policy\n")
    result = invoke("validate", str(one.parent))
    assert result.exit_code == 2
    assert f"{one}:2:1: E102 duplicate key 'a'" in result.output
    assert f"{two}:1:1: E202 missing required key 'id'" in result.output


def test_test_command_passes_on_builtin_policies():
    result = invoke("test", str(ROOT / "policies"))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_test_command_shows_a_diff_and_exits_1(write):
    write("t/policy.yaml", POLICY.format(severity="low", enforcement="enforce"))
    write(
        "t/policy.test.yaml",
        """\
apiVersion: costwarden/v1
kind: PolicyTest
name: big
inventory:
  resources:
    - {id: i-1, type: AWS::EC2::Instance, provider: aws, properties: {cpus: 8}}
cases:
  - {policy: big-instances, resource: i-1, expect: pass}
  - {policy: big-instances, resource: i-1, expect: fail, owner: payments}
""",
    )
    result = invoke("test", str(ROOT / "nonexistent-dir-for-test"))
    assert result.exit_code == 2
    result = invoke("test", str(write("t/x.yaml", "").parent))
    assert result.exit_code == 1
    assert "expected: pass" in result.output and "actual:   fail" in result.output
    assert "owner: expected 'payments', got 'unassigned'" in result.output
    assert result.output.strip().endswith("0 passed, 2 failed")


def test_test_command_unknown_policy_and_resource_exit_2(write):
    write("t/policy.yaml", POLICY.format(severity="low", enforcement="enforce"))
    path = write(
        "t/policy.test.yaml",
        "apiVersion: costwarden/v1\nkind: PolicyTest\nname: big\ninventory: {resources: [{id: i-1, type: x, provider: aws}]}\n"
        "cases:\n  - {policy: big-instance, resource: i-2, expect: pass}\n",
    )
    result = invoke("test", str(path.parent))
    assert result.exit_code == 2
    assert "E306 unknown policy 'big-instance'" in result.output and "did you mean 'big-instances'" in result.output
    assert "E321 no resource 'i-2' in the fixtures" in result.output


def test_schema_command():
    assert "policy.schema.json" in invoke("schema").output
    assert json.loads(invoke("schema", "policy").output)["title"] == "costwarden Policy"
    assert "did you mean 'policy'" in invoke("schema", "polcy").output


def test_help_documents_exit_codes():
    assert "2  usage error" in invoke("check", "--help").output


def test_jmespath_function_error_is_an_evaluation_error(write, setup):
    _, inventory = setup()
    policy = write(
        "fn.yaml",
        "apiVersion: costwarden/v1\nkind: Policy\nid: fn\ntitle: t\ntype: condition\nseverity: low\n"
        "spec:\n  fail_if: {path: 'length(keys(properties.labels))', op: gt, value: 0}\n",
    )
    result = invoke("check", "--policies", str(policy), "--inventory", inventory)
    assert result.exit_code == 2
    assert "E501 policy fn, resource i-1" in result.output and "keys()" in result.output


def test_known_team_without_a_directory_is_skipped_not_a_flood_of_findings(setup):
    """Like a cost policy without --costs: the built-in library runs without --ownership."""
    _, inventory = setup()
    result = invoke("check", "--policy", "owner-team-known", "--inventory", inventory)
    assert result.exit_code == 0
    assert "skipped 1 policy (needs a team directory (--ownership) for known_team): owner-team-known" in result.output
    result = invoke("check", "--policy", "owner-team-known", "--inventory", inventory, "--format", "json")
    summary = json.loads(result.output)["summary"]
    assert summary["policies_skipped"] == [{"policy": "owner-team-known", "reason": "needs a team directory (--ownership) for known_team"}]
    assert summary["findings"] == 0 and summary["policies_evaluated"] == 0


def test_ownership_documents_among_policies_are_not_used_by_check(setup):
    _, inventory = setup()
    result = invoke("check", "--policy", "required-allocation-tags", "--inventory", inventory, "--format", "json")
    owners = {f["owner"] for f in json.loads(result.output)["findings"]}
    assert owners == {"unassigned"}


COSTS = ["--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"), "--budgets", str(EXAMPLES / "budgets.yaml")]


def test_check_with_costs_adds_dollars_budgets_coverage_and_commitments(tmp_path):
    result = invoke(*CHECK, *COSTS)
    assert result.exit_code == 1, result.output
    assert "445 cost rows" in result.output
    for fragment in ("monthly cost", "team-monthly-budget", "overspend", "allocation-tag-coverage", "unallocated", "unused commitment"):
        assert fragment in result.output, fragment
    output = tmp_path / "findings.json"
    assert invoke(*CHECK, *COSTS, "--output", str(output)).exit_code == 1
    again = tmp_path / "again.json"
    invoke(*CHECK, *COSTS, "--output", str(again))
    assert output.read_bytes() == again.read_bytes()
    document = json.loads(output.read_text())
    errors = list(Draft202012Validator(load_schema("findings.schema.json")).iter_errors(document))
    assert not errors, errors[0].message
    scoped = [f for f in document["findings"] if f["scope"]]
    assert {f["policy"] for f in scoped} >= {"team-monthly-budget", "allocation-tag-coverage", "commitment-utilization"}
    assert all(f["resource"] is None and f["scope"]["currency"] in ("USD", "EUR") for f in scoped)
    priced = [f for f in document["findings"] if f["money"]["monthly_cost"]]
    assert priced and all(f["resource"] for f in priced)


def test_costs_without_inventory_skip_the_inventory_policies():
    result = invoke("check", *COSTS, "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", "2026-11-27")
    assert result.exit_code == 1
    assert "skipped" in result.output and "needs an inventory snapshot (--inventory)" in result.output


def test_budget_policy_without_budgets_is_skipped_not_failed():
    result = invoke(*CHECK, "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"), "--policy", "team-monthly-budget")
    assert result.exit_code == 0, result.output
    assert "no Budgets document 'team-monthly'" in result.output


def test_a_broken_cost_file_exits_2_naming_file_line_and_column_and_writes_nothing(write, tmp_path):
    lines = (EXAMPLES / "costs" / "focus-2026-11.csv").read_text().splitlines()
    cells = lines[5].split(",")
    cells[13] = "12,50"  # a decimal comma: the row gets one field too many
    lines[5] = ",".join(cells)
    broken = write("broken.csv", "\n".join(lines) + "\n")
    output = tmp_path / "out.json"
    result = invoke(*CHECK, "--costs", str(broken), "--output", str(output))
    assert result.exit_code == 2
    assert f"{broken}:6: E412" in result.output and "Traceback" not in result.output
    assert not output.exists()


def test_budgets_option_needs_a_budgets_document():
    result = invoke(*CHECK, "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"), "--budgets", str(EXAMPLES / "ownership.yaml"))
    assert result.exit_code == 2 and "E319 no Budgets document found" in result.output


def test_json_output_file_holds_the_same_bytes_as_stdout(setup, tmp_path):
    policy, inventory = setup(inventory={"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": [
        {"id": "i-1", "name": "caf\u00e9 \u2603", "type": "AWS::EC2::Instance", "provider": "aws", "properties": {"cpus": 8}}]})
    out = tmp_path / "findings.json"
    args = ("check", "--policies", policy, "--inventory", inventory, "--as-of", "2026-11-27", "--format", "json")
    assert invoke(*args, "--output", str(out)).exit_code == 1
    printed = invoke(*args)
    assert out.read_bytes() == printed.stdout_bytes
    assert "caf\u00e9 \u2603" in out.read_text(encoding="utf-8")


def test_write_atomic_writes_str_as_utf8_and_bytes_as_they_are(tmp_path):
    from engine.outputs.atomic import write_atomic

    target = tmp_path / "out.txt"
    write_atomic(str(target), "caf\u00e9\r\n")
    assert target.read_bytes() == "caf\u00e9\r\n".encode("utf-8")
    write_atomic(str(target), b"\x00bytes\r\n")
    assert target.read_bytes() == b"\x00bytes\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# --- validate checks what test needs; test on single files ---------------------------------------

POLICY_TEST = """\
apiVersion: costwarden/v1
kind: PolicyTest
name: {name}
inventory:
  resources:
    - {{id: i-1, type: AWS::EC2::Instance, provider: aws, properties: {{cpus: 8}}}}
cases:
  - {{policy: {policy}, resource: {resource}, expect: fail}}
"""


def test_validate_reports_unknown_policies_and_resources_of_policy_tests(write):
    write("t/policy.yaml", POLICY.format(severity="low", enforcement="enforce"))
    path = write("t/policy.test.yaml", POLICY_TEST.format(name="big", policy="big-instance", resource="i-2"))
    for command in ("validate", "test"):
        result = invoke(command, str(path.parent))
        assert result.exit_code == 2, (command, result.output)
        assert f"{path}:8:14: E306 unknown policy 'big-instance' (at /cases/0/policy); did you mean 'big-instances'?" in result.output
        assert f"{path}:8:38: E321 no resource 'i-2' in the fixtures (at /cases/0/resource); did you mean 'i-1'?" in result.output


def test_validate_and_test_report_missing_fixture_files_at_the_test_files_line(write):
    write("t/policy.yaml", POLICY.format(severity="low", enforcement="enforce"))
    write("t/present.json", json.dumps(INVENTORY))
    path = write(
        "t/policy.test.yaml",
        """\
apiVersion: costwarden/v1
kind: PolicyTest
name: big
ownership: ../nowhere/ownership.yaml
inventory:
  files: [present.json, missing.json]
costs: {files: [focus.csv]}
metrics:
  files:
    - metrics.csv
prices: [prices.csv]
cases:
  - {policy: big-instances, resource: i-1, expect: fail}
""",
    )
    folder = path.parent
    for command in ("validate", "test"):
        result = invoke(command, str(folder))
        assert result.exit_code == 2, (command, result.output)
        for where, name, pointer in [
            ("4:12", "../nowhere/ownership.yaml", "/ownership"),
            ("6:25", "missing.json", "/inventory/files/1"),
            ("7:17", "focus.csv", "/costs/files/0"),
            ("10:7", "metrics.csv", "/metrics/files/0"),
            ("11:10", "prices.csv", "/prices/0"),
        ]:
            assert f"{path}:{where}: E401 fixture file '{name}' not found ({folder / name}) (at {pointer})" in result.output, result.output
        assert "E321" not in result.output  # the resources of a missing file are not known: no guesses
        assert "Traceback" not in result.output


def test_test_and_validate_of_a_single_test_file_use_the_policies_of_its_folder(write):
    write("t/policy.yaml", POLICY.format(severity="low", enforcement="enforce"))
    one = write("t/one.test.yaml", POLICY_TEST.format(name="one", policy="big-instances", resource="i-1"))
    write("t/two.test.yaml", POLICY_TEST.format(name="two", policy="big-instances", resource="i-1"))
    result = invoke("test", str(one), "-v")
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "one: big-instances" in result.output and "two:" not in result.output
    assert result.output.strip().endswith("1 passed, 0 failed")
    result = invoke("test", str(one), str(one.parent))  # a file and its folder: every test once
    assert result.exit_code == 0 and result.output.strip().endswith("2 passed, 0 failed"), result.output
    assert invoke("validate", str(one)).exit_code == 0


def test_test_of_a_single_test_file_still_reports_an_unknown_policy(write):
    write("t/policy.yaml", POLICY.format(severity="low", enforcement="enforce"))
    path = write("t/one.test.yaml", POLICY_TEST.format(name="one", policy="other", resource="i-1"))
    result = invoke("test", str(path))
    assert result.exit_code == 2
    assert f"{path}:8:14: E306 unknown policy 'other' (at /cases/0/policy); policies in {path.parent}: big-instances" in result.output


def test_validate_of_a_policy_file_does_not_load_its_folder(write):
    policy = write("t/policy.yaml", POLICY.format(severity="low", enforcement="enforce"))
    write("t/broken.yaml", "a: [")
    result = invoke("validate", str(policy))
    assert result.exit_code == 0 and result.output.startswith("ok: 1 files, 1 policy"), result.output


# --- a closed standard output (costwarden ... | head -1) -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["schema"],
        ["schema", "policy"],
        ["--help"],
        ["--version"],
        ["check", "--help"],
        ["validate", str(ROOT / "policies")],
        ["test", str(ROOT / "policies" / "tagging")],
        [*CHECK, "--format", "json"],
    ],
    ids=lambda args: " ".join(a if len(a) < 20 else "..." for a in args[:3]),
)
def test_a_closed_standard_output_ends_the_command_quietly(args, tmp_path):
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write, as `| head -1` is after the first line
    try:
        done = subprocess.run([sys.executable, "-m", "engine", *args], stdout=write, stderr=subprocess.PIPE, cwd=tmp_path, timeout=120)
    finally:
        os.close(write)
    assert done.stderr.decode() == ""
    assert done.returncode == 141  # 128 + SIGPIPE, as a tool killed by the closed pipe


BUFFERING = {"buffered": {}, "unbuffered": {"PYTHONUNBUFFERED": "1"}}  # both: a partial write to a pipe is lost unbuffered


def costwarden(args, cwd, buffering, **popen):
    """``python -m engine ARGS`` as a process, with standard output buffered or not (PYTHONUNBUFFERED)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | BUFFERING[buffering]
    return subprocess.Popen([sys.executable, "-m", "engine", *args], cwd=cwd, env=env, **popen)


@pytest.fixture
def big_inventory(tmp_path):
    """The example inventory 300 times over: its report (~3 MB) is far more than a pipe holds."""
    inventory = json.loads((EXAMPLES / "inventory.json").read_text())
    inventory["resources"] = [{**r, "id": f"{r['id']}-{n}"} for n in range(300) for r in inventory["resources"]]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(inventory))
    return path


@pytest.mark.parametrize("buffering", BUFFERING)
@pytest.mark.parametrize(
    "extra",
    [[], ["--fail-on", "critical"], ["--format", "json"], ["--output", "/dev/stdout"], ["--output", "/dev/stdout", "--format", "text"]],
    ids=["text", "text, no failing finding", "json", "--output /dev/stdout", "--output /dev/stdout text"],
)
def test_a_pipe_closed_after_the_first_line_ends_the_check_quietly(big_inventory, tmp_path, extra, buffering):
    import subprocess

    args = ["check", "--inventory", str(big_inventory), "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", "2026-11-27", *extra]
    process = costwarden(args, tmp_path, buffering, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline()  # as `| head -1` does: one line, then the reader is gone
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141, stderr  # whatever the findings: the exit code of a closed pipe
    assert stderr.decode() == ""


@pytest.mark.parametrize("buffering", BUFFERING)
@pytest.mark.parametrize(
    "args",
    [
        [*CHECK],
        [*CHECK, "--format", "json"],
        [*CHECK, "--fail-on", "critical"],
        ["schema", "policy"],
        ["validate", str(ROOT / "policies")],
        ["--help"],
        ["check", "--help"],
    ],
    ids=lambda args: " ".join(a if len(a) < 20 else "..." for a in args[:3]),
)
def test_a_full_disk_on_standard_output_is_reported_as_such(args, tmp_path, buffering):
    import os
    import subprocess

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system: no device that fails every write with ENOSPC")
    with open("/dev/full", "wb") as full:
        process = costwarden(args, tmp_path, buffering, stdout=full, stderr=subprocess.PIPE)
        stderr = process.communicate(timeout=120)[1].decode()
    assert stderr == "costwarden: cannot write to standard output: No space left on device\n"
    assert process.returncode == 2


@pytest.mark.parametrize("extra", [[], ["--format", "text"], ["--format", "json"]])
def test_an_empty_output_path_is_a_usage_error(extra):
    result = invoke(*CHECK, "--output", "", *extra)
    assert result.exit_code == 2
    assert "Error: --output needs a file path" in result.output
    assert "Summary by owner" not in result.output  # nothing was written to standard output instead


def test_schema_listing_names_every_schema_that_write_writes(tmp_path):
    result = invoke("schema", "--write", str(tmp_path / "out"))
    assert result.exit_code == 0
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    listed = invoke("schema").output.split()
    assert listed == written
    assert "tag-match.schema.json" in listed and result.output == f"wrote {len(written)} schemas to {tmp_path / 'out'}\n"


def test_a_usage_error_with_both_streams_closed_ends_as_a_closed_pipe(tmp_path):
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "engine", "schema", "polcy"], stdout=write, stderr=write, cwd=tmp_path, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 141
    usage = subprocess.run([sys.executable, "-m", "engine", "schema", "polcy"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert usage.returncode == 2 and "Error: no schema 'polcy' (did you mean 'policy'?)" in usage.stderr


@pytest.mark.parametrize(
    "content, found",
    [
        (POLICY.format(severity="low", enforcement="enforce") + "---\n" + POLICY.format(severity="low", enforcement="enforce").replace("big-instances", "other"),
         "found 2 Policy documents and no Ownership document"),
        ("apiVersion: costwarden/v1\nkind: Ownership\nteams: {}\nresolution: []\n---\napiVersion: costwarden/v1\nkind: Ownership\nteams: {}\nresolution: []\n",
         "found 2 Ownership documents"),
        ("apiVersion: costwarden/v1\nkind: Ownership\nteams: {}\nresolution: []\n---\n" + POLICY.format(severity="low", enforcement="enforce"),
         "found 1 Ownership document and 1 Policy document"),
        ("[1, 2]\n---\n" + POLICY.format(severity="low", enforcement="enforce"), "found 1 document without a kind, 1 Policy document and no Ownership document"),
        ("# nothing but a comment\n", "found no document"),
    ],
)
def test_ownership_option_says_what_the_file_holds_instead(setup, write, content, found):
    policy, inventory = setup()
    path = write("own.yaml", content)
    result = invoke("check", "--policies", policy, "--inventory", inventory, "--ownership", str(path))
    assert result.exit_code == 2
    assert f"{path}: E319 expected one Ownership document, {found}\n" in result.output


def test_as_of_is_normalized_to_utc_so_one_instant_gives_one_output(setup):
    policy, inventory = setup()
    outputs = []
    for as_of in ("2026-01-01T12:00:00+02:00", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00+00:00", "2026-01-01T05:00:00-05:00",
                  "2026-01-01T10:00:00"):
        result = invoke("check", "--policies", policy, "--inventory", inventory, "--as-of", as_of, "--format", "json")
        assert result.exit_code == 1, result.output
        assert json.loads(result.stdout)["as_of"] == "2026-01-01T10:00:00Z"
        outputs.append(result.stdout_bytes)
    assert len(set(outputs)) == 1


def test_as_of_datetime_is_utc():
    from datetime import datetime, timezone

    from engine.evaluator import as_of_datetime

    when = as_of_datetime("2026-01-01T12:00:00+02:00")
    assert when == datetime(2026, 1, 1, 10, tzinfo=timezone.utc) and when.tzinfo is timezone.utc
    assert as_of_datetime(datetime(2026, 1, 1, 1, tzinfo=timezone.utc).astimezone()).tzinfo is timezone.utc
    assert as_of_datetime("2026-01-01") == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_text_output_is_whole_off_a_terminal_and_shortened_on_one(write):
    """A CI log or a pipe gets every resource id and message whole; a terminal gets them shortened."""
    from engine import api

    long_id = "arn:aws:ec2:us-east-1:111111111111:instance/" + "i-" + "0" * 80 + "tail"
    inventory = write("inv.json", json.dumps([{"id": long_id, "type": "AWS::EC2::Instance", "tags": {}}]))
    result = invoke("check", "--policy", "required-allocation-tags", "--inventory", str(inventory), "--as-of", "2026-11-27")
    assert result.exit_code == 1 and long_id in result.output  # CliRunner's stdout is not a terminal
    library = api.load_policies(None).select(("required-allocation-tags",), ())
    evaluated = api.evaluate(library, api.load_inventory([str(inventory)]).resources, as_of="2026-11-27")
    shortened = api.render(evaluated, "text")
    assert long_id not in shortened and "…" in shortened and long_id[-20:] in shortened
    assert long_id in api.render(evaluated, "text", shorten=False)
