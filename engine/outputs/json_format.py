"""The findings JSON document (``schemas/findings.schema.json``), byte-identical for equal inputs."""

from __future__ import annotations

import json

from engine.findings import Result


def render(result: Result, *, version: str, color: bool = False) -> str:
    return json.dumps(result.to_dict(version), indent=2, ensure_ascii=False, default=str) + "\n"
