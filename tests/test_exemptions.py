"""Exemptions: documents validated with file:line:col, matching by id, address, glob, condition and scope,
states at the as-of boundary, exit codes through the CLI, exemptions among the policy paths."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.documents.schemas import validator
from engine.errors import InputError
from tests.conftest import REALDATA, ROOT
from tests.output_cases import AS_OF, EXAMPLES, example_result

CHECK = ["check", "--policies", str(ROOT / "policies"), "--inventory", str(EXAMPLES / "inventory.json"),
         "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"), "--budgets", str(EXAMPLES / "budgets.yaml"),
         "--prices", str(EXAMPLES / "prices.csv"), "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", AS_OF]
I4 = "arn:aws:ec2:eu-west-1:222222222222:instance/i-0a1b2c3d4e5f60004"
VOL11 = "arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1b2c3d4e5f60011"
TODAY = date.fromisoformat(AS_OF)


def exemption(id_: str = "legacy", expires: date | str = "2027-01-31", **fields) -> str:
    """An Exemption document (YAML), with a reason and a ticket unless given."""
    body = {"apiVersion": "costwarden/v1", "kind": "Exemption", "id": id_, "reason": "being retired", "ticket": "FINOPS-1",
            "expires": str(expires), **fields}
    return json.dumps({k: v for k, v in body.items() if v is not None})  # JSON is YAML


def documents(*texts: str) -> str:
    return "\n---\n".join(texts) + "\n"


def run(args, *, ok=(0, 1)):
    result = CliRunner().invoke(main, args)
    assert result.exit_code in ok, result.output
    return result


def findings_json(write, *texts, extra=()) -> dict:
    path = write("exemptions.yaml", documents(*texts))
    result = run([*CHECK, "--exemptions", str(path), "--format", "json", *extra])
    document = json.loads(result.stdout)
    validate_findings(document)
    return document


def validate_findings(document: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator("findings.schema.json").iter_errors(document)]
    assert errors == []


def exempted(document: dict) -> dict[tuple, str]:
    """(policy, resource id or scope value) -> exemption id, for the exempted findings."""
    out = {}
    for finding in document["findings"]:
        if finding["status"] == "exempted":
            subject = finding["resource"]["id"] if finding["resource"] else finding["scope"]["value"]
            out[(finding["policy"], subject)] = finding["exemption"]["id"]
        else:
            assert finding["exemption"] is None
    return out


def states(document: dict) -> dict[str, tuple[str, int]]:
    return {report["id"]: (report["state"], report["matched"]) for report in document["exemptions"]}


# ----------------------------------------------------------------------------- matching


def test_by_id_exempts_that_resource_of_that_policy_only(write):
    document = findings_json(write, exemption(policies=["required-allocation-tags"], resources={"ids": [I4]}))
    assert exempted(document) == {("required-allocation-tags", I4): "legacy"}
    others = [f for f in document["findings"] if f["resource"] and f["resource"]["id"] == I4 and f["policy"] != "required-allocation-tags"]
    assert others and all(f["status"] == "open" for f in others)  # the same resource, another policy: still open
    assert document["summary"]["exempted"] == 1 and document["summary"]["open"] == len(document["findings"]) - 1
    assert states(document) == {"legacy": ("active", 1)}
    finding = next(f for f in document["findings"] if f["status"] == "exempted")
    assert finding["exemption"] == {"id": "legacy", "reason": "being retired", "expires": "2027-01-31", "approver": None,
                                    "ticket": "FINOPS-1"}


def test_by_glob_on_the_id_and_by_label(write):
    document = findings_json(write, exemption(labels=["showback"], resources={"globs": ["arn:aws:ec2:*:*:volume/*"]}))
    volumes = {("required-allocation-tags", f["resource"]["id"]) for f in document["findings"]
               if f["policy"] == "required-allocation-tags" and ":volume/" in f["resource"]["id"]}
    assert len(volumes) == 2 and set(exempted(document)) == volumes


def test_a_glob_matches_the_whole_id_and_is_case_sensitive(write):
    document = findings_json(write, exemption("a", policies=["required-allocation-tags"], resources={"globs": ["vol-*"]}),
                             exemption("b", policies=["required-allocation-tags"], resources={"globs": ["ARN:AWS:*"]}))
    assert exempted(document) == {}
    assert states(document) == {"a": ("unchecked", 0), "b": ("unchecked", 0)}  # they name no resource of the input


def test_by_condition_in_the_policy_condition_language(write):
    where = {"all": [{"path": "tags.team", "op": "eq", "value": "payments"}, {"path": "type", "op": "glob", "value": "AWS::EC2::*"}]}
    document = findings_json(write, exemption(policies=["allowed-instance-sizes", "required-allocation-tags"], resources={"where": where}))
    assert exempted(document) == {
        ("allowed-instance-sizes", "arn:aws:ec2:us-east-1:111111111111:instance/i-0a1b2c3d4e5f60001"): "legacy",
        ("required-allocation-tags", VOL11): "legacy"}


def test_names_and_a_condition_together_must_both_hold(write):
    where = {"path": "tags.environment", "op": "eq", "value": "staging"}
    document = findings_json(write, exemption(policies=["required-allocation-tags"],
                                              resources={"globs": ["arn:aws:ec2:*:volume/*"], "where": where}))
    assert exempted(document) == {("required-allocation-tags", "arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1b2c3d4e5f60012"): "legacy"}


def test_by_scope_for_cost_findings_and_all_for_a_policy_without_a_scope(write):
    document = findings_json(write, exemption("budget", policies=["team-monthly-budget"], scopes=["search"]),
                             exemption("coverage", labels=["commitments"], scopes=["all"]))
    assert exempted(document) == {("team-monthly-budget", "search"): "budget", ("commitment-utilization", None): "coverage",
                                  ("compute-commitment-coverage", None): "coverage"}
    # a scope exemption never touches a resource finding, nor a budget of another team
    assert next(f for f in document["findings"] if f["policy"] == "team-monthly-budget" and f["scope"]["value"] == "payments")["status"] == "open"


def test_by_terraform_address_tells_two_modules_apart():
    """The same address in two module instances: an exemption of one leaves the other open."""
    plan = REALDATA / "infracost" / "terraform_v0.14_plan.json"
    snapshot = api.load_plans([str(plan)], scope="all")
    library = api.load_policies(None).select(("required-allocation-tags",))
    result = api.evaluate(library, snapshot.resources, as_of=AS_OF)
    first = "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]"
    second = "module.db.module.db_2.module.db_instance.aws_db_instance.this[0]"
    assert {first, second} <= {f.resource["id"] for f in result.findings}
    chosen = api.apply_exemptions(result, [_compiled(policies=["required-allocation-tags"], resources={"addresses": [first]})],
                                  resources=snapshot.resources)
    status = {f.resource["id"]: f.status for f in chosen.findings}
    assert status[first] == "exempted" and status[second] == "open"
    by_glob = api.apply_exemptions(result, [_compiled(policies=["required-allocation-tags"],
                                                      resources={"globs": ["module.db.module.db_2.*"]})], resources=snapshot.resources)
    assert {f.resource["id"] for f in by_glob.findings if f.status == "exempted"} == {
        f.resource["id"] for f in result.findings if f.resource["id"].startswith("module.db.module.db_2.")} != set()
    assert {f.fingerprint for f in result.findings if f.resource["id"] == first}.isdisjoint(
        {f.fingerprint for f in result.findings if f.resource["id"] == second})


def _compiled(**fields):
    """One exemption compiled through the real loader, from a temporary file."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/e.yaml"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(exemption(**fields))
        (loaded,) = api.load_exemptions([path])
    return loaded


def test_several_exemptions_on_one_finding_the_first_by_id_is_recorded_and_each_counts_it(write):
    document = findings_json(write, exemption("zz-later", policies=["required-allocation-tags"], resources={"ids": [I4]}),
                             exemption("aa-first", labels=["tagging"], resources={"ids": [I4]}))
    assert exempted(document)[("required-allocation-tags", I4)] == "aa-first"
    assert states(document)["zz-later"] == ("active", 1)
    assert [report["id"] for report in document["exemptions"]] == ["aa-first", "zz-later"]  # by id


def test_a_condition_that_meets_the_wrong_type_is_an_evaluation_error_naming_the_exemption(write):
    text = "\n".join(["apiVersion: costwarden/v1", "kind: Exemption", "id: typed", "policies: [required-allocation-tags]",
                      "resources:", "  where:", "    path: tags.team", "    op: gt", "    value: 3", "reason: r", "ticket: T-1",
                      "expires: 2027-01-01", ""])
    path = write("typed.yaml", text)
    result = run([*CHECK, "--exemptions", str(path)], ok=(2,))
    assert f"{path}:7:5: E520 policy required-allocation-tags, resource " in result.output  # the text report lists it
    assert "exemption 'typed': its condition could not be evaluated: path 'tags.team'" in result.output


# ----------------------------------------------------------------------------- states at the as-of boundary


@pytest.mark.parametrize("offset, state", [(-1, "expired"), (0, "expiring"), (1, "expiring"), (14, "expiring"), (15, "active")])
def test_expiry_at_the_as_of_date(write, offset, state):
    expires = TODAY + timedelta(days=offset)
    document = findings_json(write, exemption(expires=expires, policies=["required-allocation-tags"], resources={"ids": [I4]}))
    report = document["exemptions"][0]
    assert (report["state"], report["days_left"], report["expires"]) == (state, offset, expires.isoformat())
    finding = next(f for f in document["findings"] if f["policy"] == "required-allocation-tags" and f["resource"]["id"] == I4)
    assert finding["status"] == ("open" if offset < 0 else "exempted")  # the last day still applies; the next does not
    assert report["matched"] == 1  # an expired one says what it would still cover


def test_expiry_warning_days_moves_the_boundary(write):
    expires = TODAY + timedelta(days=20)
    document = findings_json(write, exemption(expires=expires, policies=["required-allocation-tags"], resources={"ids": [I4]}),
                             extra=["--expiry-warning-days", "20"])
    assert states(document) == {"legacy": ("expiring", 1)}
    document = findings_json(write, exemption(expires=expires, policies=["required-allocation-tags"], resources={"ids": [I4]}),
                             extra=["--expiry-warning-days", "19"])
    assert states(document) == {"legacy": ("active", 1)}


def test_an_as_of_instant_later_that_day_is_still_that_day(write):
    path = write("e.yaml", exemption(expires=TODAY, policies=["required-allocation-tags"], resources={"ids": [I4]}))
    args = [*CHECK[:-1], f"{AS_OF}T23:59:59Z", "--exemptions", str(path), "--format", "json"]
    assert json.loads(run(args).stdout)["exemptions"][0]["state"] == "expiring"
    args = [*CHECK[:-1], f"{AS_OF}T23:59:59-01:00", "--exemptions", str(path), "--format", "json"]  # the next day in UTC
    assert json.loads(run(args).stdout)["exemptions"][0]["state"] == "expired"


def test_unused_when_its_policy_ran_on_its_resource_and_unchecked_when_not(write):
    compliant = "arn:aws:ec2:us-east-1:111111111111:instance/i-0a1b2c3d4e5f60001"  # tagged: required-allocation-tags passes
    document = findings_json(
        write,
        exemption("unused-id", policies=["required-allocation-tags"], resources={"ids": [compliant]}),
        exemption("gone-resource", policies=["required-allocation-tags"], resources={"ids": ["i-not-in-this-inventory"]}),
        exemption("other-policy", policies=["zero-usage"], resources={"globs": ["*"]}),
        exemption("not-selected", policies=["stopped-instance"], resources={"globs": ["*"]}),
        extra=["--policy", "required-allocation-tags", "--policy", "zero-usage"],
    )
    assert states(document) == {"unused-id": ("unused", 0), "gone-resource": ("unchecked", 0), "other-policy": ("unused", 0),
                                "not-selected": ("unchecked", 0)}


def test_exempted_findings_never_fail_the_run_and_an_expired_exemption_fails_it_again(write):
    failing = example_result().failing()
    ids = sorted({f.resource["id"] for f in failing if f.resource})
    scopes = sorted({f.scope["value"] if f.scope["dimension"] != "all" else "all" for f in failing if f.scope})
    assert run(CHECK).exit_code == 1
    path = write("all.yaml", documents(
        exemption("resources", policies=sorted({f.policy for f in failing if f.resource}), resources={"ids": ids}),
        exemption("scopes", policies=sorted({f.policy for f in failing if f.scope}), scopes=scopes)))
    result = run([*CHECK, "--exemptions", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("[exempted by resources]") == len([f for f in failing if f.resource])
    expired = write("expired.yaml", documents(
        exemption("resources", expires=TODAY - timedelta(days=1), policies=sorted({f.policy for f in failing if f.resource}),
                  resources={"ids": ids}),
        exemption("scopes", policies=sorted({f.policy for f in failing if f.scope}), scopes=scopes)))
    result = run([*CHECK, "--exemptions", str(expired)])
    assert result.exit_code == 1
    assert f"  expired  resources  {expired}:1  no longer applies (last day 2026-11-26, 1 day ago); 6 findings it covered are open again" \
        in result.output.splitlines()


def test_exemptions_among_the_policy_paths_apply(tmp_path):
    import shutil

    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    (policies / "exemptions").mkdir()
    (policies / "exemptions" / "legacy.yaml").write_text(exemption(policies=["required-allocation-tags"], resources={"ids": [I4]}))
    args = [*CHECK, "--format", "json"]
    args[args.index(str(ROOT / "policies"))] = str(policies)
    document = json.loads(run(args).stdout)
    assert exempted(document) == {("required-allocation-tags", I4): "legacy"}
    assert document["exemptions"][0]["file"] == str(policies / "exemptions" / "legacy.yaml")
    # given again with --exemptions, the same file is read once (no duplicate id)
    document = json.loads(run([*args, "--exemptions", str(policies / "exemptions")]).stdout)
    assert len(document["exemptions"]) == 1
    validated = run(["validate", str(policies)], ok=(0,))
    assert validated.output.rstrip().endswith(", 1 exemption")


# ----------------------------------------------------------------------------- documents


def problems_of(write, text: str, *, name: str = "e.yaml") -> list[str]:
    path = write(name, text)
    result = run([*CHECK, "--exemptions", str(path)], ok=(2,))
    assert result.stderr.rstrip().endswith("nothing was evaluated")
    return [line.replace(str(path), name) for line in result.stderr.splitlines()[:-1]]


def test_every_problem_of_a_document_with_its_line_and_column(write):
    text = "\n".join([
        "apiVersion: costwarden/v1",
        "kind: Exemption",
        "id: Legacy_Batch",
        "policies: [required-allocation-tag]",
        "labels: [tagging, taging]",
        "resources:",
        "  ids: [i-1]",
        "  globz: ['*']",
        "  where: {path: 'tags[', op: eq, value: x}",
        "reason: ''",
        "expires: 2026-02-30",
        "",
    ])
    assert problems_of(write, text) == [
        "e.yaml:1:1: E352 an exemption needs an approver or a ticket (or both) (at /); add approver: (who approved it) or ticket: (where it is tracked)",
        "e.yaml:3:5: E205 'Legacy_Batch' does not match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$ (at /id); ids are kebab-case: lower-case letters and digits joined by '-'",
        "e.yaml:8:3: E201 unknown key 'globz' (at /resources/globz); did you mean 'globs'?",
        "e.yaml:9:17: E301 invalid JMESPath expression 'tags[': Invalid jmespath expression: Incomplete expression: (at /resources/where/path)",
        "e.yaml:10:9: E207 '' should be non-empty (at /reason)",
        "e.yaml:11:10: E206 '2026-02-30' is not a valid date (at /expires)",
    ]


def test_semantic_problems_once_the_schema_holds(write):
    text = "\n".join([
        "apiVersion: costwarden/v1",
        "kind: Exemption",
        "id: legacy",
        "policies: [required-allocation-tag]",
        "labels: [tagging, taging]",
        "resources:",
        "  where: {path: 'tags[', op: eq, value: x}",
        "reason: retiring",
        "approver: jane@example.com",
        "expires: 2026-12-31",
        "",
    ])
    found = problems_of(write, text)
    assert found == ["e.yaml:7:17: E301 invalid JMESPath expression 'tags[': Invalid jmespath expression: Incomplete expression:"
                     " (at /resources/where/path)"]  # the unknown policy and label wait for a valid document
    text = text.replace("  where: {path: 'tags[', op: eq, value: x}", "  where: {path: tags.team, op: eq, value: x}")
    assert problems_of(write, text) == [
        "e.yaml:4:12: E351 unknown policy 'required-allocation-tag' (at /policies/0); did you mean 'required-allocation-tags'?",
        "e.yaml:5:19: E354 no policy has the label 'taging' (at /labels/1); did you mean 'tagging'?",
    ]


def test_an_exemption_names_policies_and_something_to_exempt(write):
    text = "apiVersion: costwarden/v1\nkind: Exemption\nid: vague\nreason: r\nticket: T-1\nexpires: 2026-12-31\n"
    assert problems_of(write, text) == [
        "e.yaml:1:1: E350 an exemption names the policies it applies to (at /); give policies (ids) and/or labels",
        "e.yaml:1:1: E353 an exemption names what it exempts (at /); give resources (ids, addresses, globs, where) and/or scopes;"
        " to turn a policy off, use a policy set",
    ]
    text += "policies: [zero-usage]\nresources: {}\n"
    assert problems_of(write, text) == ["e.yaml:8:12: E353 resources names no resource (at /resources); give ids, addresses, globs and/or where"]


def test_expires_is_required_and_a_past_date_is_a_valid_document(write):
    text = exemption(policies=["zero-usage"], resources={"ids": ["x"]}).replace(', "expires": "2027-01-31"', "")
    assert problems_of(write, text) == ["e.yaml:1:1: E202 missing required key 'expires' (at /)"]
    path = write("old.yaml", exemption(expires="2001-01-01", policies=["zero-usage"], resources={"ids": ["x"]}))
    assert json.loads(run([*CHECK, "--exemptions", str(path), "--format", "json"]).stdout)["exemptions"][0]["state"] == "expired"


def test_duplicate_ids_other_kinds_and_empty_paths(write, tmp_path):
    one = exemption(policies=["zero-usage"], resources={"ids": ["x"]})
    assert problems_of(write, documents(one, one)) == ["e.yaml:3:60: E304 duplicate exemption id 'legacy' (also in e.yaml:1) (at /id)"]
    policy = (ROOT / "policies" / "waste" / "zero-usage.yaml").read_text()
    found = problems_of(write, policy, name="p.yaml")
    assert found == ["p.yaml:3:7: E355 expected Exemption documents, found kind Policy (at /kind); give this file with --policies,"
                     " and exemptions with --exemptions"]
    empty = tmp_path / "none"
    empty.mkdir()
    (empty / "x.yaml").write_text("# nothing\n")
    result = run([*CHECK, "--exemptions", str(empty)], ok=(2,))
    assert f"{empty}: E356 no Exemption document found" in result.stderr


def test_the_api_without_a_library_checks_ids_only(write):
    path = write("e.yaml", exemption(policies=["no-such-policy"], resources={"ids": ["x"]}))
    assert [e.id for e in api.load_exemptions([str(path)])] == ["legacy"]
    with pytest.raises(InputError) as error:
        api.load_exemptions([str(path)], library=api.load_policies(None))
    assert [p.code for p in error.value.problems] == ["E351"]


def test_the_findings_json_is_deterministic_with_exemptions(write):
    path = write("e.yaml", documents(exemption(policies=["required-allocation-tags"], resources={"ids": [I4]}),
                                     exemption("b", labels=["budgets"], scopes=["search", "payments"])))
    first = run([*CHECK, "--exemptions", str(path), "--format", "json"]).stdout
    assert first == run([*CHECK, "--exemptions", str(path), "--format", "json"]).stdout


def test_validate_lists_an_exemptions_problems_beyond_its_schema_and_its_references_at_once(tmp_path):
    text = ("apiVersion: costwarden/v1\nkind: Exemption\nid: bad\npolicies: [requird-allocation-tags]\n"
            "resources:\n  ids: [i-1]\nreason: test\nexpires: 2026-12-31\n")
    (tmp_path / "ex.yaml").write_text(text)
    result = CliRunner().invoke(main, ["validate", "builtin", str(tmp_path / "ex.yaml")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if ": E" in line]
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in lines] == ["E352", "E351"], result.output
    assert f"{tmp_path / 'ex.yaml'}:4:12: E351 unknown policy 'requird-allocation-tags' (at /policies/0); did you mean " \
           "'required-allocation-tags'?" in result.output
    (tmp_path / "ex.yaml").write_text(text + "bogus: 1\n")  # a schema problem too: listed with the one beyond the schema
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "ex.yaml")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'ex.yaml'}:9:1: E201 unknown key 'bogus' (at /bogus)" in result.output
    assert f"{tmp_path / 'ex.yaml'}:1:1: E352 an exemption needs an approver or a ticket" in result.output
