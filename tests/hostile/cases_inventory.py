"""Inventory files of every format: costwarden JSON and JSON Lines, aws-tagging, aws-config,
azure-resource-graph, gcp-asset-inventory; and what stands where an inventory file should."""

from __future__ import annotations

from dataclasses import dataclass

from tests.hostile.harness import ANY, INV, Case, Fifo, Folder, Generated, Rejected, Same, Symlink, with_file
from tests.hostile.sources import bom, column_of, crlf, kit, line_of, nested_json, replace

AREA = "inventory"


@dataclass(frozen=True)
class Format:
    name: str  # the --inventory-format name
    file: str  # the canonical file in kit/
    pair: str  # 'KEY: "payments"' exactly as the file writes it: the first tag value "payments"
    blob_after: str  # text closing a member of an object (not tags), after which a member can be added
    cut_at: str  # where a copy interrupted mid-way ends


FORMATS = (
    Format("costwarden", "inventory.json", '"team": "payments"', '"name": "pay-api"', '"state": "stop'),
    Format("costwarden", "inventory.jsonl", '"team": "payments"', '"name": "pay-api"', '"state": "stop'),
    Format("aws-tagging", "aws-tagging.json", '"Value": "payments"', '"ResourceARN": "arn:aws:ec2:us-east-1:111111111111:instance/i-0001"',
           '"Key": "Te'),
    Format("aws-config", "aws-config.json", '"team": "payments"', '"resourceName": "pay-api"', '"resourceId": "i-00'),
    Format("azure-resource-graph", "azure-rg.json", '"team": "search"', '"name": "vm-4"', '"name": "vm-'),
    Format("gcp-asset-inventory", "gcp-assets.json", '"team": "payments"', '"status": "RUNNING"', '"status": "TERMIN'),
)


def _value_of(pair: str) -> str:
    return pair.split(": ", 1)[1]


def format_cases(fmt: Format) -> list[Case]:
    data = kit(fmt.file)
    name = fmt.file
    short = name.rsplit(".", 1)[0] + ("-jsonl" if name.endswith(".jsonl") else "")
    args = with_file(INV, "-i", name)
    forced = args + ("--inventory-format", fmt.name)
    value = _value_of(fmt.pair)
    line = line_of(data, value)
    column = column_of(data, value)
    key = fmt.pair.split(": ", 1)[0]
    blob = "x" * 5_000_000
    cases = [
        Case(f"{short}-empty", AREA, args, Rejected("E403", name, None), {name: b""}, note="a 0-byte inventory file"),
        Case(f"{short}-truncated", AREA, args, Rejected("E403", name, line_of(data, fmt.cut_at)),
             {name: data[: data.index(fmt.cut_at.encode()) + len(fmt.cut_at)]}, note="a copy interrupted mid-way"),
        Case(f"{short}-top-level-string", AREA, forced, Rejected("E405", name, ANY),
             {name: b'"inventory"\n'}, note="a JSON string where the format's document is expected (format forced)"),
        Case(f"{short}-top-level-number", AREA, args, Rejected("E404", name, None), {name: b"42\n"},
             note="a JSON number: no format can read it"),
        Case(f"{short}-invalid-utf8", AREA, args, Rejected("E402", name, line, column + 2),
             {name: replace(data, value, value[:2].encode() + b"\xff" + value[3:].encode())},
             note="byte 0xff inside a tag value"),
        Case(f"{short}-bom", AREA, args, Same(), {name: bom(data)}, note="a UTF-8 byte order mark: valid"),
        Case(f"{short}-crlf", AREA, args, Same(), {name: crlf(data)}, note="Windows line ends: valid"),
        # over 4 MiB, a file in costwarden's format no longer says where each resource is (engine.inventory.snapshot
        # LOCATION_LIMIT): the findings are the same but for their location
        Case(f"{short}-5mb-value", AREA, args, Same(compare="findings", ignore=("location",)),
             {name: replace(data, fmt.blob_after, f'{fmt.blob_after}, "x_blob": "{blob}"')},
             note="a 5 MB string in an extra member, on one line: valid"),
        Case(f"{short}-deep-nesting", AREA, args, Rejected("E407", name, line),
             {name: replace(data, fmt.pair, f"{key}: {nested_json(5000, value)}")}, note="a tag value nested 5000 arrays deep"),
        Case(f"{short}-nan", AREA, args, Rejected("E403", name, line), {name: replace(data, fmt.pair, f"{key}: NaN")},
             note="the literal NaN (not JSON)"),
        Case(f"{short}-infinity", AREA, args, Rejected("E403", name, line), {name: replace(data, fmt.pair, f"{key}: -Infinity")},
             note="the literal -Infinity (not JSON)"),
        Case(f"{short}-1e400", AREA, args, Rejected("E403", name, line), {name: replace(data, fmt.pair, f"{key}: 1e400")},
             note="a number too large for a float"),
        Case(f"{short}-duplicate-key", AREA, args, Same(compare="findings"),
             {name: replace(data, fmt.pair, f'{key}: "nobody", {fmt.pair}')}, note="a key given twice in one object: the last value counts"),
    ]
    return cases


INVENTORY = kit("inventory.json")
RESOURCE_1 = '"name": "search-old"'

SPECIAL_CASES = [
    Case("inventory-duplicate-resource-id", AREA, INV,
         Rejected("E405", "inventory.json", line_of(INVENTORY, "i-0002"), pointer="/resources/1/id"),
         {"inventory.json": replace(INVENTORY, "instance/i-0002", "instance/i-0001")}, note="two resources with one id in one file"),
    Case("inventory-cpu-utilization-over-100", AREA, INV,
         Rejected("E405", "inventory.json", line_of(INVENTORY, RESOURCE_1), pointer="/resources/1/utilization/cpu/p95"),
         {"inventory.json": replace(INVENTORY, RESOURCE_1, RESOURCE_1 + ', "utilization": {"cpu": {"p95": 250, "days": 20}}')},
         note="a CPU p95 of 250 percent"),
    Case("inventory-negative-utilization", AREA, INV,
         Rejected("E405", "inventory.json", line_of(INVENTORY, RESOURCE_1), pointer="/resources/1/utilization/memory/max"),
         {"inventory.json": replace(INVENTORY, RESOURCE_1, RESOURCE_1 + ', "utilization": {"memory": {"max": -5, "days": 20}}')},
         note="a memory max of -5 percent"),
    Case("inventory-dev-null", AREA, with_file(INV, "-i", "/dev/null"), Rejected("E403", "/dev/null", None), note="-i /dev/null"),
    Case("inventory-dev-zero", AREA, with_file(INV, "-i", "/dev/zero"), Rejected(("E401", "E406"), "/dev/zero", None),
         note="-i /dev/zero: endless zero bytes"),
    Case("inventory-dev-zero-via-symlink", AREA, INV, Rejected(("E401", "E406"), "inventory.json", None),
         {"inventory.json": Symlink("/dev/zero")}, note="inventory.json is a symlink to /dev/zero"),
    Case("inventory-fifo", AREA, INV, Same(), {"inventory.json": Fifo(INVENTORY)},
         note="inventory.json is a named pipe a writer fills (as <(zcat inventory.json.gz) is): read like the file"),
    # standard input has no file a finding could point at: the same output but for the findings' location
    Case("inventory-stdin-bom-crlf", AREA, with_file(INV, "-i", "-"), Same(reference_args=INV, ignore=("location",)),
         stdin=crlf(bom(INVENTORY)),
         note="-i - with a byte order mark and CRLF line ends on standard input: valid"),
    Case("inventory-stdin-invalid-utf8", AREA, with_file(INV, "-i", "-"),
         Rejected("E402", "<stdin>", line_of(INVENTORY, "pay-api"), column_of(INVENTORY, "pay-api") + 1),
         stdin=replace(INVENTORY, "pay-api", b"p\xffy-api"), note="byte 0xff on standard input"),
    Case("inventory-symlink-loop", AREA, INV, Rejected("E401", "inventory.json", None), {"inventory.json": Symlink("inventory.json")},
         note="inventory.json is a symlink to itself"),
    Case("inventory-directory", AREA, with_file(INV, "-i", "out"), Rejected("E401", "out", None), note="-i names a folder"),
    Case("inventory-sparse-3gib", AREA, INV, Rejected("E406", "inventory.json", None),
         {"inventory.json": Generated(lambda path: _sparse(path, 3 * 1024**3), "a sparse 3 GiB file")},
         note="a 3 GiB file (sparse): refused before reading"),
]


def _sparse(path, size: int) -> None:
    with open(path, "wb") as handle:
        handle.truncate(size)


CASES = [case for fmt in FORMATS for case in format_cases(fmt)] + SPECIAL_CASES
