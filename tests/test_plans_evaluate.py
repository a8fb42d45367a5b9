"""The built-in policy library over the resources of a real plan (infracost's Terraform 0.14 plan), with
the findings worked out by hand from the plan file.

What the change creates or updates (scope "changes"): six aws_instance (t3.nano) and two
aws_db_instance (db.t3.micro, tags Environment=dev, Name=demodb, Owner=user2: one updated, one
created), plus IAM roles, option/parameter/subnet groups, which no tagging policy selects.
Two of the instances carry only a Name tag; the four others have `tags` null and `tags_all`
unknown (the AWS provider computes it at apply), so their tag map is open: no key is missing yet.
"""

from __future__ import annotations

import engine
from engine.plans import unknown_tags
from tests.conftest import REALDATA, ROOT

PLAN = REALDATA / "infracost" / "terraform_v0.14_plan.json"
ALL_THREE = "missing tags team, cost-center, environment"


def test_builtin_policies_on_the_infracost_plan():
    snapshot = engine.load_plans([str(PLAN)])
    ownership = engine.load_ownership(str(ROOT / "examples" / "ownership.yaml"))
    result = engine.evaluate(engine.load_policies(), snapshot.resources, as_of="2026-01-01", ownership=ownership)
    assert result.errors == ()
    open_tags = {r["id"] for r in snapshot.resources if unknown_tags(r) is True}
    assert open_tags == {"aws_instance.instance_2", "aws_instance.instance_counted[1]",
                         "module.instances.aws_instance.module_instance_2",
                         "module.instances.aws_instance.module_instance_counted[1]"}
    # whether a policy may call a key of an open tag map missing is the evaluator's to decide (a note,
    # not a finding); every other finding is checked here
    judged = sorted((f.policy, f.resource["id"], f.message) for f in result.findings
                    if not (f.policy == "required-allocation-tags" and f.resource["id"] in open_tags))
    db_1 = "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"
    db_2 = "module.db.module.db_2.module.db_instance.aws_db_instance.this[0]"
    instances = ["aws_instance.instance_2", "aws_instance.instance_counted[1]", 'aws_instance.instance_named["test.2"]',
                 "module.instances.aws_instance.module_instance_2",
                 "module.instances.aws_instance.module_instance_counted[1]",
                 'module.instances.aws_instance.module_instance_named["test.2"]']
    assert judged == sorted(
        [("allowed-instance-sizes", resource_id, "size t3.nano is not on the approved list") for resource_id in instances]
        + [("owner-contact-known", db, "tag owner='user2' is not a team of the ownership directory") for db in (db_1, db_2)]
        + [("required-allocation-tags", db, "missing tags team, cost-center") for db in (db_1, db_2)]  # Environment counts
        + [("required-allocation-tags", 'aws_instance.instance_named["test.2"]', ALL_THREE),
           ("required-allocation-tags", 'module.instances.aws_instance.module_instance_named["test.2"]', ALL_THREE)]
    )
    by_resource = {f.resource["id"]: f for f in result.findings if f.policy == "required-allocation-tags"}
    assert by_resource[db_1].evidence["actual"] == {"team": None, "cost-center": None, "environment": "dev"}
    assert {f.owner for f in result.findings} == {"finops"}  # no team tag, no account map entry: the default


def test_the_no_op_entries_would_add_findings_only_in_scope_all():
    library = engine.load_policies()
    changes = engine.evaluate(library, engine.load_plans([str(PLAN)]).resources, as_of="2026-01-01")
    everything = engine.evaluate(library, engine.load_plans([str(PLAN)], scope="all").resources, as_of="2026-01-01")
    added = {(f.policy, f.resource["id"]) for f in everything.findings} - {(f.policy, f.resource["id"]) for f in changes.findings}
    assert {resource_id for _, resource_id in added} == {
        "aws_instance.instance_1", "aws_instance.instance_counted[0]", 'aws_instance.instance_named["test.1"]',
        "module.instances.aws_instance.module_instance_1", "module.instances.aws_instance.module_instance_counted[0]",
        'module.instances.aws_instance.module_instance_named["test.1"]'}
