"""The command line and its outputs: signals while writing, folders that cannot be written, odd clocks."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.hostile.harness import (
    INV, Accepted, Case, Generated, Interrupted, OneOf, ReadOnlyFolder, Rejected, SignalDuring, UsageError, WriteFailure,
    with_file,
)

AREA = "CLI/output"
RESOURCES = 60_000  # enough findings for the report to take a while to write


def _big_inventory(path: Path) -> None:
    """An inventory whose every resource fails team-tags: a report of tens of MB."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"apiVersion": "costwarden/v1", "kind": "Inventory", "resources": [\n')
        for index in range(RESOURCES):
            resource = {"id": f"arn:aws:ec2:us-east-1:111111111111:volume/vol-{index:08d}", "type": "AWS::EC2::Volume",
                        "provider": "aws", "account": "111111111111", "region": "us-east-1", "name": f"scratch-{index}",
                        "tags": {"owner": "someone"}}
            out.write(json.dumps(resource) + (",\n" if index < RESOURCES - 1 else "\n"))
        out.write("]}\n")


KIT_FINDINGS = {("team-tags", "i-0002"), ("team-tags", "vol-0003"), ("team-tags", "vm-4"), ("stopped-long", "i-0002")}


def _kit_findings(document: dict) -> str | None:
    found = {(f["policy"], f["resource"]["id"].rsplit("/", 1)[-1]) for f in document["findings"]}
    return None if found == KIT_FINDINGS else f"findings {sorted(found)}, expected {sorted(KIT_FINDINGS)}"


BIG = {"big.json": Generated(_big_inventory, f"{RESOURCES} untagged volumes")}
OUTPUT = with_file(INV, "-i", "big.json") + ("--output", "out/report.json")

CASES = [
    Case("output-sigterm-while-writing", AREA, OUTPUT, Interrupted("out/report.json", b"OLD REPORT\n"),
         {**BIG, "out/report.json": b"OLD REPORT\n"}, outputs=("out/report.json",),
         during=SignalDuring(signal.SIGTERM, "out/.costwarden-*"),
         note="SIGTERM once the temporary report file exists: no temporary file may stay beside the target"),
    Case("output-sigint-while-writing", AREA, OUTPUT, Interrupted("out/report.json", b"OLD REPORT\n"),
         {**BIG, "out/report.json": b"OLD REPORT\n"}, outputs=("out/report.json",),
         during=SignalDuring(signal.SIGINT, "out/.costwarden-*"), note="Ctrl-C (SIGINT) once the temporary report file exists"),
    Case("output-into-read-only-folder", AREA, INV + ("--output", "locked/report.json"), WriteFailure("locked/report.json"),
         {"locked": ReadOnlyFolder()}, note="--output into a folder without write permission"),
    Case("output-into-missing-folder", AREA, INV + ("--output", "missing/report.json"), WriteFailure("missing/report.json"),
         note="--output into a folder that does not exist"),
    Case("schema-write-into-read-only-folder", AREA, ("schema", "--write", "locked/schemas"), WriteFailure("locked/schemas"),
         {"locked": ReadOnlyFolder()}, note="schema --write into a folder without write permission"),
    Case("schema-write-through-a-file", AREA, ("schema", "--write", "prices.csv/schemas"), WriteFailure("prices.csv/schemas"),
         note="schema --write to a folder path that goes through a regular file"),
    Case("as-of-with-offset-past-year-9999", AREA, with_file(INV, "--as-of", "9999-12-31T23:00:00-05:00"),
         UsageError("--as-of"), note="an as-of instant that is in year 10000 in UTC"),
    Case("as-of-year-1-date-time", AREA, with_file(INV, "--as-of", "0001-01-01T00:00:00+01:00"),
         UsageError("--as-of"), note="an as-of instant that is in year 0 in UTC"),
    Case("as-of-9999-12-31-inventory", AREA, with_file(INV, "--as-of", "9999-12-31"),
         OneOf((Accepted(1, _kit_findings, "the kit's four findings"), UsageError("--as-of"))),
         note="the calendar's last day with an inventory only (older-than conditions)"),

    # files a run reads besides its snapshots: a device is refused before a byte is read (it would never end)
    Case("baseline-dev-zero", AREA, INV + ("--baseline", "/dev/zero"), Rejected("E401", "/dev/zero", None), note="--baseline /dev/zero"),
    Case("config-dev-zero", AREA, INV + ("--config", "/dev/zero"), Rejected("E401", "/dev/zero", None), note="--config /dev/zero"),
    Case("findings-dev-zero", AREA, ("report", "--findings", "/dev/zero", "--output", "out"), Rejected("E401", "/dev/zero", None),
         note="report --findings /dev/zero"),
    Case("previous-dev-zero", AREA, ("report", "-p", "policies", "-i", "inventory.json", "--previous", "/dev/zero", "--output", "out",
                                     "--as-of", "2026-06-20"), Rejected("E490", "/dev/zero", None), note="report --previous /dev/zero"),
    Case("rates-dev-zero", AREA, ("report", "-p", "policies", "--costs", "focus.csv", "--ownership", "ownership.yaml", "--rates",
                                  "/dev/zero", "--output", "out", "--as-of", "2026-06-20"), Rejected("E480", "/dev/zero", None),
         note="report --rates /dev/zero"),
]
