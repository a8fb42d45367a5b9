"""Send each owner their part of the report: by email (SMTP) or to a team's Slack or Teams channel.

A plan is a list of :class:`Delivery`; :func:`deliver` sends them in order and returns one
:class:`Outcome` each. One failing recipient does not stop the others: its outcome is ``failed``
with a :class:`~engine.errors.Problem` (a stable code, the destination, the reason); the caller
maps any failure to exit code 2. Mistakes in the settings that would fail every email (a bad SMTP
URL, credentials in it, half the credentials, no sender) raise :class:`~engine.errors.InputError`
before anything is sent. With ``dry_run=True`` every delivery is checked and built (so its size is
known and a missing webhook variable shows up) and nothing is sent; :func:`describe` prints who
would get what.

Codes: E460 SMTP settings, E461 a variable not set, E462 a delivery that cannot be sent as
written (address, webhook target, attachment), E463 SMTP connection or TLS, E464 SMTP login,
E465 the SMTP server refused, E466 a webhook answered non-2xx, E467 a webhook did not answer.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Callable, Mapping, Sequence

from engine.errors import InputError, Problem
from engine.report.delivery_chat import PAYLOADS, encode, post, webhook_url
from engine.report.delivery_email import DELIVER_OPTION, SmtpSession, build_message, sender_address, smtp_settings
from engine.report.delivery_plan import Attachment, Delivery, Outcome, describe

__all__ = ["Attachment", "Delivery", "Outcome", "deliver", "describe", "CHANNELS"]

DEFAULT_TIMEOUT = 30.0  # seconds, for each network operation (connect, each SMTP reply, each webhook answer)


def deliver(
    plan: Sequence[Delivery],
    *,
    smtp_url: str | None = None,
    sender: str | None = None,
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    now: datetime | None = None,
) -> list[Outcome]:
    """Send (or with ``dry_run``, check and size) every delivery of ``plan``; one outcome each, in order.

    ``env`` is where the secrets are read (``COSTWARDEN_SMTP_USER``, ``COSTWARDEN_SMTP_PASSWORD``,
    ``COSTWARDEN_SMTP_FROM``, the webhook variables): ``os.environ`` unless given. ``sender`` is the
    From address (else ``COSTWARDEN_SMTP_FROM``). ``now`` dates the emails (default: the current time).
    """
    env = os.environ if env is None else env
    now = now or datetime.now(timezone.utc)
    context = _Context(env=env, timeout=timeout, now=now, dry_run=dry_run)
    if any(d.channel == "email" for d in plan):
        if smtp_url is None:
            raise InputError([Problem("E460", "the plan has email deliveries but no SMTP URL was given", file=DELIVER_OPTION,
                                      hint="give --deliver smtp://host:port, smtp://host:587?starttls=true or smtps://host:465")])
        context.settings = smtp_settings(smtp_url, env)
        context.sender = sender_address(sender, env)
    outcomes = []
    try:
        for delivery in plan:
            send = SENDERS.get(delivery.channel)
            if send is None:
                problem = Problem("E462", f"unknown channel {delivery.channel!r}", file=delivery.where(),
                                  hint="one of: " + ", ".join(CHANNELS))
                outcomes.append(Outcome(delivery, "failed", problem=problem))
                continue
            outcomes.append(send(delivery, context))
    finally:
        if context.session is not None:
            context.session.close()
    return outcomes


class _Context:
    def __init__(self, *, env, timeout, now, dry_run):
        self.env, self.timeout, self.now, self.dry_run = env, timeout, now, dry_run
        self.settings = None
        self.sender: str | None = None
        self.session: SmtpSession | None = None


def _send_email(delivery: Delivery, context: _Context) -> Outcome:
    built = build_message(delivery, context.sender, context.now)
    if isinstance(built, str):
        return Outcome(delivery, "failed", problem=Problem("E462", built, file=delivery.where()))
    message, recipients = built
    size = len(message.as_bytes())
    if context.dry_run:
        return Outcome(delivery, "dry-run", size=size)
    if context.session is None:
        context.session = SmtpSession(context.settings, context.timeout)
    problem = context.session.send(message, context.sender, recipients)
    if problem is not None:
        return Outcome(delivery, "failed", size=size, problem=_about(problem, delivery))
    return Outcome(delivery, "sent", size=size)


def _send_chat(delivery: Delivery, context: _Context) -> Outcome:
    url = webhook_url(delivery, context.env)
    if isinstance(url, Problem):
        return Outcome(delivery, "failed", problem=url)
    payload, note = PAYLOADS[delivery.channel](delivery)
    body = encode(payload)
    if delivery.html is not None or delivery.attachments:
        note = "; ".join(filter(None, [note, "the HTML part and attachments go by email only"]))
    if context.dry_run:
        return Outcome(delivery, "dry-run", size=len(body), note=note)
    problem = post(url, body, where=delivery.where(), timeout=context.timeout)
    if problem is not None:
        return Outcome(delivery, "failed", size=len(body), problem=problem, note=note)
    return Outcome(delivery, "sent", size=len(body), note=note)


def _about(problem: Problem, delivery: Delivery) -> Problem:
    """``problem`` naming the owner and the recipients it concerns."""
    return Problem(problem.code, f"{problem.message} ({delivery.where()}, owner {delivery.owner})", file=problem.file, hint=problem.hint)


# channel -> how a delivery on it is sent
SENDERS: dict[str, Callable[[Delivery, _Context], Outcome]] = {
    "email": _send_email,
    "slack": _send_chat,
    "teams": _send_chat,
}
CHANNELS = tuple(SENDERS)
