"""Chat delivery: a Slack or Microsoft Teams message posted to an incoming webhook.

Webhook URLs are secrets: a delivery names the environment variable that holds one (``env:NAME``),
and neither plans, dry runs nor error messages ever show the URL. It must be ``https://`` (plain
``http://`` only to the loopback interface). Posts go through ``urllib.request`` with a timeout, no
redirects followed, and the usual proxy variables (``HTTPS_PROXY``, ``NO_PROXY``) honoured.

Slack (incoming webhooks): ``{"text": ..., "blocks": [...]}`` — a ``header`` block with the subject
and ``section`` blocks of ``mrkdwn`` text with ``verbatim: true`` (no automatic linking). Every
text is escaped as Slack asks (``&`` ``<`` ``>`` become entities), so a tag value cannot write
``<!channel>``, ``<@U123>`` or a link; ``@here``, ``@channel`` and ``@everyone`` get an invisible
word joiner after the ``@``. Slack's limits are kept: at most 50 blocks, 3,000 characters per
section, 150 in the header; a longer text is cut with a line saying how many lines were left out.

Microsoft Teams: Office 365 connectors (and their MessageCard format) are being retired; the
recommended way is a Teams *Workflows* webhook ("When a Teams webhook request is received"), which
takes an Adaptive Card in a message: ``{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "content": {AdaptiveCard 1.4}}]}``. The text goes in
``RichTextBlock``/``TextRun`` elements, which Teams does not read as Markdown, so a tag value is
shown as written (no links, no formatting, no mentions: those need ``msteams.entities``, never
written here). The payload is kept under Teams' 28 KB limit by the same cutting.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from typing import Mapping
from urllib.parse import urlsplit

from engine.errors import Problem
from engine.report.delivery_plan import ENV_REFERENCE, Delivery, one_line

SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3000
SLACK_MAX_HEADER = 150
TEAMS_MAX_BYTES = 27 * 1024  # Teams refuses messages over 28 KB; leave room for the envelope
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
_MENTION = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def webhook_url(delivery: Delivery, env: Mapping[str, str]) -> str | Problem:
    """The URL the delivery's ``env:NAME`` names, or the problem (E461 unset, E462 not usable)."""
    where = delivery.where()
    match = ENV_REFERENCE.match(delivery.target) if isinstance(delivery.target, str) else None
    if match is None:
        return Problem("E462", "a webhook target must name an environment variable (env:NAME); webhook URLs are secrets and are not written in a plan",
                       file=where, hint="e.g. env:TEAM_DATA_SLACK_WEBHOOK")
    name = match.group(1)
    url = env.get(name)
    if not url:
        return Problem("E461", f"environment variable {name} is not set (or empty); it should hold the {delivery.channel} webhook URL", file=where)
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return Problem("E462", f"the value of {name} is not a URL", file=where)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    if not secure or not parts.hostname:
        return Problem("E462", f"the value of {name} is not an https:// URL", file=where, hint="webhook URLs are https://")
    return url.strip()


# ---------------------------------------------------------------- Slack


def slack_escape(text: str) -> str:
    """``text`` as Slack mrkdwn showing it literally: entities for ``& < >``, @-mentions broken."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@" + _WORD_JOINER, escaped)


def slack_payload(delivery: Delivery) -> tuple[dict, str]:
    """The Slack message for a delivery, and a note when the text had to be shortened."""
    subject = one_line(delivery.subject)
    header = subject if len(subject) <= SLACK_MAX_HEADER else subject[: SLACK_MAX_HEADER - 1] + "\u2026"
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": header or " ", "emoji": False}}]
    chunks = _chunks([slack_escape(line) for line in delivery.text.splitlines()], SLACK_MAX_SECTION)
    room = SLACK_MAX_BLOCKS - 1
    note = ""
    if len(chunks) > room:
        left_out = sum(chunk.count("\n") + 1 for chunk in chunks[room - 1:])
        chunks = chunks[: room - 1] + [f"_… {left_out} more lines not shown_"]
        note = f"text cut to Slack's {SLACK_MAX_BLOCKS} blocks ({left_out} lines left out)"
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": chunk, "verbatim": True}} for chunk in chunks]
    return {"text": slack_escape(subject), "blocks": blocks}, note


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Lines joined into pieces of at most ``limit`` characters (a longer line is split), no empty piece."""
    pieces: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            head, line = line[:limit], line[limit:]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    if current.strip():
        pieces.append(current)
    return [piece if piece.strip() else " " for piece in pieces]


# ---------------------------------------------------------------- Teams


def teams_payload(delivery: Delivery) -> tuple[dict, str]:
    """The Teams (Workflows) message for a delivery, and a note when the text had to be shortened."""
    def runs(text: str, **style) -> dict:
        return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}

    body = [runs(one_line(delivery.subject), weight="Bolder", size="Medium")]
    lines = delivery.text.splitlines()
    blocks = []
    gap = False
    for line in lines:
        if not line.strip():
            gap = True
            continue
        block = runs(line)
        block["spacing"] = "Medium" if gap else "None"
        blocks.append(block)
        gap = False

    def message(items: list[dict]) -> dict:
        card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
                "body": body + items, "msteams": {"width": "Full"}}
        return {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}

    payload = message(blocks)
    if len(encode(payload)) <= TEAMS_MAX_BYTES:
        return payload, ""
    low, high = 0, len(blocks)  # the most blocks that fit with the "more lines" line
    while low < high:
        middle = (low + high + 1) // 2
        if len(encode(message(blocks[:middle] + [runs("… more lines not shown", italic=True)]))) <= TEAMS_MAX_BYTES:
            low = middle
        else:
            high = middle - 1
    left_out = len(blocks) - low
    tail = runs(f"… {left_out} more lines not shown", italic=True)
    return message(blocks[:low] + [tail]), f"text cut to Teams' 28 KB ({left_out} lines left out)"


# ---------------------------------------------------------------- posting

PAYLOADS = {"slack": slack_payload, "teams": teams_payload}


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        return None  # a 3xx then surfaces as an HTTPError: webhooks do not redirect


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, *, where: str, timeout: float) -> Problem | None:
    """POST ``body`` as JSON; None on a 2xx answer, else the problem (E466 HTTP status, E467 no answer)."""
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "costwarden-report"},
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(65536)
            return None
    except urllib.error.HTTPError as error:
        detail = _body_text(error)
        return Problem("E466", f"the webhook answered HTTP {error.code} {one_line(error.reason or '')}".rstrip() + (f": {detail}" if detail else ""), file=where)
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return Problem("E467", f"the webhook did not answer within {timeout:g} s", file=where)
        return Problem("E467", f"cannot reach the webhook ({_reason(reason)})", file=where)
    except (TimeoutError, socket.timeout):
        return Problem("E467", f"the webhook did not answer within {timeout:g} s", file=where)
    except (OSError, ValueError) as error:  # a reset connection, a malformed answer
        return Problem("E467", f"the webhook connection failed ({_reason(error)})", file=where)


def _body_text(error: urllib.error.HTTPError) -> str:
    try:
        raw = error.read(512)
    except OSError:
        return ""
    text = one_line(raw.decode("utf-8", "replace"))
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:200]


def _reason(reason) -> str:
    text = one_line(str(reason))
    return f"{type(reason).__name__}: {text}" if isinstance(reason, BaseException) else text
