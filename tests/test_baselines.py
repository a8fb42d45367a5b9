"""Baselines through the CLI: create -> check fails only on new findings -> fix one -> update shrinks ->
growth refused without --allow-growth; what is fixed and what is unchecked; the file validated."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from engine import api
from engine.cli import main
from engine.documents.schemas import validator
from engine.findings import fingerprint_of
from tests.output_cases import AS_OF, EXAMPLES

I4 = "arn:aws:ec2:eu-west-1:222222222222:instance/i-0a1b2c3d4e5f60004"
VOL11 = "arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1b2c3d4e5f60011"
NEW = "arn:aws:ec2:eu-west-1:222222222222:instance/i-0new0000000000001"


@pytest.fixture
def estate(tmp_path):
    """The example estate in a folder of its own: inventory.json can be changed; ``args()`` are check's inputs."""
    inventory = json.loads((EXAMPLES / "inventory.json").read_text())

    class Estate:
        folder = tmp_path
        baseline = tmp_path / ".costwarden-baseline.json"

        def save(self, data: dict) -> None:
            (tmp_path / "inventory.json").write_text(json.dumps(data))

        def resources(self) -> dict:
            return copy.deepcopy(inventory)

        def args(self, *extra) -> list[str]:
            return ["--inventory", str(tmp_path / "inventory.json"), "--costs", str(EXAMPLES / "costs" / "focus-2026-11.csv"),
                    "--budgets", str(EXAMPLES / "budgets.yaml"), "--prices", str(EXAMPLES / "prices.csv"),
                    "--ownership", str(EXAMPLES / "ownership.yaml"), "--as-of", AS_OF, *extra]

    estate = Estate()
    estate.save(inventory)
    return estate


def run(args, ok=(0, 1)):
    result = CliRunner().invoke(main, args)
    assert result.exit_code in ok, result.output
    return result


def check_json(estate, *extra) -> tuple[int, dict]:
    result = run(["check", *estate.args("--baseline", str(estate.baseline), "--format", "json", *extra)])
    document = json.loads(result.stdout)
    assert [e.message for e in validator("findings.schema.json").iter_errors(document)] == []
    return result.exit_code, document


def entries(estate) -> list[dict]:
    document = json.loads(estate.baseline.read_text())
    assert [e.message for e in validator("baseline.schema.json").iter_errors(document)] == []
    return document["findings"]


def with_new_untagged_instance(data: dict) -> dict:
    data["resources"].append({"id": NEW, "type": "AWS::EC2::Instance", "provider": "aws", "account": "222222222222",
                              "region": "eu-west-1", "size": "m5.large", "state": "running", "tags": {}})
    return data


def with_volume_tagged(data: dict) -> dict:
    volume = next(r for r in data["resources"] if r["id"] == VOL11)
    volume["tags"]["cost-center"] = "CC-1001"
    return data


def test_create_check_fix_update_and_the_ratchet(estate):
    created = run(["baseline", "create", *estate.args("--output", str(estate.baseline))], ok=(0,))
    first = entries(estate)
    assert created.output == f"wrote {estate.baseline}: {len(first)} findings\n" and len(first) == 33
    text = estate.baseline.read_text()
    assert text.count("\n") == len(first) + 6  # one entry a line, between 4 lines of head and 2 of tail
    resources = [(e["policy"], e["resource"]["provider"], e["resource"]["id"], e["kind"]) for e in first if "resource" in e]
    assert [e["policy"] for e in first] == sorted(e["policy"] for e in first) and resources == sorted(resources)
    run(["baseline", "create", *estate.args("--output", str(estate.baseline))], ok=(0,))
    assert estate.baseline.read_text() == text  # byte-identical for the same inputs

    code, document = check_json(estate)
    assert code == 0 and document["summary"]["baselined"] == 33 and document["summary"]["open"] == 0
    assert document["baseline"] == {"file": str(estate.baseline), "fingerprint_version": "2", "entries": 33, "baselined": 33,
                                    "new": 0, "fixed": [], "unchecked": 0}

    estate.save(with_new_untagged_instance(estate.resources()))  # a new resource: only its findings fail
    code, document = check_json(estate)
    opened = [(f["policy"], f["resource"]["id"]) for f in document["findings"] if f["status"] == "open"]
    assert code == 1 and opened and {rid for _, rid in opened} == {NEW}
    assert document["baseline"]["new"] == len(opened) and document["baseline"]["baselined"] == 33

    estate.save(with_volume_tagged(with_new_untagged_instance(estate.resources())))  # and one fixed
    code, document = check_json(estate)
    (fixed,) = document["baseline"]["fixed"]
    assert (fixed["policy"], fixed["resource"], fixed["message"]) == (
        "required-allocation-tags", {"provider": "aws", "id": VOL11}, "missing tag cost-center")
    text_output = run(["check", *estate.args("--baseline", str(estate.baseline))]).output
    assert f"Baseline {estate.baseline}: 32 baselined, {len(opened)} new, 1 fixed" in text_output
    assert f"  fixed: required-allocation-tags on {VOL11}: missing tag cost-center" in text_output

    update = run(["baseline", "update", *estate.args("--baseline", str(estate.baseline))], ok=(1,))
    assert update.stdout == f"wrote {estate.baseline}: 32 findings (kept 32, removed 1 (1 fixed), added 0)\n"
    assert f"{len(opened)} findings not in the baseline and not added: the baseline only shrinks" in update.stderr
    shrunk = entries(estate)
    assert len(shrunk) == 32 and [e for e in first if e["fingerprint"] != fixed["fingerprint"]] == shrunk
    assert check_json(estate)[0] == 1  # the new findings still fail

    grown = run(["baseline", "update", *estate.args("--baseline", str(estate.baseline), "--allow-growth")], ok=(0,))
    assert grown.stdout == f"wrote {estate.baseline}: {32 + len(opened)} findings (kept 32, removed 0, added {len(opened)})\n"
    code, document = check_json(estate)
    assert code == 0 and document["baseline"]["new"] == 0


def test_update_keeps_what_the_run_did_not_look_at_unless_asked(estate):
    run(["baseline", "create", *estate.args("--output", str(estate.baseline))], ok=(0,))
    before = entries(estate)
    # one policy only, and the untagged instance gone from the input: nothing else is known to be fixed
    data = estate.resources()
    data["resources"] = [r for r in data["resources"] if r["id"] != I4]
    estate.save(data)
    code, document = check_json(estate, "--policy", "required-allocation-tags")
    assert document["baseline"]["fixed"] == [] and document["baseline"]["unchecked"] == 33 - 5
    update = run(["baseline", "update", *estate.args("--baseline", str(estate.baseline), "--policy", "required-allocation-tags")],
                 ok=(0,))
    assert update.stdout == f"wrote {estate.baseline}: 33 findings (kept 33, removed 0, added 0)\n"
    assert entries(estate) == before
    dropped = run(["baseline", "update", *estate.args("--baseline", str(estate.baseline), "--policy", "required-allocation-tags",
                                                      "--drop-unchecked")], ok=(0,))
    assert dropped.stdout == f"wrote {estate.baseline}: 5 findings (kept 5, removed 28 (28 not checked), added 0)\n"
    assert {e["policy"] for e in entries(estate)} == {"required-allocation-tags"}


def test_an_exempted_finding_leaves_the_baseline_on_update(estate, write):
    run(["baseline", "create", *estate.args("--output", str(estate.baseline))], ok=(0,))
    exemption = write("e.yaml", json.dumps({"apiVersion": "costwarden/v1", "kind": "Exemption", "id": "retiring",
                                            "policies": ["required-allocation-tags"], "resources": {"ids": [I4]}, "reason": "r",
                                            "ticket": "T-1", "expires": "2026-12-31"}))
    code, document = check_json(estate, "--exemptions", str(exemption))
    assert code == 0 and document["summary"]["exempted"] == 1 and document["baseline"]["fixed"] == []
    finding = next(f for f in document["findings"] if f["status"] == "exempted")
    assert finding["resource"]["id"] == I4  # the exemption wins over the baseline
    update = run(["baseline", "update", *estate.args("--baseline", str(estate.baseline), "--exemptions", str(exemption))], ok=(0,))
    assert update.stdout == f"wrote {estate.baseline}: 32 findings (kept 32, removed 1 (1 now exempted), added 0)\n"
    created = run(["baseline", "create", *estate.args("--output", str(estate.folder / "b2.json"), "--exemptions", str(exemption))])
    assert created.stdout == f"wrote {estate.folder / 'b2.json'}: 32 findings\n"  # exempted findings are not recorded


def test_nothing_is_written_when_a_policy_could_not_be_evaluated(estate, write):
    policy = write("policies/typed.yaml", "\n".join([
        "apiVersion: costwarden/v1", "kind: Policy", "id: typed", "title: t", "type: condition", "severity: low",
        "spec:", "  fail_if: {path: tags.team, op: gt, value: 3}", ""]))
    result = run(["baseline", "create", *estate.args("--policies", str(policy), "--output", str(estate.baseline))], ok=(2,))
    assert "E501" in result.stderr and f"costwarden: {estate.baseline} not written:" in result.stderr
    assert not estate.baseline.exists()


# ----------------------------------------------------------------------------- the file


def problems(estate, text: str) -> list[str]:
    estate.baseline.write_text(text)
    result = run(["check", *estate.args("--baseline", str(estate.baseline))], ok=(2,))
    return [line.replace(str(estate.baseline), "b.json") for line in result.stderr.splitlines()[:-1]]


def test_a_file_that_is_not_json_or_not_a_baseline_is_a_clear_error(estate):
    assert problems(estate, '{\n  "version": 1,\n  "findings": [\n    {"fingerprint": "x",}\n') == [
        "b.json:4:24: E470 not a baseline file: not valid JSON (trailing comma is not allowed); a baseline is written by costwarden baseline create"]
    entry = '{"fingerprint": "abc", "policy": "p", "kind": "rule", "resource": {"provider": "aws", "id": "i-1", "arn": "x"}, "message": "m"}'
    row = "    " + entry

    def column(text: str) -> int:
        return row.index(f'"{text}"') + 1

    assert problems(estate, '{\n  "version": 1,\n  "fingerprint_version": "2",\n  "findings": [\n' + row + '\n  ]\n}\n') == [
        f"b.json:5:{column('abc')}: E205 'abc' does not match the pattern ^[0-9a-f]{{32}}$ (at /findings/0/fingerprint)",
        f"b.json:5:{column('rule')}: E204 'rule' is not one of: violation, note (at /findings/0/kind)",
        f"b.json:5:{column('arn')}: E201 unknown key 'arn' (at /findings/0/resource/arn)",
    ]
    assert problems(estate, "[]") == ["b.json:1:1: E203 expected object, got array [] (at /)"]


def test_missing_file_and_newer_recipe(estate):
    result = run(["check", *estate.args("--baseline", str(estate.folder / "none.json"))], ok=(2,))
    assert f"{estate.folder / 'none.json'}: E401 cannot read the baseline file: no such file; make one with: costwarden baseline create --output FILE" in result.stderr
    assert problems(estate, '{"version": 1, "fingerprint_version": "3", "findings": []}') == [
        "b.json: E472 the baseline's fingerprints are of recipe 3, newer than this costwarden's (2); upgrade costwarden, or make a new"
        " baseline with this one"]


def test_an_entry_edited_by_hand_is_refused_and_an_older_recipe_is_recomputed(estate):
    run(["baseline", "create", *estate.args("--output", str(estate.baseline))], ok=(0,))
    text = estate.baseline.read_text()
    edited = text.replace(VOL11, VOL11 + "-other", 1)
    line = next(i for i, row in enumerate(edited.splitlines(), 1) if VOL11 + "-other" in row)
    assert problems(estate, edited) == [
        f"b.json:{line}:21: E473 the entry's fingerprint is not the one of its policy, kind and subject (was it edited by hand?)"
        " (at /findings/" + str(line - 5) + "/fingerprint); change findings with costwarden baseline update, not by hand"]
    # recipe 1 (any older one): the fingerprints are recomputed from each entry's context, not checked
    older = json.loads(text)
    older["fingerprint_version"] = "1"
    for entry in older["findings"]:
        entry["fingerprint"] = "0" * 32
    estate.baseline.write_text(json.dumps(older))
    code, document = check_json(estate)
    assert code == 0 and document["baseline"]["fingerprint_version"] == "1" and document["baseline"]["baselined"] == 33
    run(["baseline", "update", *estate.args("--baseline", str(estate.baseline))], ok=(0,))
    assert estate.baseline.read_text() == text  # rewritten with the current recipe


def test_the_entry_is_what_the_documented_recipe_hashes():
    """The recipe, computed here independently (hashlib over the JSON array), is the fingerprint of each entry."""
    import hashlib

    result = api.evaluate(api.load_policies(None), api.load_inventory([str(EXAMPLES / "inventory.json")]).resources, as_of=AS_OF)
    document = json.loads(api.baseline_text(result))
    assert len(document["findings"]) == len(result.findings) > 10
    for entry in document["findings"]:
        subject = (["resource", entry["resource"]["provider"], entry["resource"]["id"]] if "resource" in entry else
                   ["scope", *(entry["scope"][k] for k in ("dimension", "value", "currency")), *entry["scope"]["period"].values()])
        parts = [entry["policy"], entry["kind"], *subject]
        expected = hashlib.sha256(json.dumps(parts, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()[:32]
        assert entry["fingerprint"] == expected == fingerprint_of(entry["policy"], entry["kind"], entry.get("resource"), entry.get("scope"))


# ----------------------------------------------------------------------------- the fast paths, against what they stand for

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_text = st.one_of(st.none(), st.text(max_size=3))
_valid_entry = st.fixed_dictionaries(
    {"fingerprint": st.text("0123456789abcdef", min_size=32, max_size=32), "policy": st.text(min_size=1, max_size=3),
     "kind": st.sampled_from(["violation", "note"]), "message": st.text(max_size=3)},
).flatmap(lambda entry: st.one_of(
    st.fixed_dictionaries({"provider": _text, "id": _text}).map(lambda resource: {**entry, "resource": resource}),
    st.fixed_dictionaries({"dimension": _text, "value": _text, "currency": _text,
                           "period": st.fixed_dictionaries({"start": _text, "end": _text})}).map(lambda scope: {**entry, "scope": scope}),
))
_BAD = [None, 1, 1.5, True, "", "A" * 32, "a" * 32 + "\n", "x", [], {}, {"provider": "aws"}, {"provider": None, "id": None, "arn": 1},
        {"dimension": None, "value": None, "currency": None, "period": {"start": None}}, "other"]


def _mutated(entry: dict, draw) -> dict:
    """The entry, or it with one thing wrong (or not quite: some changes keep it valid)."""
    change = draw(st.sampled_from(["none", "drop", "set", "add", "both", "inner"]))
    entry = copy.deepcopy(entry)
    if change == "drop":
        entry.pop(draw(st.sampled_from(sorted(entry))))
    elif change == "set":
        entry[draw(st.sampled_from(sorted(entry)))] = draw(st.sampled_from(_BAD))
    elif change == "add":
        entry[draw(st.sampled_from(["extra", "resource", "scope"]))] = draw(st.sampled_from(_BAD))
    elif change == "both":
        entry["resource" if "scope" in entry else "scope"] = {"provider": "aws", "id": "i"} if "scope" in entry else \
            {"dimension": "all", "value": None, "currency": "USD", "period": {"start": None, "end": None}}
    elif change == "inner":
        inner = entry.get("resource") or entry["scope"]
        inner[draw(st.sampled_from(sorted(inner)))] = draw(st.sampled_from(_BAD))
    return entry


@st.composite
def _document(draw):
    entries = [_mutated(draw(_valid_entry), draw) for _ in range(draw(st.integers(0, 3)))]
    document = {"version": draw(st.sampled_from([1, 1, 1, 1.0, 2, True, "1"])),
                "fingerprint_version": draw(st.sampled_from(["2", "2", "10", "x", "2\n", 2])), "findings": entries}
    if draw(st.booleans()) and draw(st.booleans()):
        document = {key: value for key, value in document.items() if key != draw(st.sampled_from(sorted(document)))}
    return document


@settings(max_examples=400, deadline=None)
@given(_document())
def test_the_plain_check_says_valid_only_when_the_schema_does(document):
    from engine.exemptions.baseline import plainly_valid

    schema_says = validator("baseline.schema.json").is_valid(document)
    assert not plainly_valid(document) or schema_says
    if schema_says and isinstance(document, dict) and document.get("version").__class__ is int:
        assert plainly_valid(document)  # and it leaves the schema nothing but 1.0 for 1 to decide


def test_marking_a_finding_is_what_replace_makes():
    from dataclasses import replace

    from engine.exemptions.marking import marked
    from tests.output_cases import example_result

    for finding in example_result().findings:
        reference = {"id": "x", "reason": "r", "expires": "2027-01-01", "approver": None, "ticket": "T"}
        assert marked(finding, "exempted", reference) == replace(finding, status="exempted", exemption=reference)
        assert marked(finding, "baselined") == replace(finding, status="baselined")
        assert type(marked(finding, "baselined")) is type(finding)
