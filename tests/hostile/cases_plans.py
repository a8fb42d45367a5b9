"""Terraform plans (``--plan``): the real infracost plan JSON, made hostile."""

from __future__ import annotations

import json

from tests.conftest import REALDATA
from tests.hostile.harness import ANY, JSON_OUT, Case, Folder, Rejected, Same, Symlink, with_file
from tests.hostile.sources import bom, crlf, cut_after, line_of, replace

AREA = "plans"
PLAN = (REALDATA / "infracost" / "terraform_v0.14_plan.json").read_bytes()  # a real plan (Apache-2.0, see its SOURCES.md)
ARGS = ("check", "-p", "policies", "--plan", "plan.json", *JSON_OUT)
SIZE = '"instance_type": "t3.nano"'
REAL = {"plan.json": PLAN}  # the reference run: the plan as it is


def _number(value: str) -> bytes:
    return replace(PLAN, SIZE, f'"cpu_core_count": {value}, {SIZE}')


def _nested(depth: int) -> bytes:
    """The plan with a tag value nested ``depth`` arrays deep (written as text: no JSON library nests that far)."""
    return replace(PLAN, SIZE, '"deep": ' + "[" * depth + "]" * depth + ", " + SIZE)


CASES = [
    Case("plan-nan", AREA, ARGS, Rejected("E403", "plan.json", line_of(PLAN, SIZE), fragment="NaN is not a finite number"),
         {"plan.json": _number("NaN")}, note="a number NaN (Python's JSON reader takes it; JSON has no NaN)"),
    Case("plan-infinity", AREA, ARGS, Rejected("E403", "plan.json", line_of(PLAN, SIZE), fragment="Infinity is not a finite number"),
         {"plan.json": _number("-Infinity")}, note="a number -Infinity"),
    Case("plan-1e400", AREA, ARGS, Rejected("E403", "plan.json", line_of(PLAN, SIZE), fragment="1e400 is not a finite number"),
         {"plan.json": _number("1e400")}, note="a number too large for a float"),
    Case("plan-truncated", AREA, ARGS, Rejected("E403", "plan.json", ANY),
         {"plan.json": cut_after(PLAN, SIZE[:-3])}, note="a copy interrupted in the middle of a value"),
    Case("plan-empty", AREA, ARGS, Rejected("E403", "plan.json", 1), {"plan.json": b""}, note="a 0-byte plan"),
    Case("plan-bom", AREA, ARGS, Same(reference=REAL), {"plan.json": bom(PLAN)}, note="a UTF-8 byte order mark: valid"),
    Case("plan-crlf", AREA, ARGS, Same(reference=REAL), {"plan.json": crlf(PLAN)}, note="CRLF line ends: valid"),
    Case("plan-deep-nesting", AREA, ARGS, Rejected("E407", "plan.json", None), {"plan.json": _nested(5000)},
         note="a tag value nested 5,000 arrays deep"),
    Case("plan-invalid-utf8", AREA, ARGS, Rejected("E402", "plan.json", line_of(PLAN, "t3.nano")),
         {"plan.json": replace(PLAN, "t3.nano", b"t3.\xffnano")}, note="byte 0xff in a size"),
    Case("plan-dev-zero", AREA, with_file(ARGS, "--plan", "/dev/zero"), Rejected("E401", "/dev/zero", None), note="--plan /dev/zero"),
    Case("plan-symlink-loop", AREA, ARGS, Rejected("E401", "plan.json", None), {"plan.json": Symlink("plan.json")},
         note="plan.json is a symlink to itself"),
    Case("plan-directory", AREA, ARGS, Rejected("E401", "plan.json", None), {"plan.json": Folder()}, note="plan.json is a folder"),
    Case("plan-is-a-state", AREA, ARGS, Rejected("E440", "plan.json", None),
         {"plan.json": json.dumps({"format_version": "1.0", "terraform_version": "1.6.0", "values": {"root_module": {}}}).encode()},
         note="terraform show -json without a plan file: a state"),
    Case("plan-text-output", AREA, ARGS, Rejected("E442", "plan.json", 1),
         {"plan.json": b"Terraform will perform the following actions:\n\n  # aws_instance.web will be created\n"},
         note="terraform show without -json"),
]
