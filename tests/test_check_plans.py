"""`costwarden check --plan`: every real plan of tests/data through the CLI, findings worked out from the
plan JSON by an independent reading; unknown values (not judged, in the notes), locations (plan entry,
.tf block), plans with inventories, standard input, usage errors.

The independent reading (:func:`expected_findings`) implements two built-in policies from their YAML
and the plan format's documentation, nothing from engine/: `allowed-instance-sizes` (a machine whose
known size is not in the list) and `required-allocation-tags` (team, cost-center, environment,
matched normalized, on instances, volumes, buckets, databases, load balancers and clusters; AWS
reads tags_all else tags, Azure tags, Google effective_labels else terraform_labels else labels; an
unknown tag map is not judged).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import PLAN_SCOPES, main
from engine.inventory.jsonpos import locate_paths
from engine.inventory.reading import line_and_column
from engine.judging import field_chains
from engine.plans import SCOPES, load_plans
from tests.conftest import REALDATA, ROOT

PLANS = {
    "infracost-0.14": REALDATA / "infracost" / "terraform_v0.14_plan.json",
    "infracost-default-tags": REALDATA / "infracost" / "breakdown_with_policy_data_upload_plan_json" / "plan.json",
    "azure-modules": REALDATA / "terraform-compliance" / "test_issue-294" / "plan.out.json",
    "lambda": REALDATA / "terraform-compliance" / "test_issue_522" / "plan.out.json",
    "sensitive-modules": REALDATA / "terraform-compliance" / "test_non_created_module_resource_parameter" / "plan.out.json",
    "gcp": REALDATA / "checkov" / "plan_booleans" / "tfplan.json",
    "asg": REALDATA / "checkov" / "plan_tags_variety" / "tfplan.json",
    "newest": REALDATA / "checkov" / "plan_provisioners" / "tfplan.json",
    "terragoat": REALDATA / "checkov" / "plan_tags" / "tfplan.json",
    "replaced": REALDATA / "checkov" / "plan_with_deleted_resources" / "tfplan.json",
    "terraform-data": ROOT / "tests" / "data" / "plans" / "terraform-data" / "plan.json",
}
TERRAFORM_DATA = PLANS["terraform-data"]
AS_OF = "2026-01-01"

EVALUATED_ACTIONS = (["create"], ["update"], ["delete", "create"], ["create", "delete"])
SELECTED_FOR_TAGS = {  # the classes required-allocation-tags selects, for the types these plans hold
    "aws_instance", "azurerm_virtual_machine", "google_compute_instance",  # compute.instance
    "aws_ebs_volume", "aws_s3_bucket", "aws_db_instance", "aws_elb", "aws_eks_cluster",
}
SIZE_ATTRIBUTE = {"aws_instance": "instance_type", "azurerm_virtual_machine": "vm_size", "google_compute_instance": "machine_type"}
REQUIRED = ("team", "cost-center", "environment")


def run(*args, input=None):
    return CliRunner().invoke(main, [str(arg) for arg in args], input=input)


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # locations are written relative to the working directory


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def allowed_sizes() -> set[str]:
    policy = yaml.safe_load((ROOT / "policies" / "rightsizing" / "allowed-instance-sizes.yaml").read_text())
    return set(policy["parameters"]["allowed_sizes"]["default"])


def provider_of(entry: dict) -> str:
    name = entry.get("provider_name", "")
    return "aws" if name.endswith("/aws") or name == "aws" else "azure" if "azurerm" in name else \
        "gcp" if "google" in name else "other"


def effective_tags(entry: dict):
    """The tag map a plan says the resource will carry, or None when it is unknown as a whole."""
    after, unknown = entry["change"]["after"] or {}, entry["change"].get("after_unknown") or {}
    provider = provider_of(entry)
    order = {"aws": ["tags_all", "tags"], "azure": ["tags"], "gcp": ["effective_labels", "terraform_labels", "labels"]}.get(provider, [])
    for attribute in order:
        if isinstance(after.get(attribute), dict):
            return after[attribute]
        if unknown.get(attribute) is True:
            return None
    return {}


def expected_findings(plan: Path) -> set[tuple[str, str]]:
    doc = json.loads(plan.read_text(encoding="utf-8"))
    sizes = allowed_sizes()
    out = set()
    for entry in doc["resource_changes"]:
        if entry["change"]["actions"] not in EVALUATED_ACTIONS or entry["mode"] != "managed":
            continue
        after = entry["change"]["after"] or {}
        size = after.get(SIZE_ATTRIBUTE.get(entry["type"], "-"))
        if isinstance(size, str) and size.rsplit("/", 1)[-1] not in sizes:
            out.add(("allowed-instance-sizes", entry["address"]))
        if entry["type"] in SELECTED_FOR_TAGS:
            tags = effective_tags(entry)
            if tags is None:
                continue  # an open tag map: not judged
            present = {key.strip().lower().replace("_", "-") for key, value in tags.items()
                       if value is True or (isinstance(value, str) and value.strip())}
            if not set(REQUIRED) <= present:
                out.add(("required-allocation-tags", entry["address"]))
    return out


def entry_positions(plan: Path) -> dict[str, tuple[int, int]]:
    """address -> (line, column) where its resource_changes entry starts, by the other JSON tokenizer."""
    data = plan.read_bytes()
    entries = json.loads(data)["resource_changes"]
    offsets = locate_paths(data, [("resource_changes", number) for number in range(len(entries))])
    return {entry["address"]: line_and_column(data, offsets[("resource_changes", number)]) for number, entry in enumerate(entries)}


@pytest.mark.parametrize("name", PLANS)
def test_every_real_plan_through_the_cli(name):
    plan = PLANS[name]
    result = run("check", "--plan", relative(plan), "--as-of", AS_OF, "--format", "json")
    document = json.loads(result.stdout)
    findings = document["findings"]
    expected = expected_findings(plan)
    assert result.exit_code == (1 if any(policy == "required-allocation-tags" for policy, _ in expected) else 0), result.output
    entries = json.loads(plan.read_text(encoding="utf-8"))["resource_changes"]
    in_scope = [entry["address"] for entry in entries if entry["change"]["actions"] in EVALUATED_ACTIONS]
    assert document["summary"]["resources_evaluated"] == len(in_scope)
    judged = {(f["policy"], f["resource"]["id"]) for f in findings
              if f["policy"] in ("allowed-instance-sizes", "required-allocation-tags")}
    assert judged == expected
    positions = entry_positions(plan)
    for finding in findings:
        address = finding["resource"]["id"]
        assert address in in_scope
        line, column = positions[address]
        assert finding["location"] == {"file": relative(plan), "line": line, "column": column}
        entry = next(entry for entry in entries if entry["address"] == address)
        assert finding["evidence"]["change"]["address"] == address
        assert finding["evidence"]["change"]["action"] in ("create", "update", "replace")
        assert finding["evidence"]["change"]["module_address"] == entry.get("module_address")


def test_the_infracost_plan_instances_with_an_unknown_tag_map_are_not_judged_but_listed():
    plan = PLANS["infracost-0.14"]
    result = run("check", "--plan", relative(plan), "--as-of", AS_OF, "--format", "json")
    document = json.loads(result.stdout)
    open_maps = ["aws_instance.instance_2", "aws_instance.instance_counted[1]",
                 "module.instances.aws_instance.module_instance_2", "module.instances.aws_instance.module_instance_counted[1]"]
    tagged = {f["resource"]["id"] for f in document["findings"] if f["policy"] == "required-allocation-tags"}
    assert not tagged & set(open_maps)
    # three tagging policies of the library read their tags: 4 resources each
    assert document["summary"]["not_judged"] == 12
    for policy in ("allowed-environment-values", "cost-center-format", "required-allocation-tags"):
        assert f"{policy}: 4 planned resources not judged: tags known only after apply ({', '.join(open_maps)})" in document["warnings"]
    # the size policy reads the size, which is known: those instances are judged by it
    sized = {f["resource"]["id"] for f in document["findings"] if f["policy"] == "allowed-instance-sizes"}
    assert set(open_maps) <= sized


def test_not_judged_resources_do_not_change_the_exit_code(write):
    """Only instances whose tag map is unknown: a pass, with the notes; the same plan with the tags
    known would fail."""
    plan = write("plan.json", json.dumps(synthetic_plan([
        instance("aws_instance.a", {"instance_type": "t3.micro", "tags": None}, after_unknown={"tags_all": True}),
    ])))
    result = run("check", "--plan", plan, "--as-of", AS_OF, "--format", "json", "--policy", "required-allocation-tags")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["findings"] == [] and document["summary"]["not_judged"] == 1
    known = write("known.json", json.dumps(synthetic_plan([
        instance("aws_instance.a", {"instance_type": "t3.micro", "tags": None, "tags_all": {}}),
    ])))
    assert run("check", "--plan", known, "--as-of", AS_OF, "--policy", "required-allocation-tags").exit_code == 1


# --- synthetic plans: unknown values ------------------------------------------------------------------

AWS = "registry.terraform.io/hashicorp/aws"


def instance(address, after, *, after_unknown=None, actions=("create",), type_="aws_instance"):
    name = address.rsplit(".", 1)[1].split("[")[0]
    return {"address": address, "mode": "managed", "type": type_, "name": name, "provider_name": AWS,
            "change": {"actions": list(actions), "before": None, "after": after, "after_unknown": after_unknown or {},
                       "before_sensitive": False, "after_sensitive": {}}}


def synthetic_plan(changes):
    return {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": changes,
            "planned_values": {"root_module": {}}, "configuration": {"root_module": {}}}


CONDITIONS = """\
apiVersion: costwarden/v1
kind: Policy
id: encrypted-volumes
title: Volumes are encrypted
type: condition
severity: high
resource: {types: [aws_ebs_volume]}
spec:
  fail_if: {path: properties.encrypted, op: ne, value: true}
  message: "volume {id} is not encrypted"
---
apiVersion: costwarden/v1
kind: Policy
id: small-volumes
title: Volumes are at most 100 GiB
type: condition
severity: low
resource:
  types: [aws_ebs_volume]
  where: {path: properties.type, op: eq, value: gp3}
spec:
  fail_if: {path: properties.size, op: gt, value: 100}
---
apiVersion: costwarden/v1
kind: Policy
id: team-tag
title: Volumes carry a team
type: tagging
severity: medium
resource: {types: [aws_ebs_volume]}
spec:
  match: case-insensitive
  keys: [{key: team}]
"""


def test_a_policy_does_not_judge_what_it_reads_unknown_and_judges_the_rest(write):
    policies = write("policies.yaml", CONDITIONS)
    plan = write("plan.json", json.dumps(synthetic_plan([
        # encrypted unknown: not judged by encrypted-volumes; size known: judged (and fails) by small-volumes
        instance("aws_ebs_volume.a", {"size": 500, "type": "gp3", "tags_all": {"Team": "x"}}, type_="aws_ebs_volume",
                 after_unknown={"encrypted": True}),
        # everything known: fails encrypted-volumes
        instance("aws_ebs_volume.b", {"encrypted": False, "size": 50, "type": "gp3", "tags_all": {"team": "y"}},
                 type_="aws_ebs_volume"),
        # the where clause's path unknown: small-volumes cannot select it; a tag of another key unknown
        instance("aws_ebs_volume.c", {"encrypted": True, "size": 500, "tags_all": {"team": "z"}}, type_="aws_ebs_volume",
                 after_unknown={"type": True, "tags_all": {"owner": True}}),
        # the TEAM tag's value unknown (case-insensitive match): team-tag cannot judge it
        instance("aws_ebs_volume.d", {"encrypted": True, "size": 5, "type": "gp3", "tags_all": {}}, type_="aws_ebs_volume",
                 after_unknown={"tags_all": {"TEAM": True}}),
    ])))
    result = run("check", "--policies", policies, "--plan", plan, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert sorted((f["policy"], f["resource"]["id"]) for f in document["findings"]) == [
        ("encrypted-volumes", "aws_ebs_volume.b"), ("small-volumes", "aws_ebs_volume.a")]
    assert document["summary"]["not_judged"] == 3
    assert sorted(document["warnings"]) == [
        "encrypted-volumes: 1 planned resource not judged: properties.encrypted known only after apply (aws_ebs_volume.a)",
        "small-volumes: 1 planned resource not judged: properties.type known only after apply (aws_ebs_volume.c)",
        "team-tag: 1 planned resource not judged: tags.TEAM known only after apply (aws_ebs_volume.d)",
    ]


def test_an_evaluation_error_on_an_unknown_value_is_not_judged_either(write):
    """size unknown and absent: `gt` on a missing value is no error, but a JMESPath function over it is
    (length(null)); the resource is not judged instead of failing the run with exit code 2."""
    policies = write("policies.yaml", """\
apiVersion: costwarden/v1
kind: Policy
id: short-names
title: Names are short
type: condition
severity: low
resource: {types: [aws_ebs_volume]}
spec:
  fail_if: {path: "length(properties.name)", op: gt, value: 5}
""")
    plan = write("plan.json", json.dumps(synthetic_plan([
        instance("aws_ebs_volume.a", {"size": 1}, type_="aws_ebs_volume", after_unknown={"name": True}),
        instance("aws_ebs_volume.b", {"size": 1, "name": "a-long-name"}, type_="aws_ebs_volume"),
    ])))
    result = run("check", "--policies", policies, "--plan", plan, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert [f["resource"]["id"] for f in document["findings"]] == ["aws_ebs_volume.b"]
    assert document["errors"] == [] and document["summary"]["not_judged"] == 1


@pytest.mark.parametrize("expression, chains", [
    ("tags.team", [("tags", "team")]),
    ('properties."instance-type"', [("properties", "instance-type")]),
    ("properties.disks[0].size", [("properties", "disks")]),
    ("properties.ebs[?type=='gp2'].size", [("properties", "ebs")]),
    ("length(tags)", [("tags",)]),
    ("not_null(tags.team, tags.Team)", [("tags", "team"), ("tags", "Team")]),
    ("tags.*", [("tags",)]),
    ("[size, region]", [("size",), ("region",)]),
    ("@", [()]),
    ("properties.a | b", [("properties", "a")]),
])
def test_the_paths_a_condition_reads(expression, chains):
    assert field_chains(expression) == chains


# --- locations ----------------------------------------------------------------------------------------

TAG_EVERYTHING = """\
apiVersion: costwarden/v1
kind: Policy
id: data-owner
title: terraform_data carries an owner
type: tagging
severity: low
resource: {types: [terraform_data]}
spec:
  keys: [{key: owner}]
"""


def test_with_source_findings_point_at_the_tf_block(write):
    policies = write("policies.yaml", TAG_EVERYTHING)
    config = TERRAFORM_DATA.parent / "config"
    result = run("check", "--policies", policies, "--plan", relative(TERRAFORM_DATA), "--source", relative(config),
                 "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1, result.output
    located = {f["resource"]["id"]: f["location"] for f in json.loads(result.stdout)["findings"]}
    base = relative(config)
    # the lines of the resource blocks, read from the .tf files here
    assert located == {
        "terraform_data.replaced": {"file": f"{base}/main.tf", "line": tf_line(config / "main.tf", "replaced"), "column": 1},
        "terraform_data.web": {"file": f"{base}/main.tf", "line": tf_line(config / "main.tf", "web"), "column": 1},
        'module.regional["us"].terraform_data.server':
            {"file": f"{base}/modules/app/main.tf", "line": tf_line(config / "modules" / "app" / "main.tf", "server"), "column": 1},
        'module.regional["us"].module.db.terraform_data.database':
            {"file": f"{base}/modules/app/db/main.tf", "line": tf_line(config / "modules" / "app" / "db" / "main.tf", "database"),
             "column": 1},
    }


def tf_line(path: Path, name: str) -> int:
    block = re.compile(rf'resource\s+"?terraform_data"?\s+"?{name}"?\s*{{')
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if block.match(line):
            return number
    raise AssertionError(name)


def test_sarif_anchors_plan_findings_on_their_tf_block(write):
    from tests.output_cases import validate_sarif

    policies = write("policies.yaml", TAG_EVERYTHING)
    config = TERRAFORM_DATA.parent / "config"
    result = run("check", "--policies", policies, "--plan", relative(TERRAFORM_DATA), "--source", relative(config),
                 "--as-of", AS_OF, "--format", "sarif")
    (sarif_run,) = validate_sarif(json.loads(result.stdout))["runs"]
    places = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
              for r in sarif_run["results"]}
    assert (f"{relative(config)}/main.tf", tf_line(config / "main.tf", "web")) in places
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for r in sarif_run["results"])


def test_a_plan_path_outside_the_working_directory_stays_absolute(tmp_path, monkeypatch):
    plan = tmp_path / "plan.json"
    plan.write_bytes(PLANS["newest"].read_bytes())
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = run("check", "--plan", plan, "--as-of", AS_OF, "--format", "json")
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["location"]["file"] == str(plan)
    monkeypatch.chdir(tmp_path)
    result = run("check", "--plan", plan, "--as-of", AS_OF, "--format", "json")
    assert json.loads(result.stdout)["findings"][0]["location"]["file"] == "plan.json"


# --- plans with inventories, standard input, scope, errors --------------------------------------------

def test_a_plan_and_an_inventory_are_evaluated_together_each_resource_once():
    plan = PLANS["terragoat"]
    alone = json.loads(run("check", "--plan", relative(plan), "--as-of", AS_OF, "--format", "json").stdout)
    inventory = json.loads(run("check", "--inventory", "examples/inventory.json", "--as-of", AS_OF, "--format", "json").stdout)
    both = run("check", "--inventory", "examples/inventory.json", "--plan", relative(plan), "--as-of", AS_OF, "--format", "json")
    assert both.exit_code == 1
    document = json.loads(both.stdout)
    assert document["summary"]["resources_evaluated"] == (alone["summary"]["resources_evaluated"]
                                                          + inventory["summary"]["resources_evaluated"])

    def keys(doc):
        return sorted((f["policy"], f["resource"]["id"]) for f in doc["findings"] if f["resource"])

    assert keys(document) == sorted(keys(alone) + keys(inventory))
    files = {f["location"]["file"] for f in document["findings"] if f["location"]}
    assert files == {relative(plan), "examples/inventory.json"}


def test_a_plan_on_standard_input():
    plan = PLANS["terragoat"]
    from_file = json.loads(run("check", "--plan", relative(plan), "--as-of", AS_OF, "--format", "json").stdout)
    result = run("check", "--plan", "-", "--as-of", AS_OF, "--format", "json", input=plan.read_bytes())
    assert result.exit_code == 1
    from_stdin = json.loads(result.stdout)
    assert all(f["location"] is None for f in from_stdin["findings"])  # no file to point at
    assert [(f["policy"], f["resource"]["id"]) for f in from_stdin["findings"]] == \
           [(f["policy"], f["resource"]["id"]) for f in from_file["findings"]]


def test_plan_scope_all_evaluates_the_no_op_entries_too():
    plan = PLANS["infracost-0.14"]
    changes = json.loads(run("check", "--plan", relative(plan), "--as-of", AS_OF, "--format", "json").stdout)
    everything = json.loads(run("check", "--plan", relative(plan), "--plan-scope", "all", "--as-of", AS_OF,
                                "--format", "json").stdout)
    assert changes["summary"]["resources_evaluated"] == 13 and everything["summary"]["resources_evaluated"] == 26
    assert any("not evaluated (13 no-op)" in warning for warning in changes["warnings"])


def test_a_plan_given_to_inventory_says_to_use_plan():
    result = run("check", "--inventory", relative(PLANS["infracost-0.14"]), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert (f"{relative(PLANS['infracost-0.14'])}: E404 this is a Terraform plan: use --plan (engine.load_plans in the API), "
            "not --inventory") in result.stderr


def test_an_inventory_given_to_plan_says_what_it_is():
    result = run("check", "--plan", "examples/inventory.json", "--as-of", AS_OF)
    assert result.exit_code == 2 and "E445 this is a costwarden Inventory, not a Terraform plan" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--source", "tests"], "--source locates the resources of a plan: give --plan FILE too"),
    (["--plan", "-", "--inventory", "-"], "standard input can be read once"),
    (["--plan", "x.json", "--plan-scope", "some"], "'some' is not one of 'changes', 'all'"),
])
def test_plan_usage_errors(args, message):
    result = run("check", *(args if "--plan" in args or "--inventory" in args else ["--inventory", "examples/inventory.json", *args]))
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_the_cli_plan_scopes_are_the_plan_readers():
    assert PLAN_SCOPES == tuple(SCOPES)


def test_an_unreadable_plan_writes_no_output_and_keeps_an_existing_file(tmp_path):
    report = tmp_path / "report.sarif"
    report.write_text("previous")
    result = run("check", "--plan", tmp_path / "missing.json", "-f", "sarif", "-o", report)
    assert result.exit_code == 2 and "E401" in result.stderr
    assert report.read_text() == "previous"
    assert os.listdir(tmp_path) == ["report.sarif"]


def test_the_gate_fails_only_for_new_findings_of_a_plan(tmp_path):
    """The CI use: a baseline of the plan's findings, then a change that adds one untagged instance."""
    baseline = tmp_path / "baseline.json"
    plan = relative(PLANS["terragoat"])
    assert run("baseline", "create", "--plan", plan, "--as-of", AS_OF, "-o", baseline).exit_code == 0

    def gate(plan_file):
        return run("check", "--plan", plan_file, "--baseline", baseline, "--as-of", AS_OF, "-f", "json")

    same = gate(plan)
    assert same.exit_code == 0, same.output
    assert {f["status"] for f in json.loads(same.stdout)["findings"]} == {"baselined"}
    changed = json.loads(PLANS["terragoat"].read_text())
    changed["resource_changes"].append(instance("aws_instance.new_one", {"instance_type": "t3.micro", "tags": {"team": "web"}}))
    new_plan = tmp_path / "plan.json"
    new_plan.write_text(json.dumps(changed))
    result = gate(new_plan)
    assert result.exit_code == 1
    opened = [(f["policy"], f["resource"]["id"]) for f in json.loads(result.stdout)["findings"] if f["status"] == "open"]
    assert opened == [("required-allocation-tags", "aws_instance.new_one")]


@pytest.mark.parametrize("name", ["infracost-0.14", "asg", "replaced"])
def test_an_opentofu_plan_is_read_and_judged_as_the_terraform_one(name, tmp_path):
    """OpenTofu writes the same plan JSON (``tofu show -json``), with its own registry in the provider
    addresses and its own version: the real plans, so rewritten, give the same resources and findings."""
    text = PLANS[name].read_text(encoding="utf-8")
    assert "registry.terraform.io/" in text
    document = json.loads(text.replace("registry.terraform.io/", "registry.opentofu.org/"))
    document["terraform_version"] = "1.8.5"
    tofu = tmp_path / "tofu.json"
    tofu.write_text(json.dumps(document), encoding="utf-8")
    terraform, opentofu = (load_plans([str(path)], scope="all").resources for path in (PLANS[name], tofu))
    assert [(r["id"], r["type"], r["provider"], r["class"]) for r in opentofu] == [
        (r["id"], r["type"], r["provider"], r["class"]) for r in terraform]
    assert {r["provider"] for r in opentofu} == {"aws"}
    same = [json.loads(run("check", "--plan", path, "--plan-scope", "all", "--as-of", AS_OF, "-f", "json").stdout)
            for path in (PLANS[name], tofu)]
    assert [(f["policy"], f["resource"], f["message"]) for f in same[1]["findings"]] == [
        (f["policy"], f["resource"], f["message"]) for f in same[0]["findings"]]
    assert same[1]["summary"]["resources_evaluated"] == same[0]["summary"]["resources_evaluated"] > 0
