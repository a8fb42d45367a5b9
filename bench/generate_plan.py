"""Generate a large Terraform plan JSON (``terraform show -json`` format 1.2) for the plan benchmark.

    python bench/generate_plan.py [--resources 5000] [--seed 1] [--out bench/data/plan-5k.json]

The plan is shaped as Terraform 1.x writes one: minified, with ``planned_values``, ``resource_changes``,
``prior_state`` and ``configuration`` (provider blocks with default tags, module calls, resource
configurations). At the default size it is about 10 MB. The mix:

- **Modules:** a third of the resources in the root module, the rest in ``module.app["<team>"]``
  (``for_each``), its nested ``module.db`` and ``module.net[<n>]`` (``count``); ``count`` and
  ``for_each`` instances on resources too.
- **Types:** AWS (instances, EBS volumes, S3 buckets, RDS, security groups, IAM roles), Azure VMs and
  Google instances, with the provider's own attributes (``instance_type``, ``size``, ``machine_type``).
- **Actions:** create 45 %, update 15 %, replace 5 %, delete 10 %, no-op 20 %, read (data sources) 5 %.
- **Unknown values:** every create has ``arn``/``id`` known after apply; one in ten has its whole
  ``tags_all`` unknown, one in twenty a tag value unknown.
- **Sensitive values:** one in twenty has a sensitive ``password`` or ``user_data``, one in fifty
  repeats it unmarked in a tag.
- **Tags:** ``team``, ``cost-center``, ``environment``; about a fifth miss one or spell it differently.

The same seed and size always give a byte-identical file.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TEAMS = ("payments", "search", "data-platform", "checkout", "identity", "ml", "growth", "infra")
ENVIRONMENTS = ("prod", "staging", "dev", "test")
AWS = "registry.terraform.io/hashicorp/aws"
AZURE = "registry.terraform.io/hashicorp/azurerm"
GOOGLE = "registry.terraform.io/hashicorp/google"
ACTIONS = (["create"],) * 45 + (["update"],) * 15 + (["delete", "create"],) * 3 + (["create", "delete"],) * 2 + \
          (["delete"],) * 10 + (["no-op"],) * 20 + (["read"],) * 5
KINDS = (("aws_instance", AWS),) * 40 + (("aws_ebs_volume", AWS),) * 12 + (("aws_s3_bucket", AWS),) * 8 + \
        (("aws_db_instance", AWS),) * 6 + (("aws_security_group", AWS),) * 10 + (("aws_iam_role", AWS),) * 6 + \
        (("azurerm_linux_virtual_machine", AZURE),) * 9 + (("google_compute_instance", GOOGLE),) * 9


def tags_for(rng: random.Random, team: str) -> dict:
    tags = {"team": team, "cost-center": f"CC-{rng.randrange(1000, 9999)}", "environment": rng.choice(ENVIRONMENTS),
            "Name": f"{team}-{rng.randrange(10**6):06d}"}
    roll = rng.random()
    if roll < 0.07:
        del tags["cost-center"]
    elif roll < 0.12:
        tags["CostCenter"] = tags.pop("cost-center")
    elif roll < 0.16:
        tags["environment"] = "production"
    elif roll < 0.20:
        del tags["team"]
    return tags


def values_for(rng: random.Random, tf_type: str, name: str, team: str, region: str) -> dict:
    tags = tags_for(rng, team)
    if tf_type == "aws_instance":
        values = {"ami": f"ami-{rng.randrange(16**12):012x}", "instance_type": rng.choice(
                      ("t3.micro", "t3.small", "m7i.large", "m5.xlarge", "t2.medium", "c7i.large", "r7i.large")),
                  "availability_zone": region + rng.choice("abc"), "monitoring": rng.random() < 0.5,
                  "ebs_optimized": True, "user_data": None, "key_name": f"{team}-key",
                  "root_block_device": [{"volume_size": rng.choice((8, 20, 50)), "volume_type": "gp3",
                                         "encrypted": True, "delete_on_termination": True}],
                  "metadata_options": [{"http_tokens": "required", "http_endpoint": "enabled"}],
                  "vpc_security_group_ids": [f"sg-{rng.randrange(16**8):08x}"],
                  "credit_specification": [], "timeouts": None}
    elif tf_type == "aws_ebs_volume":
        values = {"availability_zone": region + "a", "size": rng.choice((20, 100, 500)),
                  "type": rng.choice(("gp2", "gp3", "io1", "st1")), "encrypted": True, "iops": None}
    elif tf_type == "aws_s3_bucket":
        values = {"bucket": f"{team}-{name}-{rng.randrange(10**6)}", "force_destroy": False, "object_lock_enabled": False}
    elif tf_type == "aws_db_instance":
        values = {"instance_class": rng.choice(("db.t3.micro", "db.r6g.large", "db.m5.large")), "engine": "postgres",
                  "engine_version": "16.3", "allocated_storage": 100, "multi_az": rng.random() < 0.3,
                  "username": "app", "storage_encrypted": True, "backup_retention_period": 7, "identifier": name}
    elif tf_type == "aws_security_group":
        values = {"name": f"{team}-{name}", "description": "managed by terraform", "revoke_rules_on_delete": False,
                  "ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"],
                               "description": "", "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                               "security_groups": [], "self": False}]}
    elif tf_type == "aws_iam_role":
        values = {"name": f"{team}-{name}", "assume_role_policy": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            "max_session_duration": 3600, "path": "/", "force_detach_policies": False}
    elif tf_type == "azurerm_linux_virtual_machine":
        values = {"name": f"{team}-{name}", "location": rng.choice(("westeurope", "northeurope", "eastus")),
                  "resource_group_name": f"rg-{team}", "size": rng.choice(("Standard_D2s_v5", "Standard_B2s",
                                                                           "Standard_D4s_v3")),
                  "admin_username": "azureuser", "os_disk": [{"caching": "ReadWrite",
                                                              "storage_account_type": "Premium_LRS"}],
                  "tags": tags}
        return values
    else:
        labels = {key.lower(): value.lower() for key, value in tags.items() if key != "Name"}
        values = {"name": f"{team}-{name}", "zone": rng.choice(("europe-west1-b", "us-central1-a")),
                  "machine_type": rng.choice(("n2-standard-2", "e2-medium", "n1-standard-4")),
                  "project": f"{team}-prod", "tags": ["http-server"], "labels": labels,
                  "terraform_labels": labels, "effective_labels": labels,
                  "boot_disk": [{"auto_delete": True, "initialize_params": [{"image": "debian-12", "size": 20}]}]}
        return values
    values["tags"] = tags
    values["tags_all"] = dict(tags)
    return values


def generate(resources: int, seed: int) -> dict:
    rng = random.Random(seed)
    changes, planned, prior = [], [], []
    config_root: dict = {"resources": [], "module_calls": {}}
    seen_config = set()
    for number in range(resources):
        team = TEAMS[number % len(TEAMS)]
        tf_type, provider = rng.choice(KINDS)
        actions = rng.choice(ACTIONS)
        mode = "managed"
        if actions == ["read"]:
            mode, tf_type, provider = "data", "aws_ami", AWS
        where = rng.random()
        if where < 0.33:
            module, module_key = None, ()
        elif where < 0.66:
            module, module_key = f'module.app["{team}"]', ("app",)
        elif where < 0.85:
            module, module_key = f'module.app["{team}"].module.db', ("app", "db")
        else:
            module, module_key = f"module.net[{number % 3}]", ("net",)
        name = f"r{number // 5}"  # five changes share a block: instances 0-4 or k0-k4, or one without
        index_roll = rng.random()
        index = (number % 5 if index_roll < 0.3 else f"k{number % 5}") if index_roll < 0.6 else None
        if index is None and number % 5:
            name = f"r{number // 5}_{number % 5}"
        local = f"{'data.' if mode == 'data' else ''}{tf_type}.{name}"
        suffix = "" if index is None else (f"[{index}]" if isinstance(index, int) else f'["{index}"]')
        address = (f"{module}." if module else "") + local + suffix
        region = rng.choice(("us-east-1", "eu-west-1", "eu-central-1"))
        if mode == "data":
            values = {"owners": ["amazon"], "most_recent": True, "name_regex": "^al2023-ami-"}
        else:
            values = values_for(rng, tf_type, name, team, region)
        unknown: dict = {}
        sensitive: dict = {}
        if actions[0] == "create" or actions == ["delete", "create"]:
            unknown = {"id": True, "arn": True}
            if "tags_all" in values and rng.random() < 0.10:
                del values["tags_all"]
                unknown["tags_all"] = True
            elif "tags_all" in values and rng.random() < 0.05:
                values["tags_all"].pop("team", None)
                unknown["tags_all"] = {"team": True}
        if mode == "data":
            unknown = {"id": True, "image_id": True, "arn": True}
        if "tags" in values and rng.random() < 0.05:
            secret = f"s3cret-{rng.randrange(16**10):010x}"
            attribute = "password" if tf_type == "aws_db_instance" else "user_data"
            values[attribute] = secret
            sensitive[attribute] = True
            if rng.random() < 0.4 and isinstance(values.get("tags_all"), dict):
                values["tags_all"]["deploy-token"] = secret
        if "tags_all" in values and not sensitive:
            sensitive.setdefault("tags_all", {})
        before = None if actions[0] in ("create", "read") else dict(values)
        after = None if actions == ["delete"] else values
        if actions == ["update"] and before is not None and "tags" in values and isinstance(values["tags"], dict):
            before["tags"] = {k: v for k, v in values["tags"].items() if k != "environment"}
        change = {"actions": actions, "before": before, "after": after,
                  "after_unknown": unknown if after is not None else {},
                  "before_sensitive": sensitive if before is not None else False,
                  "after_sensitive": sensitive if after is not None else False}
        entry = {"address": address}
        if module:
            entry["module_address"] = module
        entry.update({"mode": mode, "type": tf_type, "name": name})
        if index is not None:
            entry["index"] = index
        entry.update({"provider_name": provider, "change": change})
        if actions == ["update"] and rng.random() < 0.2:
            entry["action_reason"] = "replace_because_cannot_update"
        changes.append(entry)
        if after is not None:
            planned.append({"address": address, "mode": mode, "type": tf_type, "name": name, "provider_name": provider,
                            "schema_version": 1, "values": after, "sensitive_values": sensitive})
        if before is not None:
            prior.append({"address": address, "mode": mode, "type": tf_type, "name": name, "provider_name": provider,
                          "schema_version": 1, "values": before, "sensitive_values": sensitive})
        key = (module_key, local)
        if key not in seen_config:
            seen_config.add(key)
            target = config_root
            for call in module_key:
                target = target["module_calls"].setdefault(call, {
                    "source": f"./modules/{call}", "module": {"resources": [], "module_calls": {}}})["module"]
            target["resources"].append({
                "address": local, "mode": mode, "type": tf_type, "name": name,
                "provider_config_key": provider.rsplit("/", 1)[-1],
                "expressions": {k: {"constant_value": v} for k, v in list(values.items())[:4]
                                if not isinstance(v, (dict, list))},
                "schema_version": 1})
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.9.5",
                        "values": {"root_module": {"resources": prior}}},
        "configuration": {"provider_config": {
            "aws": {"name": "aws", "full_name": AWS, "expressions": {
                "region": {"constant_value": "us-east-1"},
                "default_tags": [{"tags": {"constant_value": {"managed-by": "terraform"}}}]}},
            "azurerm": {"name": "azurerm", "full_name": AZURE, "expressions": {"features": [{}]}},
            "google": {"name": "google", "full_name": GOOGLE, "expressions": {"region": {"constant_value": "europe-west1"}}},
        }, "root_module": config_root},
        "timestamp": "2026-11-27T12:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def write_plan(resources: int, seed: int, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(generate(resources, seed), separators=(",", ":")), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or BENCH / "data" / f"plan-{args.resources // 1000}k.json"
    write_plan(args.resources, args.seed, out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {args.resources} resource changes)")


if __name__ == "__main__":
    main()
