"""Plan files that are not plan JSON: each gets a stable code, the file and place, what it is, and how to
make plan JSON; never a traceback. Real third-party files where they exist (the setup-terraform
wrapper output, a UTF-16 plan, a plan's own prior_state as a state file)."""

from __future__ import annotations

import io
import json
import sys
import zipfile

import pytest

from engine.errors import InputError
from engine.plans import load_plans
from tests.conftest import REALDATA, ROOT

INFRACOST = REALDATA / "infracost" / "terraform_v0.14_plan.json"
TERRAFORM_DATA = ROOT / "tests" / "data" / "plans" / "terraform-data" / "plan.json"


def problem_of(paths, **options):
    with pytest.raises(InputError) as raised:
        load_plans([str(path) for path in paths], **options)
    (problem,) = raised.value.problems
    assert "Traceback" not in raised.value.args[0]
    return problem


def test_setup_terraform_wrapper_output_is_named_and_the_fix_given():
    """infracost's real capture of `terraform show -json` through hashicorp/setup-terraform's wrapper."""
    path = REALDATA / "infracost" / "plan_with_terraform_wrapper.json"
    assert path.read_text().startswith("[command]/tmp/")
    problem = problem_of([path])
    assert (problem.code, problem.file, problem.line, problem.column) == ("E441", str(path), 1, 1)
    assert "setup-terraform wrapper" in problem.message and "the JSON starts on line 2" in problem.message
    assert "terraform_wrapper: false" in problem.hint


def test_wrapper_lines_after_the_json_are_recognised_too(write):
    text = INFRACOST.read_text() + "\n::debug::exitcode: 0\n::set-output name=exitcode::0\n"
    assert problem_of([write("plan.json", text)]).code == "E441"


def test_utf16_plan_from_powershell_is_e402_with_the_powershell_fix():
    """checkov's real UTF-16 plan (PowerShell's `>` redirection)."""
    path = REALDATA / "checkov" / "plan_with_utf_16_encoding" / "tfplan.json"
    problem = problem_of([path])
    assert (problem.code, problem.line, problem.column) == ("E402", 1, 1)
    assert "UTF-16" in problem.message and "Out-File -Encoding utf8" in problem.hint


def test_state_json_is_not_a_plan(write):
    """The prior_state of a real plan is exactly what `terraform show -json` prints for a state."""
    state = json.loads(INFRACOST.read_text())["prior_state"]
    assert "values" in state and "resource_changes" not in state
    problem = problem_of([write("state.json", json.dumps(state))])
    assert problem.code == "E440" and "terraform show -json without a plan file" in problem.message
    assert (problem.line, problem.column) == (1, 1)
    assert problem.hint.startswith("make plan JSON with: terraform plan -out=tfplan && terraform show -json tfplan")


def test_raw_tfstate_is_not_a_plan(write):
    tfstate = {"version": 4, "terraform_version": "1.9.0", "serial": 12, "lineage": "3f1c5b0e-0000",
               "outputs": {}, "resources": []}
    problem = problem_of([write("terraform.tfstate", json.dumps(tfstate))])
    assert problem.code == "E440" and "terraform.tfstate" in problem.message


@pytest.mark.parametrize("text", [
    "Terraform used the selected providers to generate the following execution\nplan.\n",
    "\n  # aws_instance.web will be created\n  + resource \"aws_instance\" \"web\" {\n",
    "No changes. Your infrastructure matches the configuration.\n",
    "\x1b[0m\x1b[1maws_instance.web: Refreshing state... [id=i-0abc]\x1b[0m\n",
    "# aws_instance.web:\nresource \"aws_instance\" \"web\" {\n    ami = \"ami-123\"\n}\n",
    "OpenTofu will perform the following actions:\n",
])
def test_text_output_of_plan_or_show_is_e442_with_the_json_flag_hint(write, text):
    problem = problem_of([write("plan.txt", text)])
    assert problem.code == "E442" and "text output" in problem.message
    assert problem.hint == "add -json: terraform show -json tfplan > plan.json"


def test_a_binary_plan_file_is_e443(write, tmp_path):
    binary = tmp_path / "tfplan"
    with zipfile.ZipFile(binary, "w") as archive:  # terraform plan -out writes a zip archive
        archive.writestr("tfplan", b"\x00\x01binary")
        archive.writestr("tfstate", "{}")
    problem = problem_of([binary])
    assert problem.code == "E443" and "binary plan file" in problem.message
    assert problem.hint == "convert it: terraform show -json tfplan > plan.json"


def test_a_newer_major_format_version_is_rejected_and_minor_ones_read(write):
    doc = json.loads(TERRAFORM_DATA.read_text())
    doc["format_version"] = "2.0"
    problem = problem_of([write("plan.json", json.dumps(doc))])
    assert problem.code == "E444" and "format_version 2.0 is not supported" in problem.message
    assert (problem.line, problem.column) == (1, 20)  # the value, in the minified file Terraform writes
    doc["format_version"] = "1.7"
    snapshot = load_plans([str(write("newer.json", json.dumps(doc)))])
    assert snapshot.resources and any("1.7 is newer than 1.2" in note for note in snapshot.notes)
    doc["format_version"] = 1.2
    assert problem_of([write("number.json", json.dumps(doc))]).code == "E444"


def test_invalid_json_points_at_the_place(write):
    text = INFRACOST.read_text()
    cut = text[: text.index('"resource_changes"') + 4000]
    problem = problem_of([write("truncated.json", cut)])
    assert problem.code == "E403" and problem.hint == "the file ends before the JSON does; is it truncated?"
    assert problem.line == cut.count("\n") + 1
    broken = text.replace('"instance_type": "t3.nano"', '"instance_type": t3.nano', 1)
    line = broken[: broken.index('"instance_type": t3.nano')].count("\n") + 1
    problem = problem_of([write("broken.json", broken)])
    assert (problem.code, problem.line) == ("E403", line) and problem.message.startswith("invalid JSON")


def test_invalid_utf8_is_e402_at_the_byte(write):
    data = INFRACOST.read_bytes().replace(b'"t3.nano"', b'"t3.\xffnano"', 1)
    line = data[: data.index(b"\xff")].count(b"\n") + 1
    problem = problem_of([write("latin.json", data)])
    assert (problem.code, problem.line) == ("E402", line) and "byte 0xff" in problem.message


def test_empty_and_whitespace_files(write):
    for text in ("", " \n\t\n"):
        problem = problem_of([write("empty.json", text)])
        assert problem.code == "E403" and problem.message == "the file is empty; expected the JSON of a Terraform plan"


def test_a_file_over_the_size_limit_is_e406_before_it_is_read(write):
    path = write("plan.json", INFRACOST.read_text())
    problem = problem_of([path], max_bytes=1000)
    assert problem.code == "E406" and "over the 1000 bytes limit for plan files" in problem.message
    assert "inventory" not in problem.message + problem.hint


def test_missing_file_and_directory_are_e401(tmp_path):
    assert problem_of([tmp_path / "nope.json"]).code == "E401"
    problem = problem_of([tmp_path])
    assert problem.code == "E401" and problem.message == "is a directory, not a plan file"


def test_other_json_documents_say_what_they_are(write):
    cases = {
        "array.json": ("[1, 2]", "the JSON is an array"),
        "inventory.json": ('{"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": []}',
                           "this is a costwarden Inventory"),
        "schemas.json": ('{"format_version": "1.0", "provider_schemas": {}}', "terraform providers schema -json"),
        "other.json": ('{"Resources": [], "Name": "x"}', "keys found: Name, Resources"),
    }
    for name, (text, expected) in cases.items():
        problem = problem_of([write(name, text)])
        assert problem.code == "E445" and expected in problem.message, (name, problem)


def test_the_machine_readable_log_of_plan_json_is_e446(write):
    log = "\n".join(json.dumps(line) for line in (
        {"@level": "info", "@message": "Terraform 1.9.0", "@module": "terraform.ui", "type": "version"},
        {"@level": "info", "@message": "aws_instance.web: Plan to create", "@module": "terraform.ui",
         "type": "planned_change"},
    ))
    problem = problem_of([write("plan.log", log)])
    assert problem.code == "E446" and "terraform plan -json" in problem.message
    assert problem_of([write("one.log", log.splitlines()[0])]).code == "E446"


def test_a_malformed_resource_change_is_e447_at_its_entry(write):
    doc = json.loads(INFRACOST.read_text())
    del doc["resource_changes"][3]["change"]["actions"]
    doc["resource_changes"][5]["mode"] = "manged"
    text = json.dumps(doc, indent=2)
    lines = text.splitlines()
    starts = [number for number, line in enumerate(lines, 1) if line == "    {"
              and number > next(n for n, l in enumerate(lines, 1) if l.startswith('  "resource_changes"'))]
    with pytest.raises(InputError) as raised:
        load_plans([str(write("plan.json", text))])
    problems = raised.value.problems
    assert [(p.code, p.pointer, p.line, p.column) for p in problems] == [
        ("E447", "/resource_changes/3/change/actions", starts[3], 5),
        ("E447", "/resource_changes/5/mode", starts[5], 5),
    ]
    assert "'mode' must be 'managed' or 'data', got 'manged'" in problems[1].message


def test_every_file_is_read_and_all_problems_are_raised_together(write):
    with pytest.raises(InputError) as raised:
        load_plans([str(write("a.txt", "No changes.\n")), str(INFRACOST), str(write("b.json", "[]"))])
    assert [p.code for p in raised.value.problems] == ["E442", "E445"]


class Stdin(io.TextIOWrapper):
    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data), encoding="utf-8")


def test_standard_input_is_read_as_a_file_under_the_same_limit(monkeypatch):
    monkeypatch.setattr(sys, "stdin", Stdin(INFRACOST.read_bytes()))
    from_stdin = load_plans(["-"])
    from_file = load_plans([str(INFRACOST)])
    assert [r["id"] for r in from_stdin.resources] == [r["id"] for r in from_file.resources]
    assert from_stdin.resources[0]["change"]["plan_location"] == {**from_file.resources[0]["change"]["plan_location"],
                                                                  "file": "<stdin>"}
    monkeypatch.setattr(sys, "stdin", Stdin(INFRACOST.read_bytes()))
    with pytest.raises(InputError) as raised:
        load_plans(["-"], max_bytes=1000)
    assert raised.value.problems[0].code == "E406" and raised.value.problems[0].file == "<stdin>"
    monkeypatch.setattr(sys, "stdin", Stdin(b""))
    with pytest.raises(InputError) as raised:
        load_plans(["-"])
    assert raised.value.problems[0].message == "standard input is empty; expected the JSON of a Terraform plan"
    with pytest.raises(InputError) as raised:
        load_plans(["-", "-"])
    assert raised.value.problems[0].code == "E401"


def test_a_plan_with_no_changes_has_no_resource_changes_key_and_is_read(write):
    """Terraform leaves resource_changes out when nothing changes (checkov's plan_multiple_providers shape)."""
    doc = {"format_version": "1.2", "terraform_version": "1.10.5", "planned_values": {"root_module": {}},
           "configuration": {"root_module": {}}, "applyable": False, "complete": True, "errored": False}
    snapshot = load_plans([str(write("plan.json", json.dumps(doc)))])
    assert snapshot.resources == [] and snapshot.counts == {} and snapshot.warnings == []


def test_an_errored_plan_and_a_missing_format_version_are_warned_about(write):
    doc = json.loads(TERRAFORM_DATA.read_text())
    doc["errored"] = True
    del doc["format_version"]
    snapshot = load_plans([str(write("plan.json", json.dumps(doc)))])
    assert len(snapshot.warnings) == 2 and "errored" in snapshot.warnings[1] and "no format_version" in snapshot.warnings[0]


def test_unknown_scope_and_missing_source_dir(tmp_path):
    with pytest.raises(ValueError, match="unknown plan scope 'change'; scopes: changes, all; did you mean 'changes'"):
        load_plans([str(INFRACOST)], scope="change")
    problem = problem_of([INFRACOST], source_dir=str(tmp_path / "nope"))
    assert problem.code == "E448" and problem.file == str(tmp_path / "nope")


def test_nesting_too_deep_is_e407_not_a_crash(write):
    for text in ('{"resource_changes": ' + "[" * 100_000 + "]" * 100_000 + "}",
                 '{"planned_values": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}"):
        problem = problem_of([write("deep.json", text)])
        assert problem.code == "E407" and problem.message == "JSON nests too deeply to read"
