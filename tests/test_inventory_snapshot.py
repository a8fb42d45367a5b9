"""Loading inventory snapshots: the canonical format, JSON Lines, merging, and every kind of bad input.

Bad input must raise InputError whose text names the file and a line or a JSON pointer: the
assertions below are on that text, as users see it.
"""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine.errors import InputError
from engine.inventory import RESOURCE_KEYS, Conflict, load_inventory
from engine.inventory.jsonpos import locate_paths
from engine.inventory.reading import first_offset_deeper_than, nesting_exceeds

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "inventory.json"


def document(*resources: dict) -> dict:
    return {"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": list(resources)}


def vm(rid: str, **fields) -> dict:
    return {"id": rid, "type": "AWS::EC2::Instance", **fields}


@pytest.fixture
def dump(tmp_path):
    """dump(name, value, indent=2) -> path of a JSON file; bytes and str are written as they are."""

    def _dump(name: str, value: object, indent: int | None = 2) -> str:
        path = tmp_path / name
        if isinstance(value, bytes):
            path.write_bytes(value)
        elif isinstance(value, str):
            path.write_text(value, encoding="utf-8")
        else:
            path.write_text(json.dumps(value, indent=indent), encoding="utf-8")
        return str(path)

    return _dump


def error_text(paths: list[str], **options) -> str:
    with pytest.raises(InputError) as caught:
        load_inventory(paths, **options)
    return str(caught.value)


# --- the canonical format -----------------------------------------------------------------------------


def test_example_inventory_loads_and_matches_the_schema():
    inventory = load_inventory([str(EXAMPLE)])
    assert inventory.formats == {str(EXAMPLE): "costwarden"}
    assert len(inventory.resources) == 16
    assert {r["provider"] for r in inventory.resources} == {"aws", "azure", "gcp"}
    assert {r["account"] for r in inventory.resources if r["provider"] == "aws"} == {"111111111111", "222222222222"}
    teams = {r["tags"].get("team") for r in inventory.resources}
    assert {"payments", "search", "data-platform"} <= teams
    assert any(r["tags"].get("owner") == "alice@example.com" for r in inventory.resources)
    assert any("Owner" in r["tags"] for r in inventory.resources) and any("CostCenter" in r["tags"] for r in inventory.resources)
    states = {(r["class"], r["state"]) for r in inventory.resources}
    assert ("block.volume", "available") in states and ("compute.instance", "stopped") in states
    schema = json.loads((ROOT / "schemas" / "inventory.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert [e.message for e in Draft202012Validator(schema).iter_errors(json.loads(EXAMPLE.read_text()))] == []


def test_absent_keys_are_filled_and_class_and_provider_computed(dump):
    path = dump("inv.json", [{"id": "vol-1", "type": "ec2:volume"}, {"id": "x", "type": "Thing"}])
    first, second = load_inventory([path]).resources
    assert first == {
        "id": "vol-1", "type": "ec2:volume", "class": "block.volume", "provider": "aws", "account": None,
        "region": None, "name": None, "tags": {}, "size": None, "state": None, "created_at": None,
        "relationships": [], "properties": {}, "utilization": {},
    }
    assert (second["provider"], second["class"]) == ("other", None)
    assert set(first) == set(RESOURCE_KEYS)


def test_tag_values_number_and_false_become_strings_true_is_key_only(dump):
    path = dump("inv.json", document(vm("i-1", tags={"a": "x", "n": 12, "f": 1.5, "no": False, "keyonly": True})))
    (resource,) = load_inventory([path]).resources
    assert resource["tags"] == {"a": "x", "n": "12", "f": "1.5", "no": "false", "keyonly": True}


def test_explicit_class_and_extension_keys_are_kept(dump):
    path = dump("inv.json", document(vm("i-1", **{"class": "compute.instance", "x_cost_owner": "me", "x-note": 1})))
    (resource,) = load_inventory([path]).resources
    assert (resource["x_cost_owner"], resource["x-note"], resource["class"]) == ("me", 1, "compute.instance")


def test_json_lines_with_blank_lines(dump):
    lines = [json.dumps(vm("i-1")), "", "   ", json.dumps(vm("i-2", tags={"team": "search"})), ""]
    path = dump("inv.jsonl", "\n".join(lines))
    inventory = load_inventory([path])
    assert inventory.formats[path] == "costwarden"
    assert [r["id"] for r in inventory.resources] == ["i-1", "i-2"]


def test_json_lines_detected_by_content_without_the_extension(dump):
    path = dump("inv.json", json.dumps(vm("i-1")) + "\r\n" + json.dumps(vm("i-2")) + "\r\n")
    assert [r["id"] for r in load_inventory([path]).resources] == ["i-1", "i-2"]


def test_utf8_byte_order_mark_is_accepted(dump):
    path = dump("bom.json", b"\xef\xbb\xbf" + json.dumps(document(vm("i-1"))).encode())
    assert [r["id"] for r in load_inventory([path]).resources] == ["i-1"]


def test_loading_twice_gives_equal_results_and_restores_the_collector(dump):
    path = dump("inv.json", document(vm("i-1"), vm("i-2")))
    assert gc.isenabled()
    assert load_inventory([path]) == load_inventory([path])
    assert gc.isenabled()


def test_freeze_gc_freezes_the_loaded_objects(dump):
    path = dump("inv.json", document(vm("i-1")))
    try:
        load_inventory([path], freeze_gc=True)
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()


# --- merging -----------------------------------------------------------------------------------------------


def test_merge_fills_overrides_and_records_conflicts(dump):
    first = dump("a.json", document(
        vm("i-1", size="t3.micro", tags={"team": "payments", "env": "prod"}, relationships=[{"type": "volume", "id": "v-1"}]),
        vm("i-2", account="111111111111"),
    ))
    second = dump("b.json", document(
        vm("i-3"),
        vm("i-1", size="t3.large", region="us-east-1", tags={"team": "search", "owner": "alice@example.com"},
           relationships=[{"type": "volume", "id": "v-1"}, {"type": "volume", "id": "v-2"}],
           utilization={"cpu": {"p95": 4.0}}),
    ))
    inventory = load_inventory([first, second])
    assert [r["id"] for r in inventory.resources] == ["i-1", "i-2", "i-3"]  # file order, then position
    merged = inventory.resources[0]
    assert merged["size"] == "t3.large"  # the later file wins
    assert merged["region"] == "us-east-1"  # filled
    assert merged["tags"] == {"team": "search", "env": "prod", "owner": "alice@example.com"}
    assert merged["relationships"] == [{"type": "volume", "id": "v-1"}, {"type": "volume", "id": "v-2"}]
    assert merged["utilization"] == {"cpu": {"p95": 4.0}}
    assert inventory.conflicts == [
        Conflict("aws", "i-1", "size", ("t3.micro", "t3.large"), (first, second)),
        Conflict("aws", "i-1", "tags.team", ("payments", "search"), (first, second)),
    ]
    assert inventory.conflicts[0].describe() == (
        f"aws resource 'i-1': size is 't3.micro' in '{first}' but 't3.large' in '{second}'; "
        "using 't3.large' (the later file wins)"
    )
    assert inventory.sources == [first, second]


def test_conflict_in_a_third_file_names_the_file_that_set_the_value(dump):
    files = [dump(f"{n}.json", document(vm("i-1", size=size))) for n, size in (("a", "t3.micro"), ("b", None), ("c", "m5.large"))]
    files[1] = dump("b.json", document(vm("i-1", size="t3.small")))
    conflicts = load_inventory(files).conflicts
    assert [(c.values, c.files) for c in conflicts] == [
        (("t3.micro", "t3.small"), (files[0], files[1])),
        (("t3.small", "m5.large"), (files[1], files[2])),
    ]


def test_tag_keys_that_need_quoting_in_conflicts(dump):
    a = dump("a.json", document(vm("i-1", tags={"cost-center": "1"})))
    b = dump("b.json", document(vm("i-1", tags={"cost-center": "2"})))
    assert [c.field for c in load_inventory([a, b]).conflicts] == ['tags."cost-center"']


def test_azure_ids_merge_case_insensitively_other_ids_do_not(dump):
    azure_id = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/disks/D1"
    a = dump("a.json", document({"id": azure_id, "type": "Microsoft.Compute/disks", "provider": "azure", "size": "Premium_LRS"},
                                {"id": "arn:aws:s3:::Bucket", "type": "s3:bucket"}))
    b = dump("b.json", document({"id": azure_id.lower(), "type": "microsoft.compute/disks", "provider": "azure",
                                 "region": "westeurope"},
                                {"id": "arn:aws:s3:::bucket", "type": "s3:bucket"}))
    inventory = load_inventory([a, b])
    assert [r["id"] for r in inventory.resources] == [azure_id, "arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"]
    assert (inventory.resources[0]["size"], inventory.resources[0]["region"]) == ("Premium_LRS", "westeurope")
    assert inventory.conflicts == []


@pytest.mark.parametrize(
    "types, kept",
    [
        (("ec2:instance", "AWS::EC2::Instance"), "AWS::EC2::Instance"),
        (("aws_instance", "ec2:instance"), "ec2:instance"),
        (("ec2:instance", "aws::ec2::instance"), "aws::ec2::instance"),  # the key, even in another case
        (("microsoft.compute/disks", "Microsoft.Compute/disks"), "Microsoft.Compute/disks"),  # the table's case
        # the tagging API's name of both load balancer kinds gives way to the name of one kind
        (("elasticloadbalancing:loadbalancer", "AWS::ElasticLoadBalancing::LoadBalancer"), "AWS::ElasticLoadBalancing::LoadBalancer"),
        (("elasticloadbalancing:loadbalancer", "aws_lb"), "aws_lb"),
    ],
)
def test_one_kind_spelt_two_ways_is_no_conflict_and_the_result_does_not_depend_on_the_order(dump, types, kept):
    for order in (types, types[::-1]):
        files = [dump(f"{n}.json", document({"id": "r-1", "type": t, "provider": "aws"})) for n, t in enumerate(order)]
        inventory = load_inventory(files)
        assert [(r["type"], r["class"]) for r in inventory.resources] == [(kept, inventory.resources[0]["class"])]
        assert inventory.resources[0]["class"] is not None
        assert inventory.conflicts == []


def test_two_kinds_are_a_conflict_and_the_later_file_wins(dump):
    a = dump("a.json", document(vm("i-1"), {"id": "lb-1", "type": "AWS::ElasticLoadBalancingV2::LoadBalancer"}))
    b = dump("b.json", document({"id": "i-1", "type": "AWS::EC2::Volume"}, {"id": "lb-1", "type": "aws_elb"}))
    inventory = load_inventory([a, b])
    assert [(r["type"], r["class"]) for r in inventory.resources] == [
        ("AWS::EC2::Volume", "block.volume"), ("aws_elb", "network.load-balancer")]
    assert inventory.conflicts == [
        Conflict("aws", "i-1", "type", ("AWS::EC2::Instance", "AWS::EC2::Volume"), (a, b)),
        Conflict("aws", "lb-1", "type", ("AWS::ElasticLoadBalancingV2::LoadBalancer", "aws_elb"), (a, b)),
    ]


def test_unknown_types_conflict_unless_equal_and_azure_keeps_the_first_case(dump):
    azure_id = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Web/sites/app"
    a = dump("a.json", document({"id": "x-1", "type": "AWS::Foo::Bar"}, {"id": "x-2", "type": "AWS::Foo::Bar"},
                                {"id": azure_id, "type": "Microsoft.Web/sites", "provider": "azure"}))
    b = dump("b.json", document({"id": "x-1", "type": "AWS::Foo::Bar"}, {"id": "x-2", "type": "AWS::Foo::Baz"},
                                {"id": azure_id, "type": "microsoft.web/sites", "provider": "azure"}))
    for files in ([a, b], [b, a]):
        inventory = load_inventory(files)
        assert [c.field for c in inventory.conflicts] == ["type"]
        assert inventory.resources[2]["type"] == load_inventory(files[:1]).resources[2]["type"]  # the first file's


def test_same_id_under_two_providers_is_two_resources(dump):
    path = dump("inv.json", document({"id": "r1", "type": "t", "provider": "aws"}, {"id": "r1", "type": "t", "provider": "gcp"}))
    assert len(load_inventory([path]).resources) == 2


# --- bad input: every problem names the file and a line or a pointer ---------------------------------------


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.json")
    assert error_text([path]) == f"{path}: E401 file not found"


def test_directory(tmp_path):
    assert error_text([str(tmp_path)]) == f"{tmp_path}: E401 is a directory, not an inventory file"


def test_what_is_not_a_file_is_named_never_as_a_missing_file(tmp_path):
    loop = tmp_path / "loop.json"
    loop.symlink_to("loop.json")
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("gone.json")
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    assert error_text([str(loop)]) == f"{loop}: E401 is a symbolic link loop (a link that leads back to itself)"
    assert error_text([str(dangling)]) == f"{dangling}: E401 is a symbolic link to 'gone.json', which does not exist"
    # a device is refused before reading: /dev/zero would be read to the size limit (2 GiB) first
    assert error_text(["/dev/zero"]) == "/dev/zero: E401 is a character device, not an inventory file"
    assert error_text([str(zero)]) == f"{zero}: E401 is a character device (/dev/zero), not an inventory file"


def test_the_null_device_and_an_empty_json_lines_file_are_empty_files(dump):
    assert error_text(["/dev/null"]) == "/dev/null:1:1: E403 the file is empty; expected a JSON document"
    hint = 'an inventory with no resources is a document with "resources": []'
    empty = dump("empty.jsonl", b"")
    assert error_text([empty]) == f"{empty}: E403 the file is empty; expected JSON Lines, one resource per line; {hint}"
    blank = dump("blank.jsonl", "\n  \n\n")
    assert error_text([blank]) == f"{blank}: E403 the file holds only blank lines; expected JSON Lines, one resource per line; {hint}"
    assert load_inventory([dump("none.json", document())]).resources == []  # no resources, said so: valid


def test_a_named_pipe_is_read_as_a_stream(tmp_path):
    import threading

    fifo = tmp_path / "inventory.json"
    os.mkfifo(fifo)
    content = json.dumps(document(vm("i-1"), vm("i-2"))).encode()

    def write() -> None:
        with open(fifo, "wb") as pipe:
            pipe.write(content)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    assert [r["id"] for r in load_inventory([str(fifo)]).resources] == ["i-1", "i-2"]
    writer.join(5)


def test_unreadable_file(dump, monkeypatch):
    from engine.inventory import reading

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    path = dump("secret.json", "[]")
    monkeypatch.setattr(reading, "open", refuse, raising=False)  # tests may run as root, who can read anything
    assert error_text([path]) == f"{path}: E401 permission denied"


def test_io_error(dump, monkeypatch):
    from engine.inventory import reading

    def fail(*args, **kwargs):
        raise OSError(5, "Input/output error")

    path = dump("flaky.json", "[]")
    monkeypatch.setattr(reading, "open", fail, raising=False)
    assert error_text([path]) == f"{path}: E401 cannot read file: Input/output error"


def test_invalid_utf8_gives_line_and_column(dump):
    path = dump("latin1.json", b'[\n  {"id": "i-1",\n   "type": "caf\xe9"}\n]\n')
    assert error_text([path]) == (
        f"{path}:3:16: E402 invalid UTF-8: byte 0xe9 at offset 33; "
        "inventory files must be UTF-8; re-export them or convert with iconv"
    )


def test_utf16_file_gets_a_hint(dump):
    path = dump("ps.json", "[]".encode("utf-16"))
    assert error_text([path]) == (
        f"{path}:1:1: E402 the file is UTF-16, not UTF-8; re-save it as UTF-8 (PowerShell: Out-File -Encoding utf8)"
    )


def test_truncated_json(dump):
    text = json.dumps(document(vm("i-1"), vm("i-2")), indent=2)
    path = dump("cut.json", text[: text.index('"i-2"')])
    lines = text[: text.index('"i-2"')].splitlines()
    message = error_text([path])
    assert message.startswith(f"{path}:{len(lines)}:")
    assert "E403 invalid JSON: " in message
    assert message.endswith("the file ends before the JSON value does; is it truncated?")


def test_syntax_error_position(dump):
    path = dump("comma.json", '{\n  "apiVersion": "costwarden/v1",\n  "kind": "Inventory" \n  "resources": []\n}')
    message = error_text([path])
    assert message.startswith(f"{path}:4:3: E403 invalid JSON: ")


def test_empty_file(dump):
    path = dump("empty.json", "")
    assert error_text([path]) == f"{path}:1:1: E403 the file is empty; expected a JSON document"


def test_deeply_nested_json_is_refused_with_its_position(dump):
    path = dump("deep.json", "[" * 5000 + "]" * 5000)
    assert error_text([path]) == f"{path}:1:1025: E407 JSON nests deeper than 1024 levels"


def test_deep_nesting_inside_a_resource_on_line_3(dump):
    head = '{"apiVersion": "costwarden/v1", "kind": "Inventory",\n"resources": [\n{"id": "a", "type": "t", "properties": '
    path = dump("deep2.json", head + '{"a":' * 3000 + "1" + "}" * 3000 + "}]}")
    assert error_text([path]).startswith(f"{path}:3:")
    assert "E407 JSON nests deeper than 1024 levels" in error_text([path])


def test_deep_json_lines_line(dump):
    path = dump("deep.jsonl", json.dumps(vm("i-1")) + "\n" + "[" * 3000 + "]" * 3000 + "\n")
    assert error_text([path]).startswith(f"{path}:2:")
    assert "E407" in error_text([path])


def test_too_large_file_is_not_read(dump):
    path = dump("big.json", json.dumps(document(*[vm(f"i-{n}") for n in range(100)])))
    assert error_text([path], max_bytes=1024) == (
        f"{path}: E406 file is too large ({Path(path).stat().st_size / 1024:.1f} KiB, over the 1 KiB limit for "
        "inventory files); split the inventory into several files or raise the size limit"
    )


def test_missing_id_and_tags_as_a_list_point_at_the_resource(dump):
    path = dump("inv.json", document(vm("i-1"), {"type": "AWS::EC2::Volume"}, vm("i-3", tags=[{"Key": "team", "Value": "x"}])))
    lines = Path(path).read_text().splitlines()
    assert (lines[8], lines[14]) == ("    {", '      "tags": [')  # the second resource starts on line 9; tags on line 15
    assert error_text([path]).splitlines() == [
        f"{path}:9:5: E405 missing 'id' (at /resources/1)",
        f'{path}:15:15: E405 tags must be an object of key/value pairs, got an array (at /resources/2/tags); '
        'write tags as {"key": "value"}',
    ]


def test_wrong_types_and_unknown_values_get_hints(dump):
    path = dump("inv.json", document(
        vm("i-1", account=111111111111, provider="amazon", tag={"team": "x"}, **{"class": "compute.instances"}),
        vm("i-2", tags={"team": None}, utilization={"cpu": {"p95": "12%"}}, relationships=[{"id": "v"}]),
    ), indent=None)
    text = Path(path).read_text()

    def at(value: str) -> str:  # file:line:column of a value in this one-line file
        return f"{path}:1:{text.index(value) + 1}"

    account, provider, tag, klass = "111111111111", '"amazon"', '{"team": "x"}', '"compute.instances"'
    stat, relationship = '"12%"', '{"id": "v"}'
    assert error_text([path]).splitlines() == [
        f"{at(account)}: E405 'account' must be a string or null, got a number "
        "(at /resources/0/account); quote it: account ids are strings and may start with 0",
        f"{at(provider)}: E405 unknown provider 'amazon'; expected one of aws, azure, gcp, kubernetes, other "
        "(at /resources/0/provider)",
        f"{at(tag)}: E405 unknown key 'tag' (at /resources/0/tag); did you mean 'tags'?",
        f"{at(klass)}: E405 unknown class 'compute.instances' (at /resources/0/class); did you mean 'compute.instance'?",
        f"{at('null')}: E405 tag 'team' has null as its value; expected a string, a number or a boolean (true: a key-only tag) "
        "(at /resources/1/tags/team)",
        f"{at(stat)}: E405 utilization statistic must be a number or null, got a string (at /resources/1/utilization/cpu/p95)",
        f"{at(relationship)}: E405 a relationship must be an object with string 'type' and 'id' "
        "(at /resources/1/relationships/0)",
    ]


def test_document_envelope_problems(dump):
    path = dump("inv.json", {"apiVersion": "costwarden/v2", "kind": "Inventroy", "resource": []})
    assert error_text([path]).splitlines() == [
        f"{path}:1:1: E405 missing 'resources' (at /)",
        f"{path}:2:17: E405 unsupported apiVersion 'costwarden/v2'; this version reads 'costwarden/v1' (at /apiVersion)",
        f"{path}:3:11: E405 kind must be 'Inventory' in an inventory file, got 'Inventroy' (at /kind); did you mean 'Inventory'?",
        f"{path}:4:15: E405 unknown key 'resource' (at /resource); did you mean 'resources'?",
    ]


def test_duplicate_resource_in_one_file(dump):
    path = dump("inv.json", document(vm("i-1"), vm("i-2"), vm("i-1")))
    assert Path(path).read_text().splitlines()[13] == '      "id": "i-1",'
    assert error_text([path]) == f"{path}:14:13: E405 duplicate resource 'i-1'; first at /resources/0 (at /resources/2/id)"


@pytest.mark.parametrize("slow", [False, True], ids=["fast path", "with a resource to normalize"])
def test_duplicates_follow_the_merge_key(dump, slow):
    """Azure ids are case-insensitive, others are not; the same id under two providers is two resources."""
    azure = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"
    resources = [vm("i-1"), vm("I-1"), {"id": "i-1", "type": "compute.googleapis.com/Instance", "provider": "gcp"},
                 {"id": azure, "type": "Microsoft.Compute/disks", "provider": "azure"}]
    if slow:  # a tag value that is a number is coerced by the slow path: the check must still see every id
        resources.append(vm("i-9", tags={"n": 5}))
    path = dump("inv.json", document(*resources))
    assert len(load_inventory([path]).resources) == len(resources)  # no duplicate
    resources.append({"id": azure.upper(), "type": "Microsoft.Compute/disks", "provider": "azure"})
    path = dump("inv.json", document(*resources))
    assert f"E405 duplicate resource '{azure.upper()}'; first at /resources/3" in error_text([path])


def test_json_lines_problems_give_the_line(dump):
    lines = [json.dumps(vm("i-1")), json.dumps(vm("i-2", tags=["team"])), "{not json", json.dumps({"type": "t"})]
    path = dump("inv.jsonl", "\n".join(lines) + "\n")
    text = error_text([path])
    assert text.splitlines()[0].startswith(f"{path}:3:2: E403 invalid JSON: ")
    # structural problems of the other lines are found once the syntax is right
    path2 = dump("inv2.jsonl", "\n".join(lines[:2] + lines[3:]) + "\n")
    assert error_text([path2]).splitlines() == [
        f"{path2}:2:{lines[1].index('[') + 1}: E405 tags must be an object of key/value pairs, got an array (at /tags); "
        'write tags as {"key": "value"}',
        f"{path2}:3:1: E405 missing 'id' (at /)",
    ]


def test_a_list_of_objects_with_ids_is_read_as_canonical_and_checked(dump):
    path = dump("ids.json", [{"id": 1}])
    assert error_text([path]).splitlines() == [
        f"{path}:2:3: E405 missing 'type' (at /0)",
        f"{path}:3:11: E405 'id' must be a non-empty string, got a number (at /0/id)",
    ]


def test_unknown_format(dump):
    path = dump("odd.json", {"items": [{"arn": "x"}]})
    assert error_text([path]) == (
        f"{path}: E404 cannot tell the inventory format; formats: costwarden, aws-tagging, aws-config, "
        "azure-resource-graph, gcp-asset-inventory; name the format with --inventory-format NAME (format= in the API)"
    )


def test_unknown_format_name(dump):
    path = dump("inv.json", document())
    assert error_text([path], format="aws-taging") == (
        "<input>: E404 unknown inventory format 'aws-taging'; formats: costwarden, aws-tagging, aws-config, "
        "azure-resource-graph, gcp-asset-inventory; did you mean 'aws-tagging'?"
    )


def test_problems_of_every_file_are_reported_together(dump, tmp_path):
    good = dump("good.json", document(vm("i-1")))
    bad = dump("bad.json", document({"id": "i-2"}))
    missing = str(tmp_path / "missing.json")
    assert error_text([good, bad, missing]).splitlines() == [
        f"{bad}:5:5: E405 missing 'type' (at /resources/0)",
        f"{missing}: E401 file not found",
    ]


def test_structural_problems_are_capped_per_file(dump):
    path = dump("many.json", document(*[{"id": f"i-{n}"} for n in range(250)]), indent=None)
    lines = error_text([path]).splitlines()
    assert len(lines) == 101
    assert lines[0] == (
        f"{path}: E405 and 150 more structural problems (format 'costwarden'), not listed: only the first 100 are"
    )
    assert lines[1].endswith("E405 missing 'type' (at /resources/0)")


def test_a_forced_format_never_gives_a_traceback(dump):
    for value in ([1, 2], {"data": 3}, "text", 12, None, [[{"id": 1}]]):
        path = dump("odd.json", json.dumps(value))
        for name in ("costwarden", "aws-tagging", "aws-config", "azure-resource-graph", "gcp-asset-inventory"):
            with pytest.raises(InputError) as caught:
                load_inventory([path], format=name)
            assert all(p.code in ("E404", "E405") and p.file == path for p in caught.value.problems)


# --- helpers the error messages rely on ------------------------------------------------------------------


def test_locate_paths_with_escapes_and_unicode():
    data = '{"a\\"b": [1, {"é": {"x": [true, null]}}], "c": "]"}'.encode()
    offsets = locate_paths(data, [("a\"b", 1, "é", "x", 1), ("c",), ("missing",)])
    assert data[offsets[("a\"b", 1, "é", "x", 1)]:].startswith(b"null")
    assert data[offsets[("c",)]:].startswith(b'"]"')
    assert ("missing",) not in offsets


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("[[[]]]", 3, False),
        ("[[[[]]]]", 3, True),
        ('["[[[[[[[[", {"k": "]]]]"}]' + " " * 10, 3, False),  # brackets inside strings do not count
        ('["\\"[[[[[[", "\\\\", [[[1]]]]', 3, True),  # escaped quote, escaped backslash
        ('[[[[1]]', 3, None),  # unbalanced: invalid JSON, left to the parser
        ('{"a": {"b": {"c": {}}}}', 3, True),
    ],
)
def test_nesting_exceeds(text, limit, expected):
    assert nesting_exceeds(text.encode(), limit) is expected


def test_nesting_position():
    assert first_offset_deeper_than(b'["[[[", [[1]]]', 2) == 9  # the second "[" after the string


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(alphabet='[]{}"\\ab,:\n'),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\k'), children, max_size=3),
    max_leaves=30,
)


def true_depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((true_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((true_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=5))
def test_nesting_exceeds_agrees_with_the_parsed_depth(value, limit):
    data = orjson.dumps(value)
    if len(data) > limit:
        assert nesting_exceeds(data, limit) is (true_depth(value) > limit)
