"""Delivery of report parts, against real servers on the loopback interface: an SMTP server (aiosmtpd,
with STARTTLS, implicit TLS and login made with a throwaway CA from trustme) and a small HTTP server
standing in for Slack and Teams webhooks. Every server stops at the end of its test; every network
wait is bounded by a timeout of a second or less."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import re
import socket
import ssl
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from engine.errors import InputError
from engine.report.delivery import Attachment, Delivery, deliver, describe

NOW = datetime(2025, 6, 1, 7, 30, tzinfo=timezone.utc)
SENDER = "Costwarden <costwarden@example.com>"
HOSTILE = "<!channel> & <@U123> @here <https://evil.example|click> *bold* [x](https://evil.example) <at>boss</at>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Capture:
    """An aiosmtpd handler keeping every message it accepts; refuses the recipients it is told to."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.messages: list[dict] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message": email.message_from_bytes(envelope.content, policy=email.policy.default),
            "tls": session.ssl is not None,
            "size": len(envelope.content),
            "peer": session.peer,  # (address, port): a new connection, a new port
        })
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (b"reporter", b"s3cret pass")
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 235 or 535


@contextlib.contextmanager
def smtp_server(handler: Capture, **options):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=5, **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A throwaway CA, a certificate for 127.0.0.1 signed by it, and the CA bundle file a client trusts."""
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_cert.configure_cert(context)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return context, str(bundle)


def email_delivery(owner="team-data", to=("Data Team <data@example.com>",), **changes) -> Delivery:
    fields = dict(owner=owner, channel="email", target=to, subject=f"Cost report 2025-05: {owner}",
                  text=f"Hello {owner},\nyour open findings: 3.\n", html=f"<p>Hello {owner}</p>",
                  attachments=(Attachment(f"{owner}.html", b"<!doctype html><p>report</p>", "text/html"),
                               Attachment(f"{owner}.csv", b"policy,amount\nidle-disk,12.50\n", "text/csv")))
    fields.update(changes)
    return Delivery(**fields)


# ---------------------------------------------------------------- email


def test_email_reaches_each_owner_with_headers_bodies_and_attachments():
    handler = Capture()
    plan = [email_delivery(), email_delivery("team-web", to=("web@example.com", "Lead <lead@example.com>"), html=None, attachments=())]
    with smtp_server(handler) as port:
        outcomes = deliver(plan, smtp_url=f"smtp://127.0.0.1:{port}", sender=SENDER, env={}, timeout=5, now=NOW)
    assert [o.status for o in outcomes] == ["sent", "sent"]
    first, second = handler.messages
    message = first["message"]
    assert first["mail_from"] == "costwarden@example.com" and first["rcpt_tos"] == ["data@example.com"]
    assert message["From"] == SENDER and message["To"] == "Data Team <data@example.com>"
    assert message["Subject"] == "Cost report 2025-05: team-data"
    assert message["Date"] == "Sun, 01 Jun 2025 07:30:00 +0000"
    assert message["Message-ID"].endswith("@example.com>")
    assert message.get_body(("plain",)).get_content() == "Hello team-data,\r\nyour open findings: 3.\r\n"  # CRLF on the wire
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello team-data</p>"
    attachments = {part.get_filename(): (part.get_content_type(), part.get_payload(decode=True)) for part in message.iter_attachments()}
    assert attachments == {
        "team-data.html": ("text/html", b"<!doctype html><p>report</p>"),
        "team-data.csv": ("text/csv", b"policy,amount\nidle-disk,12.50\n"),
    }
    assert second["rcpt_tos"] == ["web@example.com", "lead@example.com"]
    assert second["message"].get_content_type() == "text/plain" and not second["tls"]
    assert [o.size for o in outcomes] == [first["size"], second["size"]]


def test_a_line_break_in_the_subject_cannot_add_a_header():
    handler = Capture()
    plan = [email_delivery(subject="Report for team\r\nBcc: attacker@evil.example\r\n\r\nbody")]
    with smtp_server(handler) as port:
        [outcome] = deliver(plan, smtp_url=f"smtp://127.0.0.1:{port}", sender=SENDER, env={}, timeout=5, now=NOW)
    assert outcome.status == "sent"
    [received] = handler.messages
    assert received["rcpt_tos"] == ["data@example.com"]
    assert received["message"]["Bcc"] is None
    assert received["message"]["Subject"] == "Report for team Bcc: attacker@evil.example body"


def test_starttls_then_login_with_credentials_from_the_environment(tls, monkeypatch):
    context, bundle = tls
    monkeypatch.setenv("SSL_CERT_FILE", bundle)
    handler = Capture()
    env = {"COSTWARDEN_SMTP_USER": "reporter", "COSTWARDEN_SMTP_PASSWORD": "s3cret pass", "COSTWARDEN_SMTP_FROM": "finops@example.com"}
    with smtp_server(handler, tls_context=context, require_starttls=True, authenticator=handler.authenticate, auth_require_tls=True) as port:
        outcomes = deliver([email_delivery()], smtp_url=f"smtp://127.0.0.1:{port}?starttls=true", env=env, timeout=5, now=NOW)
    assert [o.status for o in outcomes] == ["sent"], describe(outcomes)
    assert handler.logins == [(b"reporter", b"s3cret pass")]
    [received] = handler.messages
    assert received["tls"] and received["message"]["From"] == "finops@example.com"


def test_a_wrong_password_is_a_login_failure_and_nothing_is_sent(tls, monkeypatch):
    context, bundle = tls
    monkeypatch.setenv("SSL_CERT_FILE", bundle)
    handler = Capture()
    env = {"COSTWARDEN_SMTP_USER": "reporter", "COSTWARDEN_SMTP_PASSWORD": "wrong"}
    with smtp_server(handler, tls_context=context, require_starttls=True, authenticator=handler.authenticate) as port:
        outcomes = deliver([email_delivery(), email_delivery("team-web")], smtp_url=f"smtp://127.0.0.1:{port}?starttls=true",
                           sender=SENDER, env=env, timeout=5, now=NOW)
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert {o.problem.code for o in outcomes} == {"E464"}
    assert "refused the login of 'reporter'" in outcomes[0].problem.message and "535" in outcomes[0].problem.message
    assert "wrong" not in describe(outcomes)
    # one login for the plan, not one per message (smtplib tries each mechanism offered: PLAIN, then LOGIN)
    assert handler.logins == [(b"reporter", b"wrong")] * 2
    assert handler.messages == []


def test_starttls_asked_for_but_not_offered_sends_nothing_in_clear():
    handler = Capture()
    with smtp_server(handler) as port:
        outcomes = deliver([email_delivery(), email_delivery("team-web")], smtp_url=f"smtp://127.0.0.1:{port}?starttls=true",
                           sender=SENDER, env={}, timeout=5, now=NOW)
    assert [(o.status, o.problem.code) for o in outcomes] == [("failed", "E463"), ("failed", "E463")]
    assert "does not offer STARTTLS" in outcomes[0].problem.message
    assert outcomes[0].problem.file == f"smtp://127.0.0.1:{port}?starttls=true"
    assert handler.messages == []


def test_implicit_tls_with_smtps(tls, monkeypatch):
    context, bundle = tls
    monkeypatch.setenv("SSL_CERT_FILE", bundle)
    handler = Capture()
    with smtp_server(handler, ssl_context=context) as port:
        outcomes = deliver([email_delivery()], smtp_url=f"smtps://127.0.0.1:{port}", sender=SENDER, env={}, timeout=5, now=NOW)
    assert [o.status for o in outcomes] == ["sent"], describe(outcomes)
    assert handler.messages[0]["rcpt_tos"] == ["data@example.com"]


def test_a_certificate_from_an_unknown_authority_is_refused(tls, tmp_path, monkeypatch):
    context, _ = tls
    other_ca = trustme.CA()
    other_bundle = tmp_path / "other.pem"
    other_ca.cert_pem.write_to_path(str(other_bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(other_bundle))
    handler = Capture()
    with smtp_server(handler, ssl_context=context) as port:
        [outcome] = deliver([email_delivery()], smtp_url=f"smtps://127.0.0.1:{port}", sender=SENDER, env={}, timeout=5, now=NOW)
    assert outcome.status == "failed" and outcome.problem.code == "E463"
    assert "TLS with the server failed" in outcome.problem.message and "CERTIFICATE_VERIFY_FAILED" in outcome.problem.message
    assert handler.messages == []


def test_a_refused_recipient_fails_its_delivery_and_the_others_still_go():
    handler = Capture(refuse={"gone@example.com"})
    plan = [
        email_delivery("team-a", to=("a@example.com",)),
        email_delivery("team-gone", to=("gone@example.com",)),
        email_delivery("team-half", to=("half@example.com", "gone@example.com")),
        email_delivery("team-bad", to=("not an address",)),
        email_delivery("team-c", to=("c@example.com",)),
    ]
    with smtp_server(handler) as port:
        outcomes = deliver(plan, smtp_url=f"smtp://127.0.0.1:{port}", sender=SENDER, env={}, timeout=5, now=NOW)
    assert [o.status for o in outcomes] == ["sent", "failed", "failed", "failed", "sent"]
    assert outcomes[1].problem.code == "E465" and "refused every recipient: gone@example.com (550 5.1.1 no such user here)" in outcomes[1].problem.message
    assert outcomes[2].problem.code == "E465" and "the others got the message" in outcomes[2].problem.message
    assert outcomes[3].problem.code == "E462" and "'not an address' is not an address" in outcomes[3].problem.message
    assert "owner team-gone" in outcomes[1].problem.message
    assert [m["rcpt_tos"] for m in handler.messages] == [["a@example.com"], ["half@example.com"], ["c@example.com"]]


class DropsAfterEachMessage(Capture):
    """Accepts a message, then closes the connection, as servers limiting messages per connection do."""

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        server.loop.call_soon(server.transport.close)  # after the 250 reply is written
        return answer


def test_a_dropped_connection_is_reopened_for_the_next_message():
    handler = DropsAfterEachMessage()
    plan = [email_delivery("team-a", to=("a@example.com",)), email_delivery("team-b", to=("b@example.com",)),
            email_delivery("team-c", to=("c@example.com",))]
    with smtp_server(handler) as port:
        outcomes = deliver(plan, smtp_url=f"smtp://127.0.0.1:{port}", sender=SENDER, env={}, timeout=5, now=NOW)
    assert [o.status for o in outcomes] == ["sent"] * 3, describe(outcomes)
    assert [m["rcpt_tos"] for m in handler.messages] == [["a@example.com"], ["b@example.com"], ["c@example.com"]]
    assert len({m["peer"] for m in handler.messages}) == 3  # each message on a connection of its own


def test_an_smtp_server_that_never_answers_times_out_once_for_the_whole_plan():
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        outcomes = deliver([email_delivery(), email_delivery("team-web")], smtp_url=f"smtp://127.0.0.1:{port}",
                           sender=SENDER, env={}, timeout=0.5, now=NOW)
    assert [(o.status, o.problem.code) for o in outcomes] == [("failed", "E463"), ("failed", "E463")]
    assert "cannot connect to the SMTP server" in outcomes[0].problem.message and "timed out" in outcomes[0].problem.message
    assert outcomes[1].problem.message.startswith(outcomes[0].problem.message.split(" (email to")[0])


def test_a_closed_port_fails_every_email_with_the_reason():
    port = free_port()
    outcomes = deliver([email_delivery()], smtp_url=f"smtp://127.0.0.1:{port}", sender=SENDER, env={}, timeout=1, now=NOW)
    assert outcomes[0].problem.code == "E463" and "ConnectionRefusedError" in outcomes[0].problem.message


@pytest.mark.parametrize(
    "url, env, code, words",
    [
        ("smtp://user:hunter2@mail.example.com:587", {}, "E460", "holds credentials; they are never read from a URL"),
        ("http://mail.example.com", {}, "E460", "scheme is 'http'"),
        ("smtp://mail.example.com:587?starttsl=true", {}, "E460", "unknown SMTP URL option 'starttsl'"),
        ("smtp://mail.example.com:587?starttls=yes", {}, "E460", "starttls='yes': expected true or false"),
        ("smtps://mail.example.com?starttls=true", {}, "E460", "already encrypted"),
        ("smtp://mail.example.com:99999", {}, "E460", "not a valid SMTP URL"),
        ("smtp://:25", {}, "E460", "names no host"),
        ("smtp://mail.example.com/inbox", {}, "E460", "has a path"),
        ("smtps://mail.example.com", {"COSTWARDEN_SMTP_USER": "reporter"}, "E461", "COSTWARDEN_SMTP_PASSWORD is not set"),
        ("smtp://mail.example.com:25", {"COSTWARDEN_SMTP_USER": "u", "COSTWARDEN_SMTP_PASSWORD": "p"}, "E460", "unencrypted connection"),
    ],
)
def test_bad_smtp_settings_stop_the_plan_before_anything_is_sent(url, env, code, words):
    with pytest.raises(InputError) as raised:
        deliver([email_delivery()], smtp_url=url, sender=SENDER, env=env, timeout=1, now=NOW)
    problems = raised.value.problems
    assert [p.code for p in problems] == [code]
    assert words in problems[0].message
    assert "hunter2" not in str(raised.value)


def test_a_misspelt_option_gets_a_hint():
    with pytest.raises(InputError) as raised:
        deliver([email_delivery()], smtp_url="smtp://mail.example.com?starttsl=true", sender=SENDER, env={})
    assert raised.value.problems[0].hint == "did you mean 'starttls'?"


def test_email_deliveries_need_an_smtp_url_and_a_sender():
    with pytest.raises(InputError) as raised:
        deliver([email_delivery()], sender=SENDER, env={})
    assert raised.value.problems[0].code == "E460" and "no SMTP URL" in raised.value.problems[0].message
    with pytest.raises(InputError) as raised:
        deliver([email_delivery()], smtp_url="smtp://127.0.0.1:25", env={})
    assert "need a sender address" in raised.value.problems[0].message
    # a chat-only plan needs neither
    assert deliver([], env={}) == []


def test_bad_attachment_names_are_refused():
    plan = [email_delivery(attachments=(Attachment("../../etc/passwd", b"x", "text/plain"),)),
            email_delivery(attachments=(Attachment("report.csv", b"x", "csv"),))]
    outcomes = deliver(plan, smtp_url="smtp://127.0.0.1:25", sender=SENDER, env={}, dry_run=True)
    assert [(o.status, o.problem.code) for o in outcomes] == [("failed", "E462"), ("failed", "E462")]
    assert "path separator" in outcomes[0].problem.message and "not type/subtype" in outcomes[1].problem.message


# ---------------------------------------------------------------- webhooks


class Webhooks:
    """A loopback HTTP server recording every POST; the answer per path is set in ``answers``."""

    def __init__(self):
        self.posts: list[dict] = []
        self.answers: dict[str, tuple[int, bytes, dict]] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.posts.append({"path": self.path, "type": self.headers["Content-Type"], "body": body})
                status, text, headers = owner.answers.get(self.path, (200, b"ok", {}))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Loopback requests go straight to the test server, whatever proxy the machine sets."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def chat(channel, owner="team-data", target=None, **changes) -> Delivery:
    fields = dict(owner=owner, channel=channel, target=target or f"env:{owner.upper().replace('-', '_')}_{channel.upper()}",
                  subject=f"Cost report 2025-05: {owner}", text=f"Open findings for {owner}: 3\nMoney at stake: 1,234.50 USD")
    fields.update(changes)
    return Delivery(**fields)


def test_slack_message_escapes_hostile_names_and_values():
    with Webhooks() as hooks:
        env = {"TEAM_DATA_SLACK": hooks.base + "/slack/T000/B000/secret-token"}
        delivery = chat("slack", subject=f"Report for {HOSTILE}", text=f"Owner {HOSTILE}\nTag value: a&b<c>\n\n@channel @Everyone")
        [outcome] = deliver([delivery], env=env, timeout=5)
    assert outcome.status == "sent"
    [posted] = hooks.posts
    assert posted["path"] == "/slack/T000/B000/secret-token" and posted["type"] == "application/json; charset=utf-8"
    payload = json.loads(posted["body"])
    assert set(payload) == {"text", "blocks"}
    assert payload["text"] == "Report for &lt;!channel&gt; &amp; &lt;@U123&gt; @\u2060here &lt;https://evil.example|click&gt; *bold* [x](https://evil.example) &lt;at&gt;boss&lt;/at&gt;"
    header, section = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": f"Report for {HOSTILE}", "emoji": False}}
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn" and section["text"]["verbatim"] is True
    text = section["text"]["text"]
    assert "Tag value: a&amp;b&lt;c&gt;" in text
    assert "@\u2060channel @\u2060Everyone" in text
    # nothing Slack would read as a mention, a special command or a link is left in the mrkdwn parts
    mrkdwn = payload["text"] + text
    assert "<" not in mrkdwn and ">" not in mrkdwn
    for word in ("@here", "@channel", "@everyone"):
        assert word not in mrkdwn.lower()


def test_teams_message_is_an_adaptive_card_with_plain_text_runs():
    with Webhooks() as hooks:
        hooks.answers["/teams"] = (202, b"", {})
        delivery = chat("teams", text=f"Owner {HOSTILE}\n\nSecond paragraph")
        [outcome] = deliver([delivery], env={"TEAM_DATA_TEAMS": hooks.base + "/teams"}, timeout=5)
    assert outcome.status == "sent"
    payload = json.loads(hooks.posts[0]["body"])
    [attachment] = payload["attachments"]
    assert payload["type"] == "message"
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}  # TextRun text is not read as Markdown
    runs = [block["inlines"][0]["text"] for block in card["body"]]
    assert runs == ["Cost report 2025-05: team-data", f"Owner {HOSTILE}", "Second paragraph"]
    assert [block.get("spacing") for block in card["body"]] == [None, "None", "Medium"]
    assert "msteams" in card and "entities" not in card["msteams"]  # no mention can be made


def test_a_webhook_error_fails_its_delivery_only_and_never_shows_the_url():
    with Webhooks() as hooks:
        hooks.answers["/broken/secret-token"] = (500, b"internal <error>\nstack...", {})
        hooks.answers["/moved/secret-token"] = (302, b"", {"Location": hooks.base + "/elsewhere"})
        env = {"A": hooks.base + "/broken/secret-token", "B": hooks.base + "/ok/secret-token", "C": hooks.base + "/moved/secret-token"}
        plan = [chat("slack", "team-a", "env:A"), chat("teams", "team-b", "env:B"), chat("slack", "team-c", "env:C")]
        outcomes = deliver(plan, env=env, timeout=5)
    assert [o.status for o in outcomes] == ["failed", "sent", "failed"]
    assert outcomes[0].problem.code == "E466"
    assert outcomes[0].problem.format() == "slack env:A: E466 the webhook answered HTTP 500 Internal Server Error: internal <error> stack..."
    assert outcomes[2].problem.code == "E466" and "HTTP 302" in outcomes[2].problem.message
    assert [p["path"] for p in hooks.posts] == ["/broken/secret-token", "/ok/secret-token", "/moved/secret-token"]  # no redirect followed
    assert "secret-token" not in describe(outcomes)


def test_a_webhook_that_never_answers_times_out():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        env = {"HOOK": f"http://127.0.0.1:{silent.getsockname()[1]}/hook"}
        outcomes = deliver([chat("slack", target="env:HOOK"), chat("teams", target="env:HOOK")], env=env, timeout=0.5)
    assert [(o.status, o.problem.code) for o in outcomes] == [("failed", "E467"), ("failed", "E467")]
    assert outcomes[0].problem.message == "the webhook did not answer within 0.5 s"


def test_webhook_targets_are_environment_references_to_https_urls():
    env = {"PLAIN_HTTP": "http://hooks.example.com/x", "EMPTY": "", "NOT_A_URL": "hooks.slack.com/services/x"}
    plan = [
        chat("slack", target="https://hooks.slack.com/services/T0/B0/s3cr3t-t0ken"),
        chat("slack", target="env:UNSET"),
        chat("slack", target="env:EMPTY"),
        chat("teams", target="env:PLAIN_HTTP"),
        chat("teams", target="env:NOT_A_URL"),
        chat("pager", target="env:X"),
    ]
    outcomes = deliver(plan, env=env, timeout=1)
    assert [o.problem.code for o in outcomes] == ["E462", "E461", "E461", "E462", "E462", "E462"]
    text = describe(outcomes)
    assert "s3cr3t-t0ken" not in text and "hooks.example.com" not in text
    assert "must name an environment variable (env:NAME)" in outcomes[0].problem.message
    assert "environment variable UNSET is not set" in outcomes[1].problem.message
    assert "not an https:// URL" in outcomes[3].problem.message
    assert "unknown channel 'pager'" in outcomes[5].problem.message


def test_long_texts_are_cut_to_the_channel_limits():
    lines = "\n".join(f"finding {i}: idle disk vol-{i:06d} in team-data, 12.50 USD a month & more" for i in range(3000))
    with Webhooks() as hooks:
        env = {"S": hooks.base + "/s", "T": hooks.base + "/t"}
        outcomes = deliver([chat("slack", target="env:S", text=lines), chat("teams", target="env:T", text=lines)], env=env, timeout=5)
    slack, teams = (json.loads(p["body"]) for p in hooks.posts)
    assert len(slack["blocks"]) == 50
    assert all(len(b["text"]["text"]) <= 3000 for b in slack["blocks"][1:])
    shown = sum(b["text"]["text"].count("finding ") for b in slack["blocks"][1:])
    assert slack["blocks"][-1]["text"]["text"] == f"_… {3000 - shown} more lines not shown_"
    assert len(hooks.posts[1]["body"]) <= 28 * 1024
    teams_runs = [b["inlines"][0]["text"] for b in teams["attachments"][0]["content"]["body"]]
    kept = sum(run.startswith("finding ") for run in teams_runs)
    assert teams_runs[-1] == f"… {3000 - kept} more lines not shown"
    assert teams_runs[1:1 + kept] == lines.splitlines()[:kept]
    assert "Slack's 50 blocks" in outcomes[0].note and "Teams' 28 KB" in outcomes[1].note


# ---------------------------------------------------------------- dry run


def test_dry_run_checks_and_sizes_everything_and_sends_nothing():
    handler = Capture()
    with smtp_server(handler) as port, Webhooks() as hooks:
        env = {"TEAM_WEB_SLACK": hooks.base + "/s/secret"}
        plan = [email_delivery(), chat("slack", "team-web"), chat("teams", "team-ml")]
        dry = deliver(plan, smtp_url=f"smtp://127.0.0.1:{port}", sender=SENDER, env=env, dry_run=True, timeout=5, now=NOW)
        assert handler.messages == [] and hooks.posts == []
        real = deliver(plan[:2], smtp_url=f"smtp://127.0.0.1:{port}", sender=SENDER, env=env, timeout=5, now=NOW)
    assert [o.status for o in dry] == ["dry-run", "dry-run", "failed"]
    assert dry[2].problem.code == "E461"
    assert dry[1].size == len(hooks.posts[0]["body"]) == real[1].size
    assert abs(dry[0].size - real[0].size) < 80  # the same message but for its random Message-ID and MIME boundary
    text = describe(dry)
    lines = text.splitlines()
    assert lines[0].startswith("would send: team-data — email to Data Team <data@example.com> — 'Cost report 2025-05: team-data' (")
    assert "team-data.html 28 B, team-data.csv 30 B)" in lines[0]
    assert lines[1] == f"would send: team-web — slack env:TEAM_WEB_SLACK — 'Cost report 2025-05: team-web' ({dry[1].size} B)"
    assert lines[2] == "FAILED: team-ml — teams env:TEAM_ML_TEAMS — 'Cost report 2025-05: team-ml'"
    assert lines[-1] == "3 deliveries: 0 sent, 1 failed, 2 dry run"
    assert "secret" not in text


def test_chat_deliveries_say_that_html_and_attachments_go_by_email_only():
    delivery = chat("slack", target="env:S", html="<p>x</p>", attachments=(Attachment("a.csv", b"1", "text/csv"),))
    [outcome] = deliver([delivery], env={"S": "https://hooks.slack.com/services/x"}, dry_run=True)
    assert outcome.status == "dry-run" and outcome.note == "the HTML part and attachments go by email only"


def test_the_dry_run_example_in_the_docs_prints_what_it_says():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "report-delivery.md").read_text(encoding="utf-8")
    section = page.split("## Dry run", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    expected = section.split("```text\n", 1)[1].split("```", 1)[0]
    printed = contextlib.redirect_stdout(__import__("io").StringIO())
    with printed as out:
        exec(compile(code, "docs/report-delivery.md", "exec"), {})
    # the email's size depends on its random Message-ID and MIME boundary by a few bytes
    size = re.compile(r"\(\d+\.\d KiB, ")
    assert size.sub("(…, ", out.getvalue()) == size.sub("(…, ", expected)


def test_settings_errors_name_the_report_option_that_gave_them(tmp_path, monkeypatch):
    """E460 names the option a user typed: --deliver for the SMTP URL, --from for the sender."""
    from tests.report_fixtures import report

    monkeypatch.delenv("COSTWARDEN_SMTP_FROM", raising=False)
    result = report(tmp_path / "a", "--deliver", "smtp://u:hunter2@mail.example.com:587?starttls=true", "--from", "finops@example.com")
    assert result.exit_code == 2
    assert result.output.startswith("--deliver: E460 the SMTP URL holds credentials")
    assert "hunter2" not in result.output
    result = report(tmp_path / "b", "--deliver", "smtp://mail.example.com:587?starttls=true")
    assert result.exit_code == 2
    assert result.output.startswith("--from: E460 email deliveries need a sender address; give --from ADDRESS or set COSTWARDEN_SMTP_FROM")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
