"""Where a finding points in a file: its own location, or else the policy that produced it.

A finding may carry a ``location`` (``{"file", "line", "column"}``: the .tf file and line of a plan's
resource block, the inventory file and line). Formats that anchor every result to a file (SARIF,
GitHub annotations) fall back to the file and line of the policy's YAML document when it has none —
always the case for cost findings, which are about a scope, not a resource in a file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from engine.findings import Finding

SOURCE_ROOT = "%SRCROOT%"  # SARIF uriBaseId of relative paths: the directory the run's paths are relative to


def finding_location(finding: Finding, policies: dict) -> dict | None:
    """``{"file", "line", "column"}``: the finding's location, or the line of its policy's document
    (``policies``: id -> Policy); None when neither is known."""
    location = finding.location
    if location and location.get("file"):
        return {"file": str(location["file"]), "line": _positive(location.get("line")),
                "column": _positive(location.get("column"))}
    policy = policies.get(finding.policy)
    if policy is not None and policy.file:
        return {"file": str(policy.file), "line": _positive(policy.line), "column": None}
    return None


def _positive(number) -> int | None:
    return number if isinstance(number, int) and not isinstance(number, bool) and number >= 1 else None


@lru_cache(maxsize=4096)  # a run's findings point at a few files: each converted once
def artifact_uri(path: str) -> tuple[str, str | None]:
    """``(uri, uriBaseId)`` of a file path for SARIF: a relative path as a relative URI reference with
    ``%SRCROOT%``, an absolute one as a ``file://`` URI (characters a URI cannot hold percent-encoded)."""
    windows = PureWindowsPath(path)
    if windows.drive and windows.is_absolute():  # C:\dir\file, \\server\share\file
        return windows.as_uri(), None
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute():
        return posix.as_uri(), None
    return quote(posix.as_posix(), safe="/"), SOURCE_ROOT
