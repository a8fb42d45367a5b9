"""Who gets which part of the report: a delivery plan made from each owner's contacts.

An owner's contacts (the ``contacts`` of its team in the Ownership document) say where its part
goes:

* an email address (``team@example.com`` or ``Team <team@example.com>``): one email to all of the
  owner's addresses, with the owner's page attached, when the report is delivered by SMTP
  (``--deliver smtp://...``);
* ``slack:env:NAME`` or ``teams:env:NAME``: a message to the Slack or Teams webhook whose URL the
  environment variable ``NAME`` holds (webhook URLs are secrets: never written in a document),
  when chat delivery is asked for (``--deliver chat``);
* anything else (a channel name such as ``#payments-eng``, a phone number): not a destination;
  listed by :func:`undeliverable` so that a dry run shows it.

The plan itself is sent by :func:`engine.report.delivery.deliver`.
"""

from __future__ import annotations

import re

from engine.report.delivery_plan import Attachment, Delivery
from engine.report.model import OwnerView, ReportModel
from engine.report.summary_markdown import owner_text

CHAT_CHANNELS = ("slack", "teams")
_CHAT = re.compile(r"(slack|teams):(.*)\Z", re.DOTALL)
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+\Z|[^<>]*<[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>\Z")


def contact_channel(contact: str) -> tuple[str, str] | None:
    """``(channel, target)`` of a contact: ``("email", address)``, ``("slack", "env:NAME")``,
    ``("teams", "env:NAME")``; None for a contact that is no destination."""
    chat = _CHAT.match(contact.strip())
    if chat:
        return chat.group(1), chat.group(2).strip()
    if _EMAIL.match(contact.strip()):
        return "email", contact.strip()
    return None


def delivery_plan(model: ReportModel, pages: dict[str, str], *, email: bool, chat: bool) -> list[Delivery]:
    """One email per owner with email contacts (``email``), one message per chat contact (``chat``)."""
    plan = []
    for owner in model.owners:
        subject = _subject(model, owner)
        text = owner_text(model, owner)
        addresses = []
        for contact in owner.contacts:
            found = contact_channel(contact)
            if found is None:
                continue
            channel, target = found
            if channel == "email":
                addresses.append(target)
            elif chat:
                plan.append(Delivery(owner.id, channel, target, subject, text))
        if email and addresses:
            page = pages.get(owner.page)
            attachments = (Attachment(owner.page.rsplit("/", 1)[-1], page.encode("utf-8"), "text/html; charset=utf-8"),) if page else ()
            plan.append(Delivery(owner.id, "email", tuple(addresses), subject,
                                 text + "\nThe attached page has the charts and every finding (it opens offline in any browser).\n",
                                 attachments=attachments))
    return plan


def undeliverable(model: ReportModel) -> list[tuple[str, str]]:
    """``(owner, contact)`` of the contacts that name no destination."""
    return [(owner.id, contact) for owner in model.owners for contact in owner.contacts if contact_channel(contact) is None]


def owners_without_destination(model: ReportModel, *, email: bool, chat: bool) -> list[OwnerView]:
    """The owners that no delivery of this kind reaches."""
    out = []
    for owner in model.owners:
        channels = {found[0] for found in map(contact_channel, owner.contacts) if found is not None}
        if not ((email and "email" in channels) or (chat and channels & set(CHAT_CHANNELS))):
            out.append(owner)
    return out


def _subject(model: ReportModel, owner: OwnerView) -> str:
    period = model.period["label"] if model.period else model.as_of[:10]
    return f"Cost report {period}: {owner.name}"
