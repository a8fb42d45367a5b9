"""What a delivery plan holds: who gets which message through which channel, and what came of it.

A :class:`Delivery` is one message to one owner on one channel; a plan is a list of them.
:func:`engine.report.delivery.deliver` turns a plan into one :class:`Outcome` per delivery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import Problem

STATUSES = ("sent", "failed", "dry-run")  # dry-run: checked and built, would be sent
ENV_REFERENCE = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)\Z")
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email: its name as the recipient sees it, its bytes, its media type."""

    filename: str
    content: bytes
    media_type: str = "application/octet-stream"  # type/subtype, and parameters: "text/html; charset=utf-8"


@dataclass(frozen=True)
class Delivery:
    """One message to one owner.

    ``target``: for ``email``, the owner's addresses (a tuple of ``addr@example.com`` or
    ``Name <addr@example.com>``; a single string is one address); for ``slack`` and ``teams``,
    ``env:NAME`` — the name of the environment variable holding the webhook URL (a secret, so
    never written in a plan, a log or an error message). ``html`` and ``attachments`` go by email
    only; chat messages carry ``subject`` and ``text``.
    """

    owner: str
    channel: str
    target: tuple[str, ...] | str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()

    def recipients(self) -> tuple[str, ...]:
        return (self.target,) if isinstance(self.target, str) else tuple(self.target)

    def where(self) -> str:
        """The destination as it may be shown: addresses, or the channel and the variable's name."""
        if self.channel == "email":
            return "email to " + ", ".join(one_line(r) for r in self.recipients())
        if isinstance(self.target, str) and ENV_REFERENCE.match(self.target):
            return f"{one_line(self.channel)} {self.target}"
        return f"{one_line(self.channel)} (target not shown)"  # it may be a webhook URL, a secret


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: ``sent``, ``failed`` (``problem`` says why) or ``dry-run``."""

    delivery: Delivery
    status: str
    size: int = 0  # bytes of the message or payload that was (or would be) sent
    problem: Problem | None = None
    note: str = ""  # e.g. a chat message shortened to the channel's limit

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def describe(self) -> str:
        d = self.delivery
        head = {"sent": "sent", "failed": "FAILED", "dry-run": "would send"}[self.status]
        text = f"{head}: {one_line(d.owner)} — {d.where()} — {one_line(d.subject)!r}"
        if self.status != "failed":
            parts = [f"{_size(self.size)}"]
            if d.channel == "email":
                parts += [f"{one_line(a.filename)} {_size(len(a.content))}" for a in d.attachments]
            text += " (" + ", ".join(parts) + ")"
        if self.note:
            text += f"; {self.note}"
        if self.problem is not None:
            text += f"\n    {self.problem.format()}"
        return text


def describe(outcomes: list[Outcome]) -> str:
    """One line per outcome (a failure adds its reason), then a count: what a dry run prints."""
    lines = [outcome.describe() for outcome in outcomes]
    counts = {status: sum(o.status == status for o in outcomes) for status in STATUSES}
    lines.append(f"{len(outcomes)} deliveries: {counts['sent']} sent, {counts['failed']} failed, {counts['dry-run']} dry run")
    return "\n".join(lines) + "\n"


def one_line(text: str) -> str:
    """``text`` with every line break turned into a space (headers, log lines)."""
    return _LINE_BREAKS.sub(" ", str(text)).strip()


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"
