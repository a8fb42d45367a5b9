"""Source locations: the .tf block of each planned resource, through local module sources or
.terraform/modules/modules.json, with a scanner that is not fooled by comments, strings or heredocs."""

from __future__ import annotations

import json
import shutil

from engine.plans import load_plans, location
from engine.plans.source import module_path, scan_blocks
from tests.conftest import REALDATA, ROOT

FIXTURE = ROOT / "tests" / "data" / "plans" / "terraform-data"


def planned_config(tmp_path):
    """The configuration the plan was made from: main.tf, stage2.tf and the modules (not stage1.tf)."""
    config = tmp_path / "config"
    shutil.copytree(FIXTURE / "config", config, ignore=shutil.ignore_patterns("stage1.tf"))
    return config


def block_line(path, header):
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.lstrip().startswith(header))


def test_each_resource_points_at_its_block_in_the_planned_configuration(tmp_path):
    config = planned_config(tmp_path)
    snapshot = load_plans([str(FIXTURE / "plan.json")], scope="all", source_dir=str(config))
    found = {r["id"]: r["change"]["source_location"] for r in snapshot.resources}
    main, stage2 = config / "main.tf", config / "stage2.tf"
    app, db = config / "modules" / "app" / "main.tf", config / "modules" / "app" / "db" / "main.tf"
    expected_main = {
        "terraform_data.web": 'resource "terraform_data" "web"',
        "terraform_data.counted[0]": 'resource "terraform_data" "counted"',
        "terraform_data.counted[1]": 'resource "terraform_data" "counted"',
        'terraform_data.by_key["a.b"]': 'resource "terraform_data" "by_key"',
        "terraform_data.replaced": 'resource "terraform_data" "replaced"',
        "terraform_data.secret": 'resource "terraform_data" "secret"',
        "terraform_data.after_web": 'resource "terraform_data" "after_web"',
    }
    for resource_id, header in expected_main.items():
        assert found[resource_id] == {"file": str(main), "line": block_line(main, header), "column": 1}, resource_id
    assert found["terraform_data.renamed"] == {"file": str(stage2), "line": 4, "column": 1}
    assert found["data.terraform_remote_state.later"]["line"] == block_line(stage2, 'data "terraform_remote_state"')
    for resource_id in ("module.app.terraform_data.server", 'module.regional["us"].terraform_data.server'):
        assert found[resource_id] == {"file": str(app), "line": 5, "column": 1}
    # a nested module whose source is relative to its parent's directory; the block's labels unquoted
    assert found['module.regional["eu"].module.db.terraform_data.database'] == {"file": str(db), "line": 6, "column": 1}
    # deleted and forgotten resources have no block in the planned configuration
    assert found["terraform_data.retired"] is None and found["terraform_data.forgotten"] is None
    assert snapshot.warnings == []
    web = next(r for r in snapshot.resources if r["id"] == "terraform_data.web")
    assert location(web) == web["change"]["source_location"]
    retired = next(r for r in snapshot.resources if r["id"] == "terraform_data.retired")
    assert location(retired) == retired["change"]["plan_location"]


def test_decoys_in_comments_heredocs_and_templates_are_not_blocks():
    text = (FIXTURE / "config" / "main.tf").read_text()
    names = [(keyword, tf_type, name) for keyword, tf_type, name, _, _ in scan_blocks(text)]
    assert names == [("resource", "terraform_data", n) for n in
                     ("web", "counted", "by_key", "replaced", "secret", "after_web")]
    tricky = '''
locals {
  a = "}" # a brace in a string
  b = "${jsonencode({ x = "}}" })}"
  c = <<EOT
}
resource "fake" "in_heredoc" {
EOT
}
  resource  "aws_instance"   "indented" {
  tags = { Name = "x" }
}
/* resource "fake" "in_comment" {} */ resource "aws_s3_bucket" "after_comment" {
}
resource "aws_instance" "esc\\"aped" {
}
resource "aws_instance" "one_line" { ami = "x" }
resource "aws_instance" "second" {}
'''
    found = scan_blocks(tricky)
    assert [(t, n, line, column) for _, t, n, line, column in found] == [
        ("aws_instance", "indented", 10, 3), ("aws_instance", 'esc"aped', 15, 1),
        ("aws_instance", "one_line", 17, 1), ("aws_instance", "second", 18, 1)]


def test_modules_json_directories_are_used_for_downloaded_modules(tmp_path):
    """After terraform init, .terraform/modules/modules.json lists every module's directory."""
    config = planned_config(tmp_path)
    vendored = config / ".terraform" / "modules" / "regional"
    shutil.copytree(config / "modules" / "app", vendored)
    (config / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "regional", "Source": "registry.example/acme/app/any", "Version": "1.0.0",
         "Dir": ".terraform/modules/regional"},
    ]}))
    snapshot = load_plans([str(FIXTURE / "plan.json")], source_dir=str(config))
    found = {r["id"]: r["change"]["source_location"] for r in snapshot.resources}
    assert found['module.regional["us"].terraform_data.server']["file"] == str(vendored / "main.tf")
    assert found['module.regional["us"].module.db.terraform_data.database']["file"] == str(vendored / "db" / "main.tf")


def test_a_registry_module_without_modules_json_is_warned_about_once(tmp_path):
    """The infracost plan calls terraform-aws-modules/rds/aws; no `terraform init` has run here."""
    (tmp_path / "main.tf").write_text('resource "aws_instance" "instance_2" {\n}\n')
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "main.tf").write_text('\nresource "aws_default_vpc" "default" {}\n')
    plan = REALDATA / "infracost" / "terraform_v0.14_plan.json"
    snapshot = load_plans([str(plan)], source_dir=str(tmp_path), scope="all")
    found = {r["id"]: r["change"]["source_location"] for r in snapshot.resources}
    assert found["aws_instance.instance_2"] == {"file": str(tmp_path / "main.tf"), "line": 1, "column": 1}
    assert found["module.db.aws_default_vpc.default"] == {"file": str(tmp_path / "db" / "main.tf"), "line": 2, "column": 1}
    assert found["aws_instance.instance_1"] is None
    assert found["module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"] is None
    remote = [w for w in snapshot.warnings if "terraform-aws-modules/rds/aws" in w]
    assert len(remote) == 2 and all("run terraform init there" in w for w in remote)  # db_1 and db_2, once each
    assert any("module.instances: directory" in w for w in snapshot.warnings)


def test_json_configuration_files(tmp_path):
    (tmp_path / "main.tf.json").write_text(json.dumps(
        {"resource": {"aws_instance": {"web": {"instance_type": "t3.micro"}}}}, indent=2))
    plan = REALDATA / "checkov" / "plan_provisioners" / "tfplan.json"
    (web,) = load_plans([str(plan)], source_dir=str(tmp_path)).resources
    assert web["change"]["source_location"] == {"file": str(tmp_path / "main.tf.json"), "line": 4, "column": 14}


def test_module_paths_of_instance_addresses():
    assert module_path('module.a["x.y"].module.b[0].module.c') == ("a", "b", "c")
    assert module_path("module.apigw_test_1.module.acm_cert_regional[0]") == ("apigw_test_1", "acm_cert_regional")
    assert module_path(None) == () and module_path("") == ()


def test_a_device_or_a_folder_named_like_a_configuration_file_is_skipped(tmp_path):
    """Locations are best effort: a main.tf that is /dev/zero would never end; it is not read."""
    (tmp_path / "main.tf").symlink_to("/dev/zero")
    (tmp_path / "other.tf").mkdir()
    (tmp_path / "real.tf").write_text('resource "aws_instance" "instance_2" {\n}\n')
    snapshot = load_plans([str(REALDATA / "infracost" / "terraform_v0.14_plan.json")], source_dir=str(tmp_path), scope="all")
    found = {r["id"]: r["change"]["source_location"] for r in snapshot.resources}
    assert found["aws_instance.instance_2"] == {"file": str(tmp_path / "real.tf"), "line": 1, "column": 1}
