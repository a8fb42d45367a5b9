"""The type vocabulary in policies: every spelling of one provider resource kind selects the others,
and a misspelt class or type in `resource.types` is a validation problem (E329), not a policy that
silently selects nothing.

The real exports are from tests/data/realdata (see its SOURCES.md):
* cloud-custodian/tagging.GetResources_1.json: Apache-2.0, cloud-custodian/cloud-custodian
* aws-config-rdk/AWS_EC2_Instance.json: Apache-2.0, awslabs/aws-config-rdk
* cloud-custodian/ResourceGraphSource...json (vcrpy cassette): Apache-2.0, cloud-custodian/cloud-custodian
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.errors import InputError
from engine.evaluator import evaluate
from engine.inventory import load_inventory
from engine.inventory.adapters.costwarden import convert
from engine.inventory.problems import StructureProblems
from engine.inventory.types import CLASS_TABLE
from engine.library import load_library
from tests.conftest import REALDATA, ROOT

TAGGING = REALDATA / "cloud-custodian" / "tagging.GetResources_1.json"
CONFIG_ITEM = REALDATA / "aws-config-rdk" / "AWS_EC2_Instance.json"
CASSETTE = REALDATA / "cloud-custodian" / "ResourceGraphSource.test_resource_graph_and_arm_sources_vm_are_equivalent.json"

POLICY = """\
apiVersion: costwarden/v1
kind: Policy
id: untagged
title: Resources without a team tag
type: tagging
severity: low
resource:
  types: {types}
spec:
  keys:
    - key: team
"""

RESOURCES = [
    {"id": "arn:aws:ec2:eu-west-1:111111111111:instance/i-config", "type": "AWS::EC2::Instance"},
    {"id": "arn:aws:ec2:eu-west-1:111111111111:instance/i-tagging", "type": "ec2:instance"},
    {"id": "module.web.aws_instance.this", "type": "aws_instance"},
    {"id": "arn:aws:ec2:eu-west-1:111111111111:volume/vol-1", "type": "AWS::EC2::Volume"},
    {"id": "arn:aws:ec2:eu-west-1:111111111111:volume/vol-2", "type": "ec2:volume"},
    {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1",
     "type": "microsoft.compute/virtualmachines"},
    {"id": "azurerm_linux_virtual_machine.web", "type": "azurerm_linux_virtual_machine"},
    {"id": "azurerm_windows_virtual_machine.app", "type": "azurerm_windows_virtual_machine"},
    {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/old",
     "type": "Microsoft.ClassicCompute/virtualMachines"},
    {"id": "//compute.googleapis.com/projects/p/zones/z/instances/gce-1", "type": "compute.googleapis.com/Instance"},
    {"id": "google_compute_instance.gce", "type": "google_compute_instance"},
    {"id": "//compute.googleapis.com/projects/p/zones/z/disks/d-1", "type": "compute.googleapis.com/Disk"},
    {"id": "//compute.googleapis.com/projects/p/regions/r/disks/d-2", "type": "compute.googleapis.com/RegionDisk"},
    {"id": "arn:aws:rds:eu-west-1:111111111111:snapshot:s-1", "type": "rds:snapshot"},
    {"id": "arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:cs-1", "type": "rds:cluster-snapshot"},
    {"id": "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/1", "type": "elasticloadbalancing:loadbalancer"},
    {"id": "aws_lb.web", "type": "aws_lb"},
    {"id": "aws_elb.classic", "type": "aws_elb"},
    {"id": "arn:aws:ecs:eu-west-1:111111111111:cluster/c-1", "type": "ecs:cluster"},
    {"id": "arn:aws:ecs:eu-west-1:111111111111:cluster/c-2", "type": "AWS::ECS::Cluster"},
]


def selected(write, types: str, resources: list[dict] | None = None) -> list[str]:
    """The ids of the resources a tagging policy with ``resource.types: TYPES`` reports (all are untagged)."""
    policy = write("policy.yaml", POLICY.format(types=types))
    library = load_library([str(policy)])
    if resources is None:
        resources = convert([dict(r, tags={}) for r in RESOURCES], StructureProblems())
    result = evaluate(library, resources, as_of="2026-01-01")
    return sorted(finding.resource["id"] for finding in result.findings)


def ids(*types: str) -> list[str]:
    return sorted(r["id"] for r in RESOURCES if r["type"] in types)


# --- 1. the spellings of one kind are equivalent ----------------------------------------------------------


@pytest.mark.parametrize("spelling", ["AWS::EC2::Instance", "ec2:instance", "aws_instance", "aws::ec2::INSTANCE"])
def test_every_spelling_of_the_ec2_instance_kind_selects_all_of_them(write, spelling):
    assert selected(write, f"[{spelling!r}]") == ids("AWS::EC2::Instance", "ec2:instance", "aws_instance")


@pytest.mark.parametrize(
    "spelling", ["Microsoft.Compute/virtualMachines", "azurerm_virtual_machine", "azurerm_linux_virtual_machine"]
)
def test_azure_vm_spellings_select_the_arm_type_and_every_terraform_type_of_it(write, spelling):
    expected = ids("microsoft.compute/virtualmachines", "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine")
    assert selected(write, f"[{spelling}]") == expected  # not the classic VM: another kind


@pytest.mark.parametrize("spelling", ["compute.googleapis.com/Instance", "google_compute_instance"])
def test_gcp_instance_spellings(write, spelling):
    assert selected(write, f"[{spelling}]") == ids("compute.googleapis.com/Instance", "google_compute_instance")


@pytest.mark.parametrize(
    "types, expected",
    [
        # kinds of one class stay apart: a type name is narrower than its class
        ("[AWS::RDS::DBSnapshot]", ("rds:snapshot",)),
        ("[AWS::RDS::DBClusterSnapshot]", ("rds:cluster-snapshot",)),
        ("[database.snapshot]", ("rds:snapshot", "rds:cluster-snapshot")),
        ("[compute.googleapis.com/Disk]", ("compute.googleapis.com/Disk",)),
        ("[google_compute_region_disk]", ("compute.googleapis.com/RegionDisk",)),
        ("[Microsoft.ClassicCompute/virtualMachines]", ("Microsoft.ClassicCompute/virtualMachines",)),
        # the tagging API names classic and v2 load balancers alike: it names both kinds
        ("[elasticloadbalancing:loadbalancer]", ("elasticloadbalancing:loadbalancer", "aws_lb", "aws_elb")),
        ("[AWS::ElasticLoadBalancingV2::LoadBalancer]", ("elasticloadbalancing:loadbalancer", "aws_lb")),
        ("[aws_elb]", ("elasticloadbalancing:loadbalancer", "aws_elb")),
        # a type that is not in the vocabulary selects exactly itself
        ("[ecs:cluster]", ("ecs:cluster",)),
        ("[AWS::ECS::Cluster]", ("AWS::ECS::Cluster",)),
    ],
)
def test_kinds_stay_apart_and_unknown_types_match_themselves(write, types, expected):
    assert selected(write, types) == ids(*expected)


def test_a_config_type_selects_the_real_tagging_api_export(write):
    inventory = load_inventory([str(TAGGING)])
    assert {r["type"] for r in inventory.resources} == {"rds:snapshot"}
    found = selected(write, "[AWS::RDS::DBSnapshot]", inventory.resources)
    assert found == sorted(r["id"] for r in inventory.resources) and len(found) == 9
    assert selected(write, "[aws_db_snapshot]", inventory.resources) == found
    assert selected(write, "[AWS::RDS::DBClusterSnapshot]", inventory.resources) == []


def test_a_tagging_api_type_selects_the_real_config_item_and_a_terraform_type_the_resource_graph_vm(write, tmp_path):
    (instance,) = load_inventory([str(CONFIG_ITEM)]).resources
    assert selected(write, "[ec2:instance]", [instance]) == [instance["id"]]
    cassette = json.loads(CASSETTE.read_text(encoding="utf-8"))
    (graph,) = [i for i in cassette["interactions"] if "Microsoft.ResourceGraph" in i["request"]["uri"]]
    body = graph["response"]["body"]
    path = tmp_path / "graph.json"
    path.write_text(body["string"] if "string" in body else json.dumps(body["data"]), encoding="utf-8")
    (vm,) = load_inventory([str(path)]).resources
    assert vm["type"] == "microsoft.compute/virtualmachines"
    assert selected(write, "[azurerm_windows_virtual_machine]", [vm]) == [vm["id"]]


def test_a_policy_set_parameter_is_expanded_too(write):
    lib = write("lib/policy.yaml", POLICY.format(types="{param: kinds}") + "parameters:\n  kinds:\n    default: [compute.instance]\n").parent
    write("lib/set.yaml", "apiVersion: costwarden/v1\nkind: PolicySet\nid: s\npolicies:\n"
                          "  untagged:\n    parameters:\n      kinds: [s3:bucket]\n")
    (policy,) = load_library([str(lib)]).policies
    assert policy.types == frozenset({"aws::s3::bucket", "s3:bucket", "aws_s3_bucket"})


def test_check_selects_across_spellings_end_to_end(write):
    inventory = write("inv.json", json.dumps({"apiVersion": "costwarden/v1", "kind": "Inventory",
                                              "resources": [dict(r, tags={}) for r in RESOURCES]}))
    policy = write("policy.yaml", POLICY.format(types="[ec2:volume]"))
    result = CliRunner().invoke(main, ["check", "--policies", str(policy), "--inventory", str(inventory),
                                       "--as-of", "2026-01-01", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert sorted(f["resource"]["id"] for f in json.loads(result.output)["findings"]) == ids("AWS::EC2::Volume", "ec2:volume")


# --- 3. a misspelt class or type is a validation problem ---------------------------------------------------


def validate(*paths) -> tuple[int, list[str]]:
    """Exit code and the problem lines of `costwarden validate PATHS`."""
    result = CliRunner().invoke(main, ["validate", *map(str, paths)])
    return result.exit_code, [line for line in result.output.splitlines() if not line.startswith("costwarden:")]


@pytest.mark.parametrize(
    "name, message, hint",
    [
        ("compute.instanse", "unknown resource class 'compute.instanse'", "did you mean 'compute.instance'?"),
        ("database.snapshots", "unknown resource class 'database.snapshots'", "did you mean 'database.snapshot'?"),
        ("AWS::EC2::Instanc", "unknown resource type 'AWS::EC2::Instanc'", "did you mean 'AWS::EC2::Instance'?"),
        ("aws::ec2::instanse", "unknown resource type 'aws::ec2::instanse'", "did you mean 'AWS::EC2::Instance'?"),
        ("AWS:EC2:Instance", "unknown resource type 'AWS:EC2:Instance'", "did you mean 'AWS::EC2::Instance'?"),
        ("ec2-instance", "unknown resource type 'ec2-instance'", "did you mean 'ec2:instance'?"),
        ("Microsoft.Compute/virtualMachine", "unknown resource type 'Microsoft.Compute/virtualMachine'",
         "did you mean 'Microsoft.Compute/virtualMachines'?"),
        ("google_compute_instnace", "unknown resource type 'google_compute_instnace'", "did you mean 'google_compute_instance'?"),
        ("compute.googleapis.com/Instanse", "unknown resource type 'compute.googleapis.com/Instanse'",
         "did you mean 'compute.googleapis.com/Instance'?"),
        ("functon", "unknown resource type 'functon'", "did you mean 'function'?"),
    ],
)
def test_a_misspelt_class_or_type_is_reported_with_a_suggestion(write, name, message, hint):
    policy = write("p.yaml", POLICY.format(types=f"[compute.instance, {name!r}]"))
    code, lines = validate(policy)
    assert code == 2
    (line,) = lines
    assert line.startswith(f"{policy}:8:29: E329 {message}")
    assert line.endswith(f"(at /resource/types/1); {hint}")


def test_the_message_says_what_a_misspelt_name_would_do(write):
    policy = write("p.yaml", POLICY.format(types="[AWS::EC2::Instanc]"))
    assert validate(policy) == (2, [
        f"{policy}:8:11: E329 unknown resource type 'AWS::EC2::Instanc': it is not in the type vocabulary but close to "
        "a name that is, and would select nothing (at /resource/types/0); did you mean 'AWS::EC2::Instance'?"
    ])


def test_a_class_shaped_name_far_from_every_class_lists_the_classes(write):
    policy = write("p.yaml", POLICY.format(types="[messaging.queue]"))
    code, (line,) = validate(policy)
    assert code == 2
    assert "E329 unknown resource class 'messaging.queue'" in line
    assert line.endswith("; the classes are " + ", ".join(dict.fromkeys(c for c, _, _ in CLASS_TABLE)))


@pytest.mark.parametrize(
    "name",
    [
        # real provider types that are not in the vocabulary, some one letter from a known one
        "ecs:cluster", "AWS::ECS::Cluster", "aws_ecs_cluster", "aws_emr_cluster", "aws_ebs_snapshot_copy",
        "azurerm_mysql_database", "azurerm_virtual_machine_extension", "compute.googleapis.com/InstanceGroup",
        "compute.googleapis.com/InstanceTemplate", "Microsoft.Web/sites", "Microsoft.Network/vpnGateways",
        "AWS::DynamoDB::Table", "rds:pg", "sns", "elasticloadbalancing:targetgroup", "AWS::EC2::VPC",
        "cloudresourcemanager.googleapis.com/Project",
        # known names in any case
        "aws::ec2::instance", "MICROSOFT.COMPUTE/VIRTUALMACHINES", "Compute.Instance",
    ],
)
def test_unknown_types_not_close_to_a_known_one_are_allowed(write, name):
    policy = write("p.yaml", POLICY.format(types=f"[{name!r}]"))
    assert validate(policy)[0] == 0


def test_every_misspelt_name_is_reported(write):
    policy = write("p.yaml", POLICY.format(types="\n    - compute.instanse\n    - ecs:cluster\n    - ec2:volme"))
    with pytest.raises(InputError) as caught:
        load_library([str(policy)])
    assert [(p.code, p.pointer, p.line, p.column) for p in caught.value.problems] == [
        ("E329", "/resource/types/0", 9, 7), ("E329", "/resource/types/2", 11, 7)]  # not ecs:cluster: allowed


SET_POLICY = POLICY.format(types="{param: classes}") + "parameters:\n  classes:\n    default: [compute.instance]\n"
SET = "apiVersion: costwarden/v1\nkind: PolicySet\nid: storage\npolicies:\n  untagged:\n    parameters:\n      classes: {classes}\n"


def test_a_misspelt_name_from_a_policy_set_is_reported_at_the_set(write):
    policy = write("lib/policy.yaml", SET_POLICY)
    the_set = write("lib/set.yaml", SET.format(classes="[block.volume, AWS::S3::Buckett]"))
    assert validate(policy.parent) == (2, [
        f"{the_set}:7:31: E329 policy 'untagged' (parameter 'classes' from policy set 'storage'): unknown resource type "
        "'AWS::S3::Buckett': it is not in the type vocabulary but close to a name that is, and would select nothing; "
        f"used at {policy}:8:10 as /resource/types (at /policies/untagged/parameters/classes/1); did you mean 'AWS::S3::Bucket'?"
    ])


def test_a_misspelt_item_parameter_from_a_policy_set_is_reported_at_the_set(write):
    policy = write("lib/policy.yaml", SET_POLICY.replace("types: {param: classes}", "types: [block.volume, {param: classes}]")
                   .replace("default: [compute.instance]", "default: compute.instance"))
    the_set = write("lib/set.yaml", SET.format(classes="compute.instanse"))
    code, (line,) = validate(policy.parent)
    assert code == 2
    assert line.startswith(f"{the_set}:7:16: E329 policy 'untagged' (parameter 'classes' from policy set 'storage'): "
                           "unknown resource class 'compute.instanse'")
    assert line.endswith(f"used at {policy}:8:25 as /resource/types/1 (at /policies/untagged/parameters/classes); "
                         "did you mean 'compute.instance'?")


def test_a_misspelt_name_in_a_default_is_reported_at_the_policy(write):
    policy = write("p.yaml", SET_POLICY.replace("default: [compute.instance]", "default: [compute.instance, block.volum]"))
    code, (line,) = validate(policy)
    assert code == 2
    assert line.startswith(f"{policy}:8:10: E329 unknown resource class 'block.volum'")
    assert line.endswith("(at /resource/types/1); did you mean 'block.volume'?")
