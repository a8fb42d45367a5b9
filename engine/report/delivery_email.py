"""Email delivery: the SMTP URL, the message, one SMTP session for a whole plan.

``smtp://host:port`` (plain, port 25 by default), ``smtp://host:port?starttls=true`` (upgraded with
STARTTLS before anything else is said; a server that does not offer it is an error, never a silent
fallback to clear text) and ``smtps://host:port`` (implicit TLS, port 465 by default). Certificates
are verified against the system's trust store (``SSL_CERT_FILE`` names another, as for any OpenSSL
program). The user name and password come only from ``COSTWARDEN_SMTP_USER`` and
``COSTWARDEN_SMTP_PASSWORD``; a URL holding credentials is refused, and so are credentials over a
connection that is not encrypted (except to the loopback interface).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Mapping
from urllib.parse import parse_qsl, urlsplit

from engine.errors import InputError, Problem, did_you_mean
from engine.report.delivery_plan import Delivery, one_line

USER_VARIABLE = "COSTWARDEN_SMTP_USER"
PASSWORD_VARIABLE = "COSTWARDEN_SMTP_PASSWORD"
SENDER_VARIABLE = "COSTWARDEN_SMTP_FROM"
# where the settings come from, as errors name the place: the report command's options
DELIVER_OPTION = "--deliver"  # the SMTP URL
SENDER_OPTION = "--from"  # the sender address (or SENDER_VARIABLE)
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
URL_OPTIONS = ("starttls",)
LOOPBACK = ("127.0.0.1", "::1", "localhost")
# an address we send to: ASCII local part without spaces or specials, a dotted ASCII domain
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\Z")
_FILENAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None

    @property
    def shown(self) -> str:
        """The server as errors name it (never with credentials)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}" + ("?starttls=true" if self.starttls else "")


def smtp_settings(url: str, env: Mapping[str, str]) -> SmtpSettings:
    """Parse and check an SMTP URL and the credential variables; every mistake at once, as E460/E461."""
    problems: list[Problem] = []

    def bad(message: str, hint: str | None = None, code: str = "E460") -> None:
        problems.append(Problem(code, message, file=DELIVER_OPTION, hint=hint))

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InputError([Problem("E460", f"not a valid SMTP URL ({error})", file=DELIVER_OPTION,
                                  hint="write smtp://host:port or smtps://host:port")])
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        bad(f"the SMTP URL's scheme is {parts.scheme!r}", hint="use smtp:// (with ?starttls=true to encrypt) or smtps:// (implicit TLS)")
    if parts.username is not None or parts.password is not None:
        bad(
            "the SMTP URL holds credentials; they are never read from a URL",
            hint=f"remove them from the URL and set {USER_VARIABLE} and {PASSWORD_VARIABLE} in the environment",
        )
    if not parts.hostname:
        bad("the SMTP URL names no host", hint="write smtp://host:port")
    if parts.path not in ("", "/") or parts.fragment:
        bad("the SMTP URL has a path or a fragment; it takes only host, port and ?starttls=true")
    starttls = False
    seen = set()
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in URL_OPTIONS:
            bad(f"unknown SMTP URL option {key!r}", hint=did_you_mean(key, URL_OPTIONS) or "the only option is starttls=true|false")
            continue
        if key in seen:
            bad(f"the SMTP URL option {key!r} is given twice")
        seen.add(key)
        if value.lower() not in ("true", "false"):
            bad(f"starttls={value!r}: expected true or false")
        starttls = value.lower() == "true"
    if scheme == "smtps" and starttls:
        bad("smtps:// is already encrypted (implicit TLS); starttls=true is for smtp://")
    user = env.get(USER_VARIABLE) or None
    password = env.get(PASSWORD_VARIABLE) or None
    if (user is None) != (password is None):
        missing = PASSWORD_VARIABLE if password is None else USER_VARIABLE
        bad(f"{missing} is not set (or empty) while {USER_VARIABLE if password is None else PASSWORD_VARIABLE} is", code="E461",
            hint="set both to log in, or neither to send without logging in")
    host = parts.hostname or ""
    if user is not None and scheme == "smtp" and not starttls and host not in LOOPBACK:
        bad("credentials would go over an unencrypted connection", hint="use smtps://host:465 or smtp://host:587?starttls=true")
    if problems:
        raise InputError(problems)
    return SmtpSettings(scheme, host, port or DEFAULT_PORTS[scheme], starttls, user, password)


def sender_address(sender: str | None, env: Mapping[str, str]) -> str:
    """The From address: ``sender``, else ``COSTWARDEN_SMTP_FROM``; E460 when neither is a valid address."""
    value = sender if sender is not None else env.get(SENDER_VARIABLE)
    if not value:
        raise InputError([Problem("E460", "email deliveries need a sender address", file=SENDER_OPTION,
                                  hint=f"give --from ADDRESS or set {SENDER_VARIABLE}")])
    checked = check_address(value)
    if isinstance(checked, str):
        raise InputError([Problem("E460", f"the sender address is not valid: {checked}", file=SENDER_OPTION)])
    return formataddr(checked)


def check_address(text: str) -> tuple[str, str] | str:
    """``(display name, address)`` of ``Name <a@b>`` or ``a@b``, or a sentence saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        return "an empty address"
    if one_line(text) != text.strip():
        return f"{one_line(text)!r} holds a line break"
    name, address = parseaddr(text)
    if not _ADDRESS.match(address) or ".." in address.split("@")[-1]:
        return f"{text!r} is not an address like team@example.com (ASCII only)"
    return name, address


def build_message(delivery: Delivery, sender: str, now: datetime) -> tuple[EmailMessage, list[str]] | str:
    """The message for one email delivery and its envelope recipients, or a sentence saying why not."""
    recipients = []
    for entry in delivery.recipients():
        checked = check_address(entry)
        if isinstance(checked, str):
            return f"recipient {checked}"
        recipients.append(checked)
    if not recipients:
        return "no recipient address"
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = one_line(delivery.subject)
    message["From"] = sender
    message["To"] = ", ".join(formataddr(r) for r in recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rsplit("@", 1)[-1])
    message.set_content(delivery.text)
    if delivery.html is not None:
        message.add_alternative(delivery.html, subtype="html")
    for attachment in delivery.attachments:
        if not attachment.filename or _FILENAME_FORBIDDEN.search(attachment.filename):
            return f"attachment name {attachment.filename!r} is empty or holds a path separator or control character"
        kind, _, parameters = attachment.media_type.partition(";")  # text/html; charset=utf-8
        maintype, _, subtype = kind.strip().partition("/")
        params = dict(part.strip().partition("=")[::2] for part in parameters.split(";") if part.strip())
        if (not maintype or not subtype or "/" in subtype or one_line(attachment.media_type) != attachment.media_type
                or not all(key and value for key, value in params.items())):
            return f"attachment {attachment.filename!r}: media type {attachment.media_type!r} is not type/subtype[; name=value]"
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename,
                               params={key.lower(): value.strip('"') for key, value in params.items()})
    return message, [address for _, address in recipients]


class SmtpSession:
    """One connection for a whole plan: opened at the first email, reopened once if the server drops
    it, and not retried after it could not be opened (every later email fails with that reason)."""

    def __init__(self, settings: SmtpSettings, timeout: float):
        self.settings = settings
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None
        self.broken: Problem | None = None

    def problem(self, code: str, message: str, hint: str | None = None) -> Problem:
        return Problem(code, message, file=self.settings.shown, hint=hint)

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> Problem | None:
        """Send one message; None when the server accepted it for every recipient."""
        for attempt in (1, 2):
            if self.connection is None:
                if self.broken is not None:
                    return self.broken
                self.broken = self._connect()
                if self.broken is not None:
                    return self.broken
            try:
                refused = self.connection.send_message(message, from_addr=parseaddr(sender)[1], to_addrs=recipients)
            except smtplib.SMTPRecipientsRefused as error:
                return self.problem("E465", "the server refused every recipient: " + _refusals(error.recipients))
            except smtplib.SMTPSenderRefused as error:
                return self.problem("E465", f"the server refused the sender {error.sender!r}: {_reply(error.smtp_code, error.smtp_error)}")
            except smtplib.SMTPDataError as error:
                return self.problem("E465", f"the server refused the message: {_reply(error.smtp_code, error.smtp_error)}")
            except smtplib.SMTPServerDisconnected as error:
                lost = error
            except smtplib.SMTPException as error:  # before OSError: SMTPException is one
                return self.problem("E465", f"the server answered with an error: {_reason(error)}")
            except OSError as error:
                lost = error
            else:
                if refused:
                    return self.problem("E465", "the server refused some recipients (the others got the message): " + _refusals(refused))
                return None
            self._drop()  # the server may close idle or busy connections: reconnect once
            if attempt == 2:
                return self.problem("E463", f"the connection was lost while sending ({_reason(lost)})")
        return None  # pragma: no cover - the loop returns

    def _connect(self) -> Problem | None:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.scheme == "smtps":
                connection = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
            else:
                connection = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        except ssl.SSLError as error:
            return self.problem("E463", f"TLS with the server failed ({_reason(error)})", hint="SSL_CERT_FILE names a CA bundle to trust")
        except (OSError, smtplib.SMTPException) as error:
            return self.problem("E463", f"cannot connect to the SMTP server ({_reason(error)})")
        try:
            connection.ehlo()
            if s.starttls:
                if not connection.has_extn("starttls"):
                    connection.close()
                    return self.problem("E463", "the server does not offer STARTTLS; nothing was sent in clear text",
                                        hint="use a server or port that offers STARTTLS, or smtps://")
                connection.starttls(context=context)
                connection.ehlo()
            if s.user is not None:
                if not connection.has_extn("auth"):
                    connection.close()
                    return self.problem("E464", "the server offers no login (AUTH) but credentials are set",
                                        hint="unset COSTWARDEN_SMTP_USER and COSTWARDEN_SMTP_PASSWORD, or use the submission port")
                connection.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as error:
            connection.close()
            return self.problem("E464", f"the server refused the login of {s.user!r}: {_reply(error.smtp_code, error.smtp_error)}")
        except ssl.SSLError as error:
            connection.close()
            return self.problem("E463", f"TLS with the server failed ({_reason(error)})", hint="SSL_CERT_FILE names a CA bundle to trust")
        except (OSError, smtplib.SMTPException) as error:
            connection.close()
            return self.problem("E463", f"the SMTP conversation failed ({_reason(error)})")
        self.connection = connection
        return None

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()


def _reply(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {one_line(text)}"


def _refusals(refused: dict) -> str:
    return "; ".join(f"{address} ({_reply(*reply)})" for address, reply in sorted(refused.items()))


def _reason(error: BaseException) -> str:
    text = one_line(str(error)) or type(error).__name__
    return text if isinstance(error, smtplib.SMTPException) else f"{type(error).__name__}: {text}"
