"""What every policy type provides, and what its checks return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, NamedTuple, Protocol


class Violation(NamedTuple):
    """A resource failing a check: a short message and the evidence (actual vs expected)."""

    message: str
    evidence: dict


@dataclass(frozen=True)
class CheckContext:
    """What a check may depend on besides the resource: the clock and the team directory."""

    as_of: datetime
    ownership: object | None = None  # engine.ownership.Ownership


class CheckSetupError(Exception):
    """A policy that cannot run in this context (e.g. it needs a team directory and has none)."""


ResourceCheck = Callable[[dict], "Violation | None"]


class CompiledCheck(Protocol):
    def bind(self, context: CheckContext) -> ResourceCheck: ...


# report(code, message, pointer, hint) — pointers are relative to the policy's spec
Report = Callable[[str, str, str, "str | None"], None]
