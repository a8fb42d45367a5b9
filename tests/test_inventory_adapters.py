"""Inventory adapters on real exports (tests/data/realdata, see its SOURCES.md for origin and licence).

* cloud-custodian/tagging.GetResources_1.json: Apache-2.0, cloud-custodian/cloud-custodian
* aws-config-rdk/AWS_EC2_Instance.json: Apache-2.0, awslabs/aws-config-rdk
* cloud-custodian/ResourceGraphSource...json (vcrpy cassette): Apache-2.0, cloud-custodian/cloud-custodian
* gcp-policy-library/assets/data.json: Apache-2.0, GoogleCloudPlatform/policy-library
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from engine.errors import InputError
from engine.inventory import ADAPTERS, CLASSES, RESOURCE_KEYS, classify, detect_format, load_inventory, provider_of_type
from engine.inventory.adapters.aws_arn import parse_arn
from engine.inventory.types import CLASS_TABLE, KINDS, kinds_of
from tests.conftest import REALDATA

ROOT = Path(__file__).parents[1]
TAGGING = REALDATA / "cloud-custodian" / "tagging.GetResources_1.json"
CONFIG_ITEM = REALDATA / "aws-config-rdk" / "AWS_EC2_Instance.json"
CASSETTE = REALDATA / "cloud-custodian" / "ResourceGraphSource.test_resource_graph_and_arm_sources_vm_are_equivalent.json"
GCP_ASSETS = REALDATA / "gcp-policy-library" / "assets" / "data.json"

SUBSCRIPTION = "ea42f556-5106-4743-99b0-c129bfa71a47"
GCP_PREFIX = "//compute.googleapis.com/projects/vpc-sc-pub-sub-billing-alerts/zones/us-central1-b/instances/"


def cassette_body(uri_part: str, present: bool = True) -> object:
    """The response body of the cassette interaction whose request URI does (or does not) contain ``uri_part``.

    vcrpy stores a body as ``{"string": "<json>"}``; this cassette's recorder stored it parsed, as
    ``{"data": <json>}``: read either.
    """
    cassette = json.loads(CASSETTE.read_text(encoding="utf-8"))
    (interaction,) = [i for i in cassette["interactions"] if (uri_part in i["request"]["uri"]) == present]
    body = interaction["response"]["body"]
    return json.loads(body["string"]) if "string" in body else body["data"]


def resource_graph_table() -> dict:
    return cassette_body("Microsoft.ResourceGraph")


def arm_list() -> dict:
    return cassette_body("Microsoft.ResourceGraph", present=False)


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def without_properties(resource: dict) -> dict:
    return {key: value for key, value in resource.items() if key != "properties"}


def resource_validator() -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / "inventory.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/resource"})


def assert_canonical(resources: list[dict]) -> None:
    validator = resource_validator()
    for resource in resources:
        assert type(resource) is dict
        assert tuple(resource) == RESOURCE_KEYS or set(resource) == set(RESOURCE_KEYS)
        assert all(type(value) is str or value is True for value in resource["tags"].values())
        errors = [error.message for error in validator.iter_errors(resource)]
        assert errors == [], (resource["id"], errors)


# --- AWS Resource Groups Tagging API ---------------------------------------------------------------


def test_tagging_get_resources_recorded_response():
    inventory = load_inventory([str(TAGGING)])
    assert inventory.formats == {str(TAGGING): "aws-tagging"}
    resources = inventory.resources
    assert len(resources) == 9
    assert {r["type"] for r in resources} == {"rds:snapshot"}
    assert {r["class"] for r in resources} == {"database.snapshot"}
    assert {(r["provider"], r["account"], r["region"]) for r in resources} == {("aws", "644160558196", "us-east-1")}
    first, untagged, automated = resources[0], resources[1], resources[2]
    assert first["id"] == "arn:aws:rds:us-east-1:644160558196:snapshot:originb"
    assert first["name"] == "originb"
    assert first["tags"] == {"workload-type": "other"}
    assert untagged["name"] == "originb21" and untagged["tags"] == {}  # "Tags": []
    assert automated["name"] == "rds:originb-2016-12-22-08-45"  # the snapshot id itself holds a colon
    assert resources[-1]["tags"] == {"app": "mgmt-portal", "workload-type": "other", "env": "staging"}
    assert first["properties"] == {"ResourceARN": first["id"], "Tags": [{"Value": "other", "Key": "workload-type"}]}
    assert_canonical(resources)


def test_tagging_pages_wrapped_and_bare_in_one_array_merge_by_arn(tmp_path):
    wrapped = json.loads(TAGGING.read_text())
    pages = write_json(tmp_path / "pages.json", [wrapped, wrapped["data"]])
    inventory = load_inventory([str(pages)])
    assert inventory.formats[str(pages)] == "aws-tagging"
    assert len(inventory.resources) == 9
    assert inventory.conflicts == []


@pytest.mark.parametrize(
    "arn, kind, account, region, name",
    [
        ("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "ec2:instance", "123456789012", "us-east-1", "i-0abc"),
        ("arn:aws:ec2:us-east-1:123456789012:volume/vol-1", "ec2:volume", "123456789012", "us-east-1", "vol-1"),
        ("arn:aws:ec2:eu-west-1:123456789012:elastic-ip/eipalloc-1", "ec2:elastic-ip", "123456789012", "eu-west-1", "eipalloc-1"),
        ("arn:aws:s3:::my-bucket", "s3:bucket", None, None, "my-bucket"),
        ("arn:aws:rds:us-east-1:123456789012:db:orders", "rds:db", "123456789012", "us-east-1", "orders"),
        ("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
         "elasticloadbalancing:loadbalancer", "123456789012", "us-east-1", "app/web/50dc6c495c0c9188"),
        ("arn:aws:lambda:us-east-1:123456789012:function:resize", "lambda:function", "123456789012", "us-east-1", "resize"),
        ("arn:aws:sns:us-east-1:123456789012:alerts", "sns:topic", "123456789012", "us-east-1", "alerts"),
        ("arn:aws-cn:eks:cn-north-1:123456789012:cluster/main", "eks:cluster", "123456789012", "cn-north-1", "main"),
    ],
)
def test_arn_parts(arn, kind, account, region, name):
    parsed = parse_arn(arn)
    assert (parsed.type, parsed.account, parsed.region, parsed.resource_id) == (kind, account, region, name)


@pytest.mark.parametrize("text", ["", "arn:aws", "arn:aws:ec2:us-east-1:1", "not-an-arn", None, 12])
def test_not_an_arn(text):
    assert parse_arn(text) is None


def test_tagging_entry_with_a_bad_arn_and_bad_tags_is_reported(tmp_path):
    page = {"ResourceTagMappingList": [
        {"ResourceARN": "i-0abc", "Tags": []},
        {"ResourceARN": "arn:aws:ec2:us-east-1:123456789012:instance/i-1", "Tags": [{"Value": "x"}]},
    ]}
    path = write_json(tmp_path / "tags.json", page)
    with pytest.raises(InputError) as caught:
        load_inventory([str(path)])
    text = str(caught.value)
    assert "tags.json:1:" in text
    assert "E405 ResourceARN is not an ARN: 'i-0abc' (at /ResourceTagMappingList/0/ResourceARN)" in text
    assert "E405 a tag must be an object with a string 'Key' (at /ResourceTagMappingList/1/Tags/0)" in text


# --- AWS Config ----------------------------------------------------------------------------------------


def test_config_item_of_an_untagged_ec2_instance():
    inventory = load_inventory([str(CONFIG_ITEM)])
    assert inventory.formats == {str(CONFIG_ITEM): "aws-config"}
    (resource,) = inventory.resources
    assert without_properties(resource) == {
        "id": "arn:aws:ec2:us-east-1:681361479661:instance/i-03402838daac1d611",
        "type": "AWS::EC2::Instance",
        "class": "compute.instance",
        "provider": "aws",
        "account": "681361479661",
        "region": "us-east-1",
        "name": "i-03402838daac1d611",
        "tags": {},
        "size": "t2.micro",
        "state": "running",
        "created_at": "2017-04-05T22:15:53.000Z",
        "relationships": [
            {"type": "Contains NetworkInterface", "id": "eni-d055cfc4"},
            {"type": "Is associated with SecurityGroup", "id": "sg-fd215482"},
            {"type": "Is contained in Subnet", "id": "subnet-1aaccc7f"},
            {"type": "Is attached to Volume", "id": "vol-0c24aa343c564eda8"},
            {"type": "Is contained in Vpc", "id": "vpc-79b3ea1e"},
        ],
        "utilization": {},
    }
    assert resource["properties"]["configuration"]["instanceType"] == "t2.micro"
    assert_canonical(inventory.resources)


def test_config_history_keeps_the_item_captured_last(tmp_path):
    item = json.loads(CONFIG_ITEM.read_text())
    older = dict(item, configurationItemCaptureTime="2017-04-01T00:00:00.000Z",
                 configuration=dict(item["configuration"], instanceType="t2.nano"))
    newer = dict(item, tags={"team": "payments"})
    path = write_json(tmp_path / "history.json", {"configurationItems": [older, newer]})
    (resource,) = load_inventory([str(path)]).resources
    assert resource["size"] == "t2.micro"
    assert resource["tags"] == {"team": "payments"}


def test_config_deleted_item_and_list_of_items(tmp_path):
    item = json.loads(CONFIG_ITEM.read_text())
    deleted = dict(item, arn="arn:aws:ec2:us-east-1:681361479661:instance/i-gone", resourceId="i-gone",
                   configurationItemStatus="ResourceDeleted")
    path = write_json(tmp_path / "items.json", [item, deleted])
    resources = load_inventory([str(path)]).resources
    assert [r["state"] for r in resources] == ["running", "deleted"]


def test_config_and_tagging_views_of_one_instance_merge(tmp_path):
    tagging = write_json(tmp_path / "tagging.json", {"ResourceTagMappingList": [{
        "ResourceARN": "arn:aws:ec2:us-east-1:681361479661:instance/i-03402838daac1d611",
        "Tags": [{"Key": "team", "Value": "payments"}],
    }]})
    inventory = load_inventory([str(CONFIG_ITEM), str(tagging)])
    (resource,) = inventory.resources
    assert resource["size"] == "t2.micro"  # from AWS Config
    assert resource["tags"] == {"team": "payments"}  # from the tagging API
    assert resource["class"] == "compute.instance"
    assert inventory.conflicts == []  # ec2:instance and AWS::EC2::Instance spell the same kind
    assert resource["type"] == "AWS::EC2::Instance"


def test_config_and_tagging_views_merge_to_the_same_resource_in_either_order(tmp_path):
    tagging = write_json(tmp_path / "tagging.json", {"ResourceTagMappingList": [{
        "ResourceARN": "arn:aws:ec2:us-east-1:681361479661:instance/i-03402838daac1d611",
        "Tags": [{"Key": "team", "Value": "payments"}],
    }]})
    config_first = load_inventory([str(CONFIG_ITEM), str(tagging)])
    tagging_first = load_inventory([str(tagging), str(CONFIG_ITEM)])
    (a,), (b,) = config_first.resources, tagging_first.resources
    assert a["type"] == b["type"] == "AWS::EC2::Instance"  # the kind's key, whichever file came first
    assert without_properties(a) == without_properties(b)
    assert config_first.conflicts == tagging_first.conflicts == []


def test_another_kind_is_a_conflict_even_of_the_same_class(tmp_path):
    item = json.loads(CONFIG_ITEM.read_text())
    tagging = write_json(tmp_path / "tagging.json", {"ResourceTagMappingList": [{"ResourceARN": item["arn"], "Tags": []}]})
    snapshot = dict(item, resourceType="AWS::RDS::DBClusterSnapshot")  # a real item, retyped: one ARN, two kinds
    config = write_json(tmp_path / "config.json", snapshot)
    rds = write_json(tmp_path / "rds.json", {"ResourceTagMappingList": [
        {"ResourceARN": "arn:aws:rds:us-east-1:681361479661:snapshot:s-1", "Tags": []}]})
    rds_config = write_json(tmp_path / "rds-config.json", dict(
        item, arn="arn:aws:rds:us-east-1:681361479661:snapshot:s-1", resourceId="s-1", resourceType="AWS::RDS::DBClusterSnapshot"))
    inventory = load_inventory([str(tagging), str(config), str(rds), str(rds_config)])
    first, second = inventory.resources
    assert (first["type"], first["class"]) == ("AWS::RDS::DBClusterSnapshot", "database.snapshot")  # the later file wins
    assert [(c.id, c.field, c.values) for c in inventory.conflicts] == [
        (item["arn"], "type", ("ec2:instance", "AWS::RDS::DBClusterSnapshot")),
        # rds:snapshot (a DB snapshot) and a cluster snapshot: one class, two kinds
        ("arn:aws:rds:us-east-1:681361479661:snapshot:s-1", "type", ("rds:snapshot", "AWS::RDS::DBClusterSnapshot")),
    ]
    assert inventory.conflicts[0].describe().startswith(f"aws resource '{item['arn']}': type is 'ec2:instance' in '{tagging}'")


def api_item() -> dict:
    """The real configuration item as the AWS Config API returns it: ``configuration`` as JSON text."""
    item = json.loads(CONFIG_ITEM.read_text())
    return dict(item, configuration=json.dumps(item["configuration"]))


def test_config_api_history_with_configuration_as_json_text(tmp_path):
    """get-resource-config-history output: the configuration is a string of JSON, as are supplementaryConfiguration values."""
    item = json.loads(CONFIG_ITEM.read_text())
    history = {"configurationItems": [dict(api_item(), supplementaryConfiguration={
        "InstanceMetadataOptions": json.dumps({"httpTokens": "required"})})], "nextToken": ""}
    path = write_json(tmp_path / "history.json", history)
    inventory = load_inventory([str(path)])
    assert inventory.formats == {str(path): "aws-config"}
    (resource,) = inventory.resources
    (expected,) = load_inventory([str(CONFIG_ITEM)]).resources
    assert without_properties(resource) == without_properties(expected)  # size t2.micro, state running, created_at
    assert (resource["size"], resource["state"]) == ("t2.micro", "running")
    assert resource["properties"]["configuration"] == item["configuration"]  # policies read properties.configuration.*
    assert resource["properties"]["supplementaryConfiguration"] == {"InstanceMetadataOptions": {"httpTokens": "required"}}
    assert_canonical(inventory.resources)


def test_config_api_batch_get_base_configuration_items(tmp_path):
    """batch-get-resource-config output: baseConfigurationItems, without tags and relationships."""
    base = {key: value for key, value in api_item().items()
            if key not in ("tags", "relationships", "relatedEvents", "configurationItemMD5Hash")}
    path = write_json(tmp_path / "batch.json", {"baseConfigurationItems": [base], "unprocessedResourceKeys": []})
    (resource,) = load_inventory([str(path)]).resources
    assert (resource["type"], resource["size"], resource["state"], resource["tags"]) == (
        "AWS::EC2::Instance", "t2.micro", "running", {})


def test_config_api_select_results_are_json_text(tmp_path):
    """select-resource-config output: each of Results is a JSON document (as text) of the selected fields."""
    item = json.loads(CONFIG_ITEM.read_text())
    fields = ("resourceId", "resourceType", "arn", "awsRegion", "accountId", "tags", "configuration")
    selected = {key: item[key] for key in fields}
    path = write_json(tmp_path / "select.json", {
        "Results": [json.dumps(selected)], "QueryInfo": {"SelectFields": [{"Name": name} for name in fields]}})
    inventory = load_inventory([str(path)])
    assert inventory.formats == {str(path): "aws-config"}
    (resource,) = inventory.resources
    assert (resource["id"], resource["size"], resource["state"], resource["account"]) == (
        item["arn"], "t2.micro", "running", "681361479661")


def test_config_configuration_text_that_is_not_json_is_reported_where_it_is(tmp_path):
    good = api_item()
    bad = dict(good, configuration=good["configuration"][:40])  # cut short
    not_object = dict(good, arn=good["arn"] + "x", configuration="[1, 2]")
    bad_supplement = dict(good, arn=good["arn"] + "y", supplementaryConfiguration={"Options": "{'single': 'quotes'}"})
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"configurationItems": [good, bad, not_object, bad_supplement]}, indent=1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inventory([str(path)])
    lines = [problem.format() for problem in caught.value.problems]
    assert len(lines) == 3
    assert re.fullmatch(
        rf"{re.escape(str(path))}:\d+:\d+: E405 configuration is JSON text \(as the AWS Config API returns it\) that does not "
        r"parse: .+ \(at /configurationItems/1/configuration\)", lines[0])
    assert lines[1].endswith("E405 configuration must be a JSON object, got an array (at /configurationItems/2/configuration)")
    assert "E405 supplementaryConfiguration.Options is JSON text (as the AWS Config API returns it) that does not parse" in lines[2]
    assert lines[2].endswith("(at /configurationItems/3/supplementaryConfiguration/Options)")
    configuration_lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if '"configuration": ' in text]
    assert lines[0].startswith(f"{path}:{configuration_lines[1]}:")  # the second item's configuration


def test_config_select_result_that_is_not_json_is_reported(tmp_path):
    path = write_json(tmp_path / "select.json", {"Results": ["{\"resourceId\": "], "QueryInfo": {"SelectFields": []}})
    with pytest.raises(InputError) as caught:
        load_inventory([str(path)])
    (problem,) = caught.value.problems
    assert problem.code == "E405" and problem.pointer == "/Results/0"
    assert problem.message.startswith("a result is JSON text (as the AWS Config API returns it) that does not parse")


# --- Azure Resource Graph --------------------------------------------------------------------------------


def test_resource_graph_table_format_from_the_recorded_response(tmp_path):
    body = resource_graph_table()
    assert (body["totalRecords"], body["count"], len(body["data"]["rows"])) == (2, 2, 1)  # the quirk: 2 said, 1 row
    path = write_json(tmp_path / "arg.json", body)
    inventory = load_inventory([str(path)])
    assert inventory.formats[str(path)] == "azure-resource-graph"
    (resource,) = inventory.resources
    assert resource["id"] == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/test_vm/providers/Microsoft.Compute/virtualMachines/cctestvm"
    )
    assert resource["type"] == "microsoft.compute/virtualmachines"  # Resource Graph lower-cases types
    assert resource["class"] == "compute.instance"
    assert (resource["provider"], resource["account"], resource["region"]) == ("azure", SUBSCRIPTION, "southcentralus")
    assert (resource["name"], resource["size"]) == ("cctestvm", "Basic_A0")
    assert resource["tags"] == {"schedule": "on=(M-U,8);off=(M-U,18);tz=pt", "testtag": "testvalue"}
    assert [r["type"] for r in resource["relationships"]] == ["volume", "volume", "network-interface"]
    assert resource["properties"]["properties"]["hardwareProfile"] == {"vmSize": "Basic_A0"}
    assert_canonical(inventory.resources)


def test_resource_graph_object_array_gives_the_same_resources_as_the_table(tmp_path):
    table = resource_graph_table()
    names = [column["name"] for column in table["data"]["columns"]]
    objects = {"totalRecords": 1, "count": 1, "data": [dict(zip(names, row)) for row in table["data"]["rows"]]}
    from_table = load_inventory([str(write_json(tmp_path / "table.json", table))]).resources
    from_objects = load_inventory([str(write_json(tmp_path / "objects.json", objects))]).resources
    bare = load_inventory([str(write_json(tmp_path / "bare.json", objects["data"]))]).resources
    assert from_objects == from_table == bare


def test_arm_list_and_resource_graph_merge_case_insensitively(tmp_path):
    arm = write_json(tmp_path / "arm.json", arm_list())
    graph = write_json(tmp_path / "graph.json", resource_graph_table())
    inventory = load_inventory([str(arm), str(graph)])
    assert inventory.formats == {str(arm): "azure-resource-graph", str(graph): "azure-resource-graph"}
    (resource,) = inventory.resources  # resourceGroups/TEST_VM (ARM) and test_vm (Resource Graph): one VM
    assert "/resourceGroups/TEST_VM/" in resource["id"]  # the first spelling is kept
    assert resource["account"] == SUBSCRIPTION  # ARM has no subscriptionId: taken from the id
    assert resource["size"] == "Basic_A0"
    assert inventory.conflicts == []  # Microsoft.Compute/virtualMachines vs microsoft.compute/virtualmachines
    assert len(resource["relationships"]) == 3
    assert resource["type"] == "Microsoft.Compute/virtualMachines"
    (reversed_order,) = load_inventory([str(graph), str(arm)]).resources
    assert reversed_order["type"] == "Microsoft.Compute/virtualMachines"  # the table's spelling, in either order


def test_resource_graph_power_state_disks_and_public_ips(tmp_path):
    base = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers"
    results = {"data": [
        {"id": f"{base}/Microsoft.Compute/virtualMachines/vm1", "type": "microsoft.compute/virtualmachines",
         "name": "vm1", "location": "westeurope", "subscriptionId": SUBSCRIPTION, "tags": {"team": "search", "env": 1},
         "properties": {"hardwareProfile": {"vmSize": "Standard_D2s_v3"}, "timeCreated": "2024-01-02T03:04:05Z",
                        "extended": {"instanceView": {"powerState": {"code": "PowerState/deallocated"}}}}},
        {"id": f"{base}/Microsoft.Compute/disks/d1", "type": "microsoft.compute/disks", "name": "d1",
         "location": "westeurope", "subscriptionId": SUBSCRIPTION, "sku": {"name": "Premium_LRS"},
         "managedBy": f"{base}/Microsoft.Compute/virtualMachines/vm1", "tags": None,
         "properties": {"diskState": "Attached"}},
        {"id": f"{base}/Microsoft.Network/publicIPAddresses/ip1", "type": "microsoft.network/publicipaddresses",
         "name": "ip1", "location": "westeurope", "subscriptionId": SUBSCRIPTION, "properties": {}},
    ]}
    vm, disk, ip = load_inventory([str(write_json(tmp_path / "arg.json", results))]).resources
    assert (vm["state"], vm["size"], vm["created_at"]) == ("deallocated", "Standard_D2s_v3", "2024-01-02T03:04:05Z")
    assert vm["tags"] == {"team": "search", "env": "1"}  # numbers become strings
    assert (disk["class"], disk["size"], disk["state"], disk["tags"]) == ("block.volume", "Premium_LRS", "Attached", {})
    assert disk["relationships"] == [{"type": "attached-to", "id": f"{base}/Microsoft.Compute/virtualMachines/vm1"}]
    assert (ip["class"], ip["relationships"]) == ("network.public-ip", [])


def test_resource_graph_row_of_the_wrong_width_is_reported(tmp_path):
    table = resource_graph_table()
    table["data"]["rows"][0] = ["microsoft.compute/virtualmachines", "/subscriptions/x", None]
    path = tmp_path / "arg.json"
    text = json.dumps(table, indent=2)
    path.write_text(text, encoding="utf-8")
    row_line = text.splitlines().index('    "rows": [') + 2  # the row starts on the line after "rows": [
    with pytest.raises(InputError) as caught:
        load_inventory([str(path)])
    assert str(caught.value) == (
        f"{path}:{row_line}:7: E405 a row must be an array of 15 values (one per column) (at /data/rows/0)"
    )


# --- GCP Cloud Asset Inventory ---------------------------------------------------------------------------


def test_cloud_asset_inventory_export():
    inventory = load_inventory([str(GCP_ASSETS)])
    assert inventory.formats == {str(GCP_ASSETS): "gcp-asset-inventory"}
    resources = inventory.resources
    assert len(resources) == 5
    assert {r["size"] for r in resources} == {"n1-standard-4"}
    assert {(r["provider"], r["account"], r["region"], r["state"], r["class"]) for r in resources} == {
        ("gcp", "vpc-sc-pub-sub-billing-alerts", "us-central1", "RUNNING", "compute.instance")
    }
    by_name = {r["name"]: r for r in resources}
    # the name is the instance's own (resource.data.name); in this fixture one differs from the asset name's tail
    assert set(by_name) == {
        "valid-instance-8hz5", "invalid-instance-missing-labels-8hz5", "invalid-instance-missing-label1-8hz5",
        "invalid-instance-missing-label2-8hz5", "invalid-instance-missing-label1-and-label2-bad-values",
    }
    assert by_name["invalid-instance-missing-label1-and-label2-bad-values"]["id"] == (
        GCP_PREFIX + "invalid-instance-with-label1-and-label2-bad-values"
    )
    assert by_name["valid-instance-8hz5"]["id"] == GCP_PREFIX + "valid-instance-8hz5"
    assert by_name["invalid-instance-missing-labels-8hz5"]["tags"] == {}
    assert by_name["invalid-instance-missing-label1-8hz5"]["created_at"] == "2018-11-01T12:44:57.303-07:00"
    # the label constraint of the same fixture set: only the valid instance passes
    passing = [
        r["name"] for r in resources
        if re.fullmatch(r"label1-value", str(r["tags"].get("label1")))
        and re.match(r"label2-value", str(r["tags"].get("label2")))
    ]
    assert passing == ["valid-instance-8hz5"]
    assert by_name["valid-instance-8hz5"]["relationships"][0]["type"] == "volume"
    assert_canonical(resources)


@pytest.mark.parametrize("name", ["assets.ndjson", "assets.json"])
def test_cloud_asset_inventory_newline_delimited(tmp_path, name):
    assets = json.loads(GCP_ASSETS.read_text())
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(asset) for asset in assets) + "\n", encoding="utf-8")
    inventory = load_inventory([str(path)])
    assert inventory.formats[str(path)] == "gcp-asset-inventory"
    assert inventory.resources == load_inventory([str(GCP_ASSETS)]).resources


def test_cloud_asset_inventory_api_camel_case_and_assets_wrapper(tmp_path):
    asset = json.loads(GCP_ASSETS.read_text())[0]
    camel = {"name": asset["name"], "assetType": asset["asset_type"], "resource": asset["resource"]}
    path = write_json(tmp_path / "list-assets.json", {"assets": [camel], "readTime": "2024-01-01T00:00:00Z"})
    (resource,) = load_inventory([str(path)]).resources
    expected = load_inventory([str(GCP_ASSETS)]).resources[0]
    assert without_properties(resource) == without_properties(expected)


def test_search_results_and_history_wrappers(tmp_path):
    asset = json.loads(GCP_ASSETS.read_text())[0]
    search_result = {
        "name": "//storage.googleapis.com/acme-logs", "assetType": "storage.googleapis.com/Bucket",
        "project": "projects/216968792402", "displayName": "acme-logs", "location": "us-east1",
        "labels": {"team": "search"}, "state": "ACTIVE", "createTime": "2020-01-01T00:00:00Z",
    }
    history = {"assets": [{"window": {"startTime": "2018-11-01T00:00:00Z"}, "asset": asset}, search_result]}
    instance, bucket = load_inventory([str(write_json(tmp_path / "history.json", history))]).resources
    assert instance["name"] == "valid-instance-8hz5"
    assert without_properties(bucket) == {
        "id": "//storage.googleapis.com/acme-logs", "type": "storage.googleapis.com/Bucket", "class": "storage.bucket",
        "provider": "gcp", "account": "216968792402", "region": "us-east1", "name": "acme-logs",
        "tags": {"team": "search"}, "size": None, "state": "ACTIVE", "created_at": "2020-01-01T00:00:00Z",
        "relationships": [], "utilization": {},
    }


def test_single_asset_object(tmp_path):
    asset = json.loads(GCP_ASSETS.read_text())[1]
    (resource,) = load_inventory([str(write_json(tmp_path / "one.json", asset))]).resources
    assert resource["name"] == "invalid-instance-missing-labels-8hz5"


# --- detection and the adapter table ---------------------------------------------------------------------


def test_adapter_table_order_is_fixed():
    assert list(ADAPTERS) == ["costwarden", "aws-tagging", "aws-config", "azure-resource-graph", "gcp-asset-inventory"]


def test_each_real_export_is_detected_as_its_format():
    documents = {
        "aws-tagging": json.loads(TAGGING.read_text()),
        "aws-config": json.loads(CONFIG_ITEM.read_text()),
        "azure-resource-graph": resource_graph_table(),
        "gcp-asset-inventory": json.loads(GCP_ASSETS.read_text()),
        "costwarden": json.loads((ROOT / "examples" / "inventory.json").read_text()),
    }
    assert {name: detect_format(doc) for name, doc in documents.items()} == {name: name for name in documents}
    for name, doc in documents.items():  # no other adapter claims it
        assert [other for other, (detect, _) in ADAPTERS.items() if detect(doc)] == [name]


def test_bare_list_of_azure_objects_is_not_taken_for_canonical_resources():
    azure_object = {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d",
                    "type": "microsoft.compute/disks", "location": "westeurope"}
    canonical = {"id": azure_object["id"], "type": azure_object["type"], "provider": "azure", "region": "westeurope"}
    assert detect_format([azure_object]) == "azure-resource-graph"
    assert detect_format([canonical]) == "costwarden"


def test_forced_format_that_does_not_fit_reports_structure_problems(tmp_path):
    with pytest.raises(InputError) as caught:
        load_inventory([str(TAGGING)], format="gcp-asset-inventory")
    text = str(caught.value)
    assert "tagging.GetResources_1.json:1:1: E405 missing 'name'" in text


# --- the class vocabulary -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "provider, native, expected",
    [
        ("aws", "AWS::EC2::Instance", "compute.instance"),
        ("aws", "ec2:instance", "compute.instance"),
        ("aws", "aws_instance", "compute.instance"),
        ("aws", "AWS::EC2::Volume", "block.volume"),
        ("aws", "rds:snapshot", "database.snapshot"),
        ("aws", "AWS::RDS::DBSnapshot", "database.snapshot"),
        ("aws", "rds:db", "database.instance"),
        ("aws", "s3:bucket", "storage.bucket"),
        ("aws", "ec2:elastic-ip", "network.public-ip"),
        ("aws", "AWS::ElasticLoadBalancingV2::LoadBalancer", "network.load-balancer"),
        ("aws", "eks:cluster", "kubernetes.cluster"),
        ("azure", "Microsoft.Compute/virtualMachines", "compute.instance"),
        ("azure", "microsoft.compute/virtualmachines", "compute.instance"),
        ("azure", "MICROSOFT.COMPUTE/DISKS", "block.volume"),
        ("azure", "azurerm_linux_virtual_machine", "compute.instance"),
        ("azure", "Microsoft.Sql/servers/databases", "database.instance"),
        ("azure", "Microsoft.ContainerService/managedClusters", "kubernetes.cluster"),
        ("gcp", "compute.googleapis.com/Instance", "compute.instance"),
        ("gcp", "compute.googleapis.com/ForwardingRule", "network.load-balancer"),
        ("gcp", "sqladmin.googleapis.com/Instance", "database.instance"),
        ("gcp", "google_compute_disk", "block.volume"),
        ("aws", "AWS::IAM::Role", None),
        ("other", "", None),
        ("other", None, None),
    ],
)
def test_classify(provider, native, expected):
    assert classify(provider, native) == expected


@pytest.mark.parametrize(
    "native, provider",
    [
        ("AWS::EC2::Instance", "aws"), ("ec2:instance", "aws"), ("aws_instance", "aws"),
        ("autoscaling:autoScalingGroup", "aws"), ("Microsoft.Compute/disks", "azure"),
        ("microsoft.network/publicipaddresses", "azure"), ("azurerm_public_ip", "azure"),
        ("compute.googleapis.com/Instance", "gcp"), ("google_storage_bucket", "gcp"),
        ("kubernetes_deployment", "kubernetes"), ("Deployment", None), ("", None),
    ],
)
def test_provider_of_type(native, provider):
    assert provider_of_type(native) == provider


def test_each_native_name_has_one_class_and_every_class_a_description():
    class_of: dict[str, str] = {}
    for name, _, kinds in CLASS_TABLE:
        for kind in kinds:
            assert len({s.lower() for s in kind}) == len(kind), kind  # no spelling twice in a kind
            for spelling in kind:
                assert class_of.setdefault(spelling.lower(), name) == name, spelling
    assert all(description.strip() for description in CLASSES.values())
    for required in ("compute.instance", "block.volume", "block.snapshot", "storage.bucket", "network.public-ip",
                     "network.load-balancer", "database.instance", "kubernetes.cluster"):
        assert required in CLASSES


def test_kinds_are_keyed_by_their_first_spelling_and_belong_to_one_provider():
    keys = [kind[0] for _, _, kinds in CLASS_TABLE for kind in kinds]
    assert len(keys) == len(set(keys)) == len(KINDS)
    for key, spellings in KINDS.items():
        assert spellings[0] == key
        assert len({provider_of_type(spelling) for spelling in spellings}) == 1, spellings
        assert provider_of_type(key) is not None
    # the only spelling that names two kinds: the tagging API's name of classic and v2 load balancers
    shared = sorted({s for kind in KINDS.values() for s in kind if len(kinds_of(s)) > 1})
    assert shared == ["elasticloadbalancing:loadbalancer"]


def test_schema_class_enum_is_the_vocabulary():
    schema = json.loads((ROOT / "schemas" / "inventory.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["resource"]["properties"]["class"]["enum"] == [*CLASSES, None]
