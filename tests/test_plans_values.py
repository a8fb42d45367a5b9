"""Unknown values, sensitive values, effective tags, sizes and places, on synthetic resource changes
shaped as Terraform writes them (the real plans are in test_plans_real.py)."""

from __future__ import annotations

import json

import pytest

from engine.plans import SENSITIVE, is_sensitive, is_unknown, load_plans, unknown_tags

AWS = "registry.terraform.io/hashicorp/aws"
AZURE = "registry.terraform.io/hashicorp/azurerm"
GOOGLE = "registry.terraform.io/hashicorp/google"


def change(address, after, *, actions=("create",), before=None, after_unknown=None, after_sensitive=None,
           before_sensitive=None, provider=AWS, mode="managed"):
    tf_type, name = address.rsplit(".", 2)[-2:]
    return {"address": address, "mode": mode, "type": tf_type, "name": name, "provider_name": provider,
            "change": {"actions": list(actions), "before": before, "after": after,
                       "after_unknown": after_unknown if after_unknown is not None else {},
                       "before_sensitive": before_sensitive if before_sensitive is not None else False,
                       "after_sensitive": after_sensitive if after_sensitive is not None else {}}}


def load(write, *entries, provider_config=None, scope="changes"):
    doc = {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {}},
           "resource_changes": list(entries)}
    if provider_config is not None:
        doc["configuration"] = {"provider_config": provider_config, "root_module": {"resources": [
            {"address": entry["address"], "mode": "managed", "type": entry["type"], "name": entry["name"],
             "provider_config_key": "aws"} for entry in entries]}}
    snapshot = load_plans([str(write("plan.json", json.dumps(doc, indent=1)))], scope=scope)
    return snapshot.resources[0] if len(snapshot.resources) == 1 else snapshot


# --- unknown values -----------------------------------------------------------------------------------


def test_a_wholly_unknown_tags_all_leaves_the_keys_open_with_the_known_ones_kept(write):
    """AWS plans tags_all unknown when a tag or default tag is not known yet; tags and the provider's
    constant default_tags are what tags_all will hold at least."""
    provider_config = {"aws": {"name": "aws", "expressions": {
        "region": {"constant_value": "eu-west-1"},
        "default_tags": [{"tags": {"constant_value": {"managed-by": "terraform", "team": "platform"}}}]}}}
    resource = load(write, change("aws_instance.web", {"instance_type": "t3.micro", "tags": {"team": "payments"}},
                                  after_unknown={"tags_all": True, "arn": True}), provider_config=provider_config)
    assert resource["tags"] == {"managed-by": "terraform", "team": "payments"}  # the resource's tag wins
    assert unknown_tags(resource) is True and resource["change"]["unknown"] == [
        "/account", "/properties/arn", "/properties/tags_all", "/tags"]
    assert is_unknown(resource, "tags.cost-center") and is_unknown(resource, ("tags", "team"))
    assert not is_unknown(resource, "size") and resource["region"] == "eu-west-1"


def test_an_unknown_tag_value_is_left_out_and_named(write):
    resource = load(write, change("aws_instance.web", {"tags": {"team": "payments"}, "tags_all": {"team": "payments"}},
                                  after_unknown={"tags": {"build": True}, "tags_all": {"build": True}}))
    # Terraform leaves the unknown element out of the map in `after`; its key is in after_unknown
    assert resource["tags"] == {"team": "payments"}
    assert unknown_tags(resource) == frozenset({"build"}) and resource["change"]["unknown"] == [
        "/properties/tags/build", "/properties/tags_all/build", "/tags/build"]
    assert is_unknown(resource, "tags.build") and is_unknown(resource, "tags") and not is_unknown(resource, "tags.team")
    assert not is_unknown(resource, "tags.cost-center")  # absent, and the plan says so: a missing tag


def test_unknown_size_region_and_whole_values(write):
    resource = load(write, change("aws_instance.web", {"ami": "ami-1"},
                                  after_unknown={"instance_type": True, "availability_zone": True}))
    assert resource["size"] is None and resource["region"] is None
    assert is_unknown(resource, "size") and is_unknown(resource, "region")
    everything = load(write, change("aws_instance.web", None, after_unknown=True))
    assert everything["properties"] == {} and everything["change"]["unknown"] == [
        "/account", "/properties", "/region", "/size", "/tags"]
    assert is_unknown(everything, "properties.ami")
    assert not is_unknown({"id": "i-1", "tags": {}}, "tags.team") and unknown_tags({"id": "i-1"}) == frozenset()


def test_unknown_list_elements_and_nested_paths(write):
    after = {"ebs_block_device": [{"device_name": "/dev/sdb", "volume_id": None}, None], "instance_type": "t3.micro"}
    resource = load(write, change("aws_instance.web", after,
                                  after_unknown={"ebs_block_device": [{"volume_id": True}, True]}))
    assert resource["change"]["unknown"] == ["/properties/ebs_block_device/0/volume_id",
                                             "/properties/ebs_block_device/1"]
    assert is_unknown(resource, ("properties", "ebs_block_device"))  # something inside it is unknown
    assert is_unknown(resource, "/properties/ebs_block_device/0/volume_id")
    assert not is_unknown(resource, ("properties", "ebs_block_device", 0, "device_name"))


# --- sensitive values ---------------------------------------------------------------------------------


def test_a_sensitive_tag_is_hidden_where_marked_and_where_tags_all_repeats_it_unmarked(write):
    """A tag value from a sensitive variable: Terraform marks tags.cost-center; the provider copies it
    into tags_all (the effective tags) without the mark."""
    after = {"tags": {"cost-center": "CC-7391", "team": "payments"},
             "tags_all": {"cost-center": "CC-7391", "team": "payments"}, "instance_type": "t3.micro"}
    resource = load(write, change("aws_instance.web", after, after_sensitive={"tags": {"cost-center": True}}))
    assert resource["tags"] == {"cost-center": SENSITIVE, "team": "payments"}
    assert resource["properties"]["tags_all"]["cost-center"] == SENSITIVE
    assert resource["change"]["sensitive"] == ["/properties/tags/cost-center", "/tags/cost-center"]
    assert is_sensitive(resource, "tags.cost-center") and not is_sensitive(resource, "tags.team")
    assert "CC-7391" not in json.dumps(resource)


def test_a_sensitive_value_only_in_tags_all_unmarked(write):
    """The secret is marked on another attribute and reappears, unmarked, only as a tag value in tags_all."""
    after = {"user_data": "token-9f8e7d", "tags": {"team": "payments"},
             "tags_all": {"team": "payments", "deploy-token": "token-9f8e7d"}}
    resource = load(write, change("aws_instance.web", after, after_sensitive={"user_data": True}))
    assert resource["tags"] == {"team": "payments", "deploy-token": SENSITIVE}
    assert resource["change"]["sensitive"] == ["/properties/user_data", "/tags/deploy-token"]
    assert "token-9f8e7d" not in json.dumps(resource)


def test_every_occurrence_is_replaced_inside_longer_strings_names_and_keys(write):
    after = {"password": "Sup3rSecret", "port": 5432, "name": "db-Sup3rSecret",
             "connection": "postgres://admin:Sup3rSecret@db:5432/app", "labels": {"Sup3rSecret": "x"},
             "tags": {"Name": "Sup3rSecret"}, "tags_all": {"Name": "Sup3rSecret"}}
    resource = load(write, change("aws_db_instance.main", after, after_sensitive={"password": True, "port": True}))
    text = json.dumps(resource)
    assert "Sup3rSecret" not in text and "5432" not in text
    assert resource["properties"]["connection"] == f"postgres://admin:{SENSITIVE}@db:{SENSITIVE}/app"
    assert resource["properties"]["port"] == SENSITIVE and resource["name"] == SENSITIVE
    assert resource["properties"]["labels"] == {SENSITIVE: "x"}


def test_short_sensitive_strings_are_replaced_only_where_a_whole_value_equals_them(write):
    after = {"pin": "42a", "other": "42a", "description": "build 42a7"}
    resource = load(write, change("aws_instance.web", after, after_sensitive={"pin": True}))
    assert resource["properties"] == {"pin": SENSITIVE, "other": SENSITIVE, "description": "build 42a7"}


def test_a_wholly_sensitive_tag_map_shows_no_tags(write):
    after = {"tags": {"team": "payments", "secret-key": "x1"}, "tags_all": {"team": "payments", "secret-key": "x1"}}
    resource = load(write, change("aws_instance.web", after, after_sensitive={"tags": True, "tags_all": True}))
    assert resource["tags"] == {} and is_sensitive(resource, "tags.team")
    assert resource["change"]["sensitive"] == ["/properties/tags", "/properties/tags_all", "/tags"]
    assert "secret-key" not in json.dumps(resource) and "payments" not in json.dumps(resource)


def test_deleted_resources_hide_their_before_sensitive_values(write):
    before = {"value": "old-secret-value", "name": "param", "tags_all": {}}
    snapshot = load(write, change("aws_ssm_parameter.p", None, actions=("delete",), before=before,
                                  before_sensitive={"value": True}, after_sensitive=False), scope="all")
    assert snapshot["properties"]["value"] == SENSITIVE and "old-secret-value" not in json.dumps(snapshot)


def test_a_secret_of_the_side_not_shown_is_hidden_too(write):
    """An update whose old value was sensitive and whose new values repeat it without a mark."""
    resource = load(write, change("aws_instance.web", {"user_data": "rotated", "note": "was hunter2-hunter2"},
                                  actions=("update",), before={"user_data": "hunter2-hunter2", "note": "x"},
                                  before_sensitive={"user_data": True}))
    assert resource["properties"]["note"] == f"was {SENSITIVE}"


def test_warnings_about_a_resource_never_quote_a_value(write):
    after = {"tags": {"owner": ["alice-private-id"]}, "tags_all": {"owner": ["alice-private-id"], "env": "dev"}}
    doc = {"format_version": "1.2", "planned_values": {}, "resource_changes": [change("aws_instance.web", after)]}
    snapshot = load_plans([str(write("plan.json", json.dumps(doc)))])
    assert snapshot.resources[0]["tags"] == {"env": "dev"}
    assert len(snapshot.warnings) == 1 and "alice-private-id" not in snapshot.warnings[0]


# --- effective tags per provider --------------------------------------------------------------------------


def test_tag_values_follow_the_canonical_rule(write):
    snapshot = load_plans([str(write("plan.json", json.dumps({
        "format_version": "1.2", "planned_values": {}, "resource_changes": [
            change("aws_instance.web", {"tags_all": {"a": "x", "b": False, "c": 12, "d": True, "e": None, "f": ["a"]}}),
        ]})))])
    (resource,) = snapshot.resources
    assert resource["tags"] == {"a": "x", "b": "false", "c": "12", "d": True}
    assert snapshot.warnings == [
        f"{snapshot.sources[0]}: aws_instance.web: tag 'e' has a value that is not a string; left out of its tags",
        f"{snapshot.sources[0]}: aws_instance.web: tag 'f' has a value that is not a string; left out of its tags"]


def test_google_effective_labels_over_labels_and_network_tags_never(write):
    after = {"machine_type": "projects/p/zones/europe-west1-b/machineTypes/n2-standard-4", "zone": "europe-west1-b",
             "project": "shop-prod", "tags": ["http-server", "team"],
             "labels": {"team": "search"}, "terraform_labels": {"team": "search", "goog-terraform": "true"},
             "effective_labels": {"team": "search", "goog-terraform": "true", "env": "prod"}}
    resource = load(write, change("google_compute_instance.vm", after, provider=GOOGLE))
    assert resource["tags"] == {"team": "search", "goog-terraform": "true", "env": "prod"}
    assert (resource["size"], resource["region"], resource["account"]) == ("n2-standard-4", "europe-west1", "shop-prod")
    unknown_effective = load(write, change("google_compute_instance.vm", dict(after, effective_labels=None),
                                           provider=GOOGLE, after_unknown={"effective_labels": True}))
    assert unknown_effective["tags"] == {"team": "search", "goog-terraform": "true"}
    assert unknown_tags(unknown_effective) is True
    only_network_tags = load(write, change("google_compute_instance.vm", {"tags": ["web"], "labels": None},
                                           provider=GOOGLE))
    assert only_network_tags["tags"] == {}


def test_azure_tags_location_subscription_and_size(write):
    after = {"id": "/subscriptions/0000-1111/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
             "location": "West Europe", "size": "Standard_D2s_v5", "tags": {"team": "payments", "backup": "true"}}
    resource = load(write, change("azurerm_linux_virtual_machine.vm", after, actions=("update",), provider=AZURE))
    assert (resource["class"], resource["provider"], resource["region"], resource["account"], resource["size"]) == (
        "compute.instance", "azure", "westeurope", "0000-1111", "Standard_D2s_v5")
    assert resource["tags"] == {"team": "payments", "backup": "true"}
    unknown = load(write, change("azurerm_linux_virtual_machine.vm", {"location": "westeurope"}, provider=AZURE,
                                 after_unknown={"tags": True}))
    assert unknown["tags"] == {} and unknown_tags(unknown) is True


def test_auto_scaling_group_tag_with_an_unknown_value(write):
    after = {"tag": [{"key": "team", "value": "payments", "propagate_at_launch": True},
                     {"key": "build", "value": None, "propagate_at_launch": True}]}
    resource = load(write, change("aws_autoscaling_group.asg", after, after_unknown={"tag": [{}, {"value": True}]}))
    assert resource["tags"] == {"team": "payments"} and unknown_tags(resource) == frozenset({"build"})


@pytest.mark.parametrize("tf_type, after, size", [
    ("aws_instance", {"instance_type": "m7i.large"}, "m7i.large"),
    ("aws_db_instance", {"instance_class": "db.r6g.large"}, "db.r6g.large"),
    ("aws_ebs_volume", {"type": "gp2", "size": 100}, "gp2"),
    ("aws_elasticache_cluster", {"node_type": "cache.t3.micro"}, "cache.t3.micro"),
    ("aws_s3_bucket", {"bucket": "b"}, None),
    ("azurerm_virtual_machine", {"vm_size": "Standard_D2s_v3"}, "Standard_D2s_v3"),
    ("azurerm_managed_disk", {"storage_account_type": "Premium_LRS", "disk_size_gb": 64}, "Premium_LRS"),
    ("azurerm_kubernetes_cluster", {"default_node_pool": [{"vm_size": "Standard_D4s_v5"}]}, "Standard_D4s_v5"),
    ("azurerm_mssql_database", {"sku_name": "S0"}, "S0"),
    ("google_compute_disk", {"type": "pd-ssd", "size": 100}, "pd-ssd"),
    ("google_sql_database_instance", {"settings": [{"tier": "db-custom-2-7680"}]}, "db-custom-2-7680"),
    ("google_compute_disk", {"size": 100}, None),
])
def test_size_attributes(write, tf_type, after, size):
    provider = {"aws": AWS, "azurerm": AZURE, "google": GOOGLE}[tf_type.split("_")[0]]
    assert load(write, change(f"{tf_type}.x", after, provider=provider))["size"] == size


@pytest.mark.parametrize("after, region, account", [
    ({"availability_zone": "us-east-1a"}, "us-east-1", None),
    ({"availability_zone": "us-gov-west-1b"}, "us-gov-west-1", None),
    ({"availability_zone": "us-west-2-lax-1a"}, "us-west-2", None),
    ({"arn": "arn:aws:ec2:eu-central-1:123456789012:instance/i-1"}, "eu-central-1", "123456789012"),
    ({"region": "ap-south-1", "availability_zone": "us-east-1a"}, "ap-south-1", None),
    ({"arn": "arn:aws:s3:::bucket"}, "from-provider", None),
])
def test_aws_region_and_account(write, after, region, account):
    config = {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "from-provider"}}}}
    resource = load(write, change("aws_instance.x", after, actions=("update",)), provider_config=config)
    assert (resource["region"], resource["account"]) == (region, account)


def test_provider_blocks_of_modules_and_aliases(write):
    """A module resource uses its module's own provider block when it has one, else its parent's
    (Terraform 0.12-0.15 name it `call:aws`); an aliased provider passed in cannot be traced."""
    doc = {"format_version": "0.1", "planned_values": {}, "resource_changes": [
        dict(change("module.a.module.b.aws_instance.x", {}), module_address="module.a.module.b"),
        dict(change("module.c.aws_instance.y", {}), module_address="module.c"),
        dict(change("module.c.aws_instance.z", {}), module_address="module.c"),
    ], "configuration": {
        "provider_config": {
            "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"},
                                                   "allowed_account_ids": {"constant_value": ["111111111111"]}}},
            "module.a.module.b:aws": {"name": "aws", "module_address": "module.a.module.b"},
            "module.c:aws": {"name": "aws", "module_address": "module.c",
                             "expressions": {"region": {"constant_value": "eu-north-1"}}},
            "module.c:aws.other": {"name": "aws", "alias": "other", "module_address": "module.c"},
        },
        "root_module": {"module_calls": {
            "a": {"source": "./a", "module": {"module_calls": {"b": {"source": "./b", "module": {"resources": [
                {"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
                 "provider_config_key": "b:aws"}]}}}}},
            "c": {"source": "./c", "module": {"resources": [
                {"address": "aws_instance.y", "mode": "managed", "type": "aws_instance", "name": "y",
                 "provider_config_key": "c:aws"},
                {"address": "aws_instance.z", "mode": "managed", "type": "aws_instance", "name": "z",
                 "provider_config_key": "c:aws.other"}]}}}}}}
    resources = {r["id"]: r for r in load_plans([str(write("plan.json", json.dumps(doc)))]).resources}
    assert (resources["module.a.module.b.aws_instance.x"]["region"],
            resources["module.a.module.b.aws_instance.x"]["account"]) == ("us-east-1", "111111111111")
    assert resources["module.c.aws_instance.y"]["region"] == "eu-north-1"
    assert resources["module.c.aws_instance.z"]["region"] is None


def test_deposed_objects_get_their_own_id(write):
    doc = {"format_version": "1.2", "planned_values": {}, "resource_changes": [
        change("aws_instance.web", {"instance_type": "t3.micro"}, actions=("create",)),
        dict(change("aws_instance.web", None, actions=("delete",), before={"instance_type": "t2.micro"}),
             deposed="7f3a9c1e", action_reason="delete_because_no_resource_config"),
    ]}
    resources = load_plans([str(write("plan.json", json.dumps(doc)))], scope="all").resources
    assert [r["id"] for r in resources] == ["aws_instance.web", "aws_instance.web (deposed object 7f3a9c1e)"]
    assert resources[1]["change"]["deposed"] == "7f3a9c1e" and resources[1]["size"] == "t2.micro"
    assert resources[1]["change"]["action_reason"] == "delete_because_no_resource_config"


def test_an_action_list_this_version_does_not_know_is_warned_about_and_not_evaluated(write):
    doc = {"format_version": "1.3", "planned_values": {}, "resource_changes": [
        change("aws_instance.web", {"instance_type": "t3.micro"}, actions=("create", "archive"))]}
    snapshot = load_plans([str(write("plan.json", json.dumps(doc)))], scope="all")
    assert snapshot.resources == [] and snapshot.counts == {"unknown": 1}
    assert "actions ['create', 'archive'] are not known" in snapshot.warnings[0]
