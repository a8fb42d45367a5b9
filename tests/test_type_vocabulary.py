"""The type vocabulary in policies: every spelling of one provider resource kind selects the others,
and a misspelt class or type in `resource.types` is a validation problem (E329), not a policy that
silently selects nothing.

The real exports are from ../shared/realdata (see its SOURCES.md):
* cloud-custodian/tagging.GetResources_1.json: Apache-2.0, cloud-custodian/cloud-custodian
* aws-config-rdk/AWS_EC2_Instance.json: Apache-2.0, awslabs/aws-config-rdk
* cloud-custodian/ResourceGraphSource...json (vcrpy cassette): Apache-2.0, cloud-custodian/cloud-custodian
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.documents.loader import load_library
from engine.errors import InputError
from engine.evaluator import evaluate
from engine.inventory import load_inventory
from engine.inventory.adapters.costwarden import convert
from engine.inventory.problems import StructureProblems
from engine.inventory.types import CLASS_TABLE
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


def test_the_readme_lists_every_spelling_of_every_kind():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    header = "| class | kinds: the spellings of one kind, joined by `=`, its canonical key first |\n|---|---|\n"
    table = text[text.index(header) + len(header):].split("\n\n", 1)[0]
    listed = {}
    for line in table.splitlines():
        name, kinds = (cell.strip() for cell in line.strip("|").split("|"))
        listed[name.strip("`")] = tuple(tuple(s.strip("`") for s in kind.split(" = ")) for kind in kinds.split("; "))
    assert listed == {name: kinds for name, _, kinds in CLASS_TABLE}
