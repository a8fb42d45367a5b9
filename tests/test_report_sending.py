"""`report --deliver`: each owner gets its part by email and to its chat webhooks, from the contacts of
the Ownership document, against real servers on the loopback interface (an aiosmtpd SMTP server and
a small HTTP server standing in for Slack and Teams). A failing destination does not stop the others;
any failure is exit code 2, after everyone was tried. --dry-run sends nothing and says who would get what."""

from __future__ import annotations

import json

import pytest

from tests.report_fixtures import EXAMPLES, report
from tests.test_report_delivery import Capture, Webhooks, smtp_server

OWNERSHIP = (EXAMPLES / "ownership.yaml").read_text()


@pytest.fixture
def contacts(tmp_path):
    """The example directory with chat contacts: payments on Slack, search on Teams (search keeps its email)."""
    text = OWNERSHIP.replace('contacts: [payments-oncall@example.com, "#payments-eng"]',
                             'contacts: [payments-oncall@example.com, "#payments-eng", "slack:env:PAYMENTS_SLACK"]')
    text = text.replace("contacts: [search-oncall@example.com]", 'contacts: [search-oncall@example.com, "teams:env:SEARCH_TEAMS"]')
    assert text.count("slack:env:") == 1 and text.count("teams:env:") == 1
    path = tmp_path / "ownership.yaml"
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_every_owner_gets_its_part_and_one_failure_fails_the_run_after_all_were_tried(tmp_path, contacts, monkeypatch):
    handler = Capture()
    with smtp_server(handler) as port, Webhooks() as hooks:
        hooks.answers["/teams"] = (500, b"workflow failed", {})
        monkeypatch.setenv("PAYMENTS_SLACK", f"{hooks.base}/slack")
        monkeypatch.setenv("SEARCH_TEAMS", f"{hooks.base}/teams")
        result = report(tmp_path / "out", "--ownership", contacts, "--deliver", f"smtp://127.0.0.1:{port}", "--deliver", "chat",
                        "--from", "FinOps <finops@example.com>")
    assert result.exit_code == 2, result.output
    assert (tmp_path / "out" / "index.html").exists()  # the report is written; delivering it failed for one destination
    received = {tuple(m["rcpt_tos"]): m["message"] for m in handler.messages}
    assert sorted(received) == [("data-platform@example.com",), ("finops@example.com",), ("payments-oncall@example.com",),
                                ("search-oncall@example.com",)]
    payments = received[("payments-oncall@example.com",)]
    assert payments["Subject"] == "Cost report 2026-11: Payments"
    body = payments.get_body(("plain",)).get_content()
    assert "Money at stake: 55.45 USD; 22.65 USD" not in body and "Money at stake: 78.10 USD" in body
    attachment = next(payments.iter_attachments())
    assert attachment.get_filename() == "payments.html"
    assert attachment.get_content() == (tmp_path / "out" / "owners" / "payments.html").read_text()
    slack = [json.loads(post["body"]) for post in hooks.posts if post["path"] == "/slack"]
    assert len(slack) == 1 and slack[0]["text"] == "Cost report 2026-11: Payments"
    assert [post["path"] for post in hooks.posts].count("/teams") == 1
    lines = result.stdout.splitlines()
    assert "FAILED: search — teams env:SEARCH_TEAMS — 'Cost report 2026-11: Search'" in lines
    assert lines[-1] == "6 deliveries: 5 sent, 1 failed, 0 dry run" or "6 deliveries: 5 sent, 1 failed, 0 dry run" in lines
    assert hooks.base not in result.output  # a webhook URL is a secret


def test_dry_run_sends_nothing_and_lists_what_is_no_destination(tmp_path, contacts, monkeypatch):
    monkeypatch.setenv("PAYMENTS_SLACK", "https://hooks.slack.example/services/T0/B0/XXXX")
    monkeypatch.delenv("SEARCH_TEAMS", raising=False)
    result = report(tmp_path / "out", "--ownership", contacts, "--deliver", "smtp://127.0.0.1:9", "--deliver", "chat",
                    "--from", "finops@example.com", "--dry-run")
    assert result.exit_code == 2, result.output  # the Teams variable is not set: that delivery would fail
    out = result.stdout
    assert "would send: payments — email to payments-oncall@example.com — 'Cost report 2026-11: Payments'" in out
    assert "would send: payments — slack env:PAYMENTS_SLACK" in out
    assert "FAILED: search — teams env:SEARCH_TEAMS" in out and "E461 environment variable SEARCH_TEAMS is not set" in out
    assert "not a destination: payments contact '#payments-eng'" in out
    assert "hooks.slack.example" not in result.output


def test_chat_only_leaves_owners_without_a_webhook_listed(tmp_path, contacts, monkeypatch):
    with Webhooks() as hooks:
        monkeypatch.setenv("PAYMENTS_SLACK", f"{hooks.base}/slack")
        monkeypatch.setenv("SEARCH_TEAMS", f"{hooks.base}/teams")
        result = report(tmp_path / "out", "--ownership", contacts, "--deliver", "chat", "--fail-on", "critical")
    assert result.exit_code == 0, result.output
    assert len(hooks.posts) == 2
    assert "not delivered: data-platform has no chat contact" in result.stdout
    assert "not delivered: finops has no chat contact" in result.stdout


def test_smtp_settings_that_would_fail_every_email_stop_the_run_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("COSTWARDEN_SMTP_FROM", raising=False)
    result = report(tmp_path / "out", "--deliver", "smtp://127.0.0.1:25")
    assert result.exit_code == 2
    assert "E460" in result.output and not (tmp_path / "out").exists()
    result = report(tmp_path / "out", "--deliver", "smtp://user:secret@127.0.0.1:25", "--from", "finops@example.com")
    assert result.exit_code == 2 and "E460" in result.output and "secret" not in result.output
    assert not (tmp_path / "out").exists()
