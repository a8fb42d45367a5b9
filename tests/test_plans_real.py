"""Every real plan in tests/data/realdata (and the plan a real Terraform 1.15 made of
tests/data/plans/terraform-data/config): resources, actions, addresses, tags and positions.

Expected values were read by hand from the JSON files; positions are checked against the other
JSON tokenizer of the code base (engine.inventory.jsonpos), which shares nothing with the plan reader.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from engine.documents.schemas import _registry, load_schema
from engine.inventory.jsonpos import locate_paths
from engine.inventory.reading import line_and_column
from engine.plans import SENSITIVE, is_sensitive, is_unknown, load_plans, location, unknown_tags
from tests.conftest import REALDATA, ROOT

INFRACOST = REALDATA / "infracost" / "terraform_v0.14_plan.json"
DEFAULT_TAGS = REALDATA / "infracost" / "breakdown_with_policy_data_upload_plan_json" / "plan.json"
AZURE_MODULES = REALDATA / "terraform-compliance" / "test_issue-294" / "plan.out.json"
LAMBDA = REALDATA / "terraform-compliance" / "test_issue_522" / "plan.out.json"
SENSITIVE_MODULES = REALDATA / "terraform-compliance" / "test_non_created_module_resource_parameter" / "plan.out.json"
GCP = REALDATA / "checkov" / "plan_booleans" / "tfplan.json"
ASG = REALDATA / "checkov" / "plan_tags_variety" / "tfplan.json"
NEWEST = REALDATA / "checkov" / "plan_provisioners" / "tfplan.json"
TERRAGOAT = REALDATA / "checkov" / "plan_tags" / "tfplan.json"
REPLACED = REALDATA / "checkov" / "plan_with_deleted_resources" / "tfplan.json"
TERRAFORM_DATA = ROOT / "tests" / "data" / "plans" / "terraform-data" / "plan.json"

PLANS = [INFRACOST, DEFAULT_TAGS, AZURE_MODULES, LAMBDA, SENSITIVE_MODULES, GCP, ASG, NEWEST, TERRAGOAT, REPLACED,
         TERRAFORM_DATA]


def by_id(snapshot) -> dict:
    return {resource["id"]: resource for resource in snapshot.resources}


@pytest.mark.parametrize("path", PLANS, ids=lambda path: str(path.relative_to(ROOT / "tests" / "data")))
def test_every_resource_validates_and_sits_where_its_entry_starts(path):
    validator = Draft202012Validator(load_schema("plan-resource.schema.json"), registry=_registry())
    snapshot = load_plans([str(path)], scope="all")
    entries = json.loads(path.read_text(encoding="utf-8"))["resource_changes"]
    assert [r["change"]["address"] for r in snapshot.resources] == [entry["address"] for entry in entries]
    data = path.read_bytes()
    offsets = locate_paths(data, [("resource_changes", number) for number in range(len(entries))])
    for number, resource in enumerate(snapshot.resources):
        assert not list(validator.iter_errors(resource)), resource["id"]
        line, column = line_and_column(data, offsets[("resource_changes", number)])
        assert resource["change"]["plan_location"] == {"file": str(path), "line": line, "column": column}
        assert location(resource) == resource["change"]["plan_location"]  # no source_dir


def test_infracost_default_scope_is_the_creates_and_the_update():
    snapshot = load_plans([str(INFRACOST)])
    assert snapshot.counts == {"no-op": 13, "create": 12, "update": 1}
    assert snapshot.notes == [f"{INFRACOST}: not evaluated (13 no-op): scope 'changes' keeps what the change "
                              "creates, updates or replaces"]
    assert [(r["id"], r["change"]["action"]) for r in snapshot.resources] == [
        ("aws_instance.instance_2", "create"),
        ("aws_instance.instance_counted[1]", "create"),
        ('aws_instance.instance_named["test.2"]', "create"),
        ("module.db.module.db_1.module.db_instance.aws_db_instance.this[0]", "update"),
        ("module.db.module.db_2.module.db_instance.aws_db_instance.this[0]", "create"),
        ("module.db.module.db_2.module.db_instance.aws_iam_role.enhanced_monitoring[0]", "create"),
        ("module.db.module.db_2.module.db_instance.aws_iam_role_policy_attachment.enhanced_monitoring[0]", "create"),
        ("module.db.module.db_2.module.db_option_group.aws_db_option_group.this[0]", "create"),
        ("module.db.module.db_2.module.db_parameter_group.aws_db_parameter_group.this[0]", "create"),
        ("module.db.module.db_2.module.db_subnet_group.aws_db_subnet_group.this[0]", "create"),
        ("module.instances.aws_instance.module_instance_2", "create"),
        ("module.instances.aws_instance.module_instance_counted[1]", "create"),
        ('module.instances.aws_instance.module_instance_named["test.2"]', "create"),
    ]
    resources = by_id(snapshot)
    named = resources['module.instances.aws_instance.module_instance_named["test.2"]']
    assert (named["type"], named["class"], named["provider"], named["region"], named["size"], named["name"]) == (
        "aws_instance", "compute.instance", "aws", "us-east-1", "t3.nano", "test.2")
    assert named["tags"] == {"Name": "test.2"} and unknown_tags(named) == frozenset()
    assert named["change"] | {"unknown": None, "plan_location": None} == {
        "action": "create", "actions": ["create"], "address": 'module.instances.aws_instance.module_instance_named["test.2"]',
        "previous_address": None, "module_address": "module.instances", "mode": "managed",
        "name": "module_instance_named", "index": "test.2", "deposed": None,
        "provider_name": "registry.terraform.io/hashicorp/aws", "action_reason": None, "unknown": None,
        "sensitive": [], "plan_location": None, "source_location": None}
    assert named["properties"]["ami"] == "ami-0ff8a91507f77f867" and "arn" not in named["properties"]
    assert is_unknown(named, "properties.arn") and is_unknown(named, ("account",)) and not is_unknown(named, "size")
    # tags null and tags_all unknown (AWS provider 3.x): the tag map is open, no key is missing
    counted = resources["aws_instance.instance_counted[1]"]
    assert counted["tags"] == {} and unknown_tags(counted) is True and is_unknown(counted, "tags.team")
    assert counted["change"]["index"] == 1
    database = resources["module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"]
    assert (database["class"], database["size"], database["account"], database["name"]) == (
        "database.instance", "db.t3.micro", "123123123123", "demodb")  # the account of its arn: it exists
    assert database["tags"] == {"Environment": "dev", "Name": "demodb", "Owner": "user2"}
    assert database["change"]["unknown"] == []


def test_infracost_scope_all_reads_no_op_entries_with_their_values():
    resources = by_id(load_plans([str(INFRACOST)], scope="all"))
    assert len(resources) == 26
    unchanged = resources['aws_instance.instance_named["test.1"]']
    assert unchanged["change"]["action"] == "no-op" and unchanged["tags"] == {"Name": "test.1"}
    assert unchanged["account"] == "123123123123" and unchanged["region"] == "us-east-1"


def test_provider_default_tags_are_part_of_the_effective_tags():
    """infracost's plan with `default_tags` in the provider block: tags_all merges them with tags."""
    resources = by_id(load_plans([str(DEFAULT_TAGS)]))
    web = resources["aws_instance.web_app"]
    assert web["tags"] == {"DefaultNotOverride": "defaultnotoverride", "DefaultOverride": "defaultoverride", "foo": "bar"}
    assert web["properties"]["tags"] == {"foo": "bar"} and web["size"] == "m5.4xlarge"
    assert resources["aws_dynamodb_table.autoscale_dynamodb_table"]["tags"] == {
        "DefaultNotOverride": "defaultnotoverride", "DefaultOverride": "defaultoverride"}


def test_azure_plan_with_two_modules():
    snapshot = load_plans([str(AZURE_MODULES)])
    assert snapshot.counts == {"create": 18, "read": 2} and len(snapshot.resources) == 18
    resources = by_id(snapshot)
    linux = resources["module.linuxservers-fail.azurerm_virtual_machine.vm-linux[0]"]
    windows = resources["module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]"]
    assert (linux["class"], linux["provider"], linux["size"], linux["name"]) == (
        "compute.instance", "azure", "Standard_D2s_v3", "myvm-vmLinux-0")
    assert linux["tags"] == {"customer": "foo", "environment": "dev", "foo": "bar", "project": "bar"}
    assert windows["tags"] == {"backmeup": "false", "customer": "foo", "environment": "dev", "foo": "bar",
                               "project": "bar", "terraform": "true"}
    assert resources["azurerm_resource_group.main"]["region"] == "northeurope"
    assert resources["azurerm_resource_group.main"]["tags"] == {}  # tags null
    # location comes from a data source read at apply time: unknown, not absent
    availability_set = resources["module.linuxservers-fail.azurerm_availability_set.vm"]
    assert availability_set["region"] is None and is_unknown(availability_set, "region")
    read = by_id(load_plans([str(AZURE_MODULES)], scope="all"))["module.linuxservers-fail.data.azurerm_resource_group.vm"]
    assert read["change"]["mode"] == "data" and read["change"]["action"] == "read" and unknown_tags(read) is True


def test_deletes_are_left_out_by_default_and_read_from_their_before_values():
    snapshot = load_plans([str(LAMBDA)])
    assert snapshot.counts == {"delete": 2, "no-op": 7, "update": 1, "create": 5}
    assert {r["change"]["action"] for r in snapshot.resources} == {"create", "update"} and len(snapshot.resources) == 6
    deleted = by_id(load_plans([str(LAMBDA)], scope="all"))[
        "aws_cloudwatch_event_rule.Metricos_custom_alert_schedule_frequent[0]"]
    assert deleted["change"]["action"] == "delete" and deleted["change"]["unknown"] == []
    assert deleted["tags"]["Owner"] == "Metricos" and deleted["tags"]["Team"] == "Metricos"
    assert deleted["name"] == "metrics-lambda-primary-alert-schedule"


def test_google_labels_not_network_tags():
    """checkov's plan: the instance has network `tags` ["bar", "foo"] and `labels` null."""
    resources = by_id(load_plans([str(GCP)]))
    instance = resources["google_compute_instance.default"]
    assert instance["properties"]["tags"] == ["bar", "foo"] and instance["tags"] == {}
    assert (instance["provider"], instance["size"], instance["region"], instance["account"]) == (
        "gcp", "e2-medium", "us-central1", "test")  # its zone us-central1-c beats the provider's region
    assert instance["change"]["sensitive"] == ["/properties/boot_disk/0/disk_encryption_key_raw"]
    assert is_sensitive(instance, ("properties", "boot_disk", 0, "disk_encryption_key_raw"))
    account = resources["google_service_account.default"]
    assert account["region"] == "europe-west2" and account["account"] == "test"  # the provider block's


def test_auto_scaling_group_tag_shapes():
    resources = by_id(load_plans([str(ASG)]))
    # `tags` as a list of {key, value, propagate_at_launch: "true"}, and `tag` blocks (a boolean)
    assert resources["aws_autoscaling_group.example"]["tags"] == {"tag1": "test", "tag2": "test"}
    assert resources["aws_autoscaling_group.example2"]["tags"] == {"tag1": "test", "tag2": "test"}
    assert resources["aws_autoscaling_group.example"]["class"] == "compute.scale-group"
    assert resources["aws_dynamodb_table.basic-dynamodb-table"]["tags"] == {"tag1": "test", "tag2": "test"}


def test_newest_format_version():
    snapshot = load_plans([str(NEWEST)])
    assert snapshot.plans[0].to_dict() == {"file": str(NEWEST), "format_version": "1.2", "terraform_version": "1.5.7",
                                           "counts": {"create": 1}, "resources": 1}
    (web,) = snapshot.resources
    assert (web["id"], web["size"], web["region"], web["tags"], web["name"]) == (
        "aws_instance.web", "t3.micro", "us-west-1", {"Name": "HelloWorld"}, "HelloWorld")


def test_terragoat_like_plan():
    resources = load_plans([str(TERRAGOAT)]).resources
    assert len(resources) == 55 and sum(1 for r in resources if r["tags"]) == 29
    volume = by_id(load_plans([str(TERRAGOAT)]))["aws_ebs_volume.web_host_storage"]
    assert volume["class"] == "block.volume" and volume["size"] is None and is_unknown(volume, "size")  # type computed
    assert {r["id"]: r["size"] for r in resources if r["class"] == "compute.instance"} == {
        "aws_instance.db_app": "t2.nano", "aws_instance.web_host": "t2.nano"}


def test_create_before_destroy_replace():
    (secret,) = load_plans([str(REPLACED)]).resources
    assert secret["change"]["actions"] == ["create", "delete"] and secret["change"]["action"] == "replace"
    assert unknown_tags(secret) is True and secret["region"] == "us-west-2"


def test_sensitive_values_never_appear_in_the_resources():
    """terraform-compliance's plan: aws_ssm_parameter values marked sensitive, one of them known."""
    raw = json.loads(SENSITIVE_MODULES.read_text())
    secrets = set()
    for entry in raw["resource_changes"]:
        for key, mark in (entry["change"].get("after_sensitive") or {}).items():
            value = (entry["change"]["after"] or {}).get(key)
            if mark is True and isinstance(value, str):
                secrets.add(value)
    assert secrets == {"cc-testapi"}
    snapshot = load_plans([str(SENSITIVE_MODULES)])
    parameter = by_id(snapshot)["module.apigw_test_1.aws_ssm_parameter.api_gw_name"]
    assert parameter["properties"]["value"] == SENSITIVE and parameter["change"]["sensitive"] == ["/properties/value"]
    assert "cc-testapi" not in json.dumps(parameter)
    certificate = by_id(snapshot)["module.apigw_test_1.module.acm_cert_regional[0].aws_acm_certificate.cert"]
    assert certificate["change"]["module_address"] == "module.apigw_test_1.module.acm_cert_regional[0]"
    assert certificate["tags"] == {"product": "cc"} and certificate["region"] == "eu-west-1"


def test_a_plan_made_by_terraform_1_15_with_every_action():
    snapshot = load_plans([str(TERRAFORM_DATA)], scope="all")
    assert snapshot.counts == {"read": 1, "no-op": 11, "forget": 1, "replace": 1, "delete": 1, "update": 1, "create": 2}
    resources = by_id(snapshot)
    assert {r["id"]: r["change"]["action"] for r in snapshot.resources if r["change"]["action"] != "no-op"} == {
        "data.terraform_remote_state.later": "read",
        "terraform_data.forgotten": "forget",
        "terraform_data.replaced": "replace",
        "terraform_data.retired": "delete",
        "terraform_data.web": "update",
        'module.regional["us"].terraform_data.server': "create",
        'module.regional["us"].module.db.terraform_data.database': "create",
    }
    assert resources["terraform_data.replaced"]["change"]["actions"] == ["delete", "create"]
    assert resources["terraform_data.renamed"]["change"]["previous_address"] == "terraform_data.old_name"
    assert resources['terraform_data.by_key["a.b"]']["change"]["index"] == "a.b"
    assert resources["terraform_data.counted[1]"]["change"]["index"] == 1
    web = resources["terraform_data.web"]
    assert web["provider"] == "other" and web["class"] is None
    assert web["properties"]["input"]["instance_type"] == "m7i.large" and is_unknown(web, "properties.output")
    forgotten = resources["terraform_data.forgotten"]
    assert forgotten["properties"]["input"] == "removed from the state, not destroyed"  # its before values
    # var.db_password is sensitive; nonsensitive() copies it into a string that is not marked, and
    # terraform_data's `output` (a copy of `input` in the state) carries it with no mark at all
    secret = resources["terraform_data.secret"]
    raw = next(e for e in json.loads(TERRAFORM_DATA.read_text())["resource_changes"] if e["address"] == "terraform_data.secret")
    assert raw["change"]["after_sensitive"]["output"] == {} and raw["change"]["after"]["output"]["password"] == "s3cr3t-Passw0rd"
    assert secret["change"]["sensitive"] == ["/properties/input/password"]
    assert secret["properties"]["input"] == secret["properties"]["output"] == {
        "password": SENSITIVE, "connection": f"postgres://app:{SENSITIVE}@db.internal:5432/app"}
    assert "s3cr3t-Passw0rd" not in json.dumps(snapshot.resources)
    assert "s3cr3t-Passw0rd" in TERRAFORM_DATA.read_text()  # the plan itself holds it (its variables, its values)
    default = load_plans([str(TERRAFORM_DATA)])
    assert [r["id"] for r in default.resources] == [
        "terraform_data.replaced", "terraform_data.web", 'module.regional["us"].terraform_data.server',
        'module.regional["us"].module.db.terraform_data.database']
    assert default.notes == [f"{TERRAFORM_DATA}: not evaluated (1 delete, 1 forget, 11 no-op, 1 read): scope 'changes' "
                             "keeps what the change creates, updates or replaces"]


def test_two_plans_with_one_address_are_both_kept_and_warned_about():
    snapshot = load_plans([str(NEWEST), str(NEWEST)])
    assert [r["id"] for r in snapshot.resources] == ["aws_instance.web", "aws_instance.web"]
    assert snapshot.warnings == [f"{NEWEST}: aws_instance.web is twice in this plan: both are kept, and their "
                                 "findings share a fingerprint"]
    assert snapshot.sources == [str(NEWEST), str(NEWEST)]


def test_the_api_entry_point():
    import engine

    snapshot = engine.load_plans([Path(INFRACOST)], scope="all")
    assert len(snapshot.resources) == 26 and "load_plans" in engine.__all__
    assert [r["id"] for r in engine.load_plans(INFRACOST).resources] == [r["id"] for r in engine.load_plans([str(INFRACOST)]).resources]
