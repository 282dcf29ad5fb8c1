"""Mail goes through the outbox: delivered by a real SMTP server, kept and retried when the
server is down, never sent twice by two runners."""
from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from participation.extensions import db
from participation.models import OutboxMessage
from participation.models._types import utcnow
from participation.services import mail


class Inbox:
    """aiosmtpd handler that keeps what it receives."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # blocks the server loop on purpose: a slow mail server
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp(port: int, inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture()
def smtp_config(app, app_ctx, monkeypatch):
    port = free_port()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                       "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_USERNAME": "",
                       "MAIL_TIMEOUT": 5, "MAIL_DEFAULT_SENDER": "noreply@zonnedal.example"}.items():
        monkeypatch.setitem(app.config, key, value)
    return port


def queue(n: int = 1) -> list[OutboxMessage]:
    messages = [mail.queue_email(f"inwoner{i}@example.nl", f"Onderwerp {i}",
                                 f"Beste inwoner,\n\nBericht nummer {i}: één, twee, drie.\n")
                for i in range(n)]
    db.session.commit()
    return messages


def reload(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_messages_are_delivered_by_smtp(smtp_config):
    inbox = Inbox()
    server = start_smtp(smtp_config, inbox)
    try:
        first, second = queue(2)
        assert mail.deliver_due() == (2, 0)
    finally:
        server.stop()
    assert sorted(m["To"] for m in inbox.messages) == ["inwoner0@example.nl", "inwoner1@example.nl"]
    received = next(m for m in inbox.messages if m["To"] == "inwoner0@example.nl")
    assert received["Subject"] == "Onderwerp 0"
    assert received["From"] == "noreply@zonnedal.example"
    assert "één, twee, drie" in received.get_body(("plain",)).get_content()
    assert "één, twee, drie" in received.get_body(("html",)).get_content()
    for message in (first, second):
        stored = reload(message)
        assert stored.sent_at is not None and stored.attempts == 1 and stored.last_error == ""
    assert mail.deliver_due() == (0, 0)  # nothing is sent twice


def test_server_down_keeps_messages_and_backs_off_until_it_returns(smtp_config):
    [message] = queue(1)
    start = utcnow()

    assert mail.deliver_due(now=start) == (0, 1)
    stored = reload(message)
    assert stored.sent_at is None and stored.attempts == 1
    assert "refused" in stored.last_error.lower() or "connect" in stored.last_error.lower()
    assert stored.next_attempt_at == start + timedelta(minutes=1)

    assert mail.deliver_due(now=start + timedelta(seconds=30)) == (0, 0)  # not due yet
    assert mail.deliver_due(now=start + timedelta(minutes=1)) == (0, 1)
    stored = reload(message)
    assert stored.attempts == 2
    assert stored.next_attempt_at == start + timedelta(minutes=1) + timedelta(minutes=2)

    inbox = Inbox()
    server = start_smtp(smtp_config, inbox)
    try:
        assert mail.deliver_due(now=start + timedelta(minutes=3)) == (1, 0)
    finally:
        server.stop()
    stored = reload(message)
    assert stored.sent_at is not None and stored.attempts == 3 and stored.last_error == ""
    assert [m["Subject"] for m in inbox.messages] == ["Onderwerp 0"]


@pytest.mark.parametrize(("attempts", "minutes"), [
    (1, 1), (2, 2), (3, 4), (4, 8), (9, 256), (10, 360), (50, 360),
])
def test_back_off_doubles_up_to_six_hours(attempts, minutes):
    assert mail.backoff(attempts) == timedelta(minutes=minutes)


def test_outbox_only_backend_leaves_messages_queued(app_ctx):
    assert app_ctx.config["MAIL_BACKEND"] == "outbox-only"
    [message] = queue(1)
    assert mail.deliver_due() == (0, 0)
    assert reload(message).sent_at is None and reload(message).attempts == 0


def test_console_backend_writes_to_the_log(app, app_ctx, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    [message] = queue(1)
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        assert mail.deliver_due() == (1, 0)
    assert "Subject: Onderwerp 0" in caplog.text and "inwoner0@example.nl" in caplog.text
    assert reload(message).sent_at is not None


def test_development_request_delivers_its_mail_at_once(app, client, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        response = client.post("/account/wachtwoord-vergeten", data={"email": "x@example.nl"})
        assert response.status_code == 303
        response = client.post("/account/registreren", data={
            "name": "Sanne", "email": "sanne@example.nl", "password": "lang genoeg wachtwoord",
            "password_repeat": "lang genoeg wachtwoord", "accept_privacy": "y"})
        assert response.status_code == 303
    db.session.expire_all()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.sent_at is not None
    assert "Bevestig uw e-mailadres" in caplog.text


def test_mail_of_a_request_that_did_not_commit_is_not_sent(app, app_ctx, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    with app.test_request_context("/"), caplog.at_level(logging.INFO, logger=app.logger.name):
        mail.queue_email("x@example.nl", "Mag niet weg", "tekst")  # and no commit
        response = app.response_class("ok")
        assert mail.deliver_after_request_in_development(response) is response
    assert "Mag niet weg" not in caplog.text
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_outbox_run_command_prints_counts(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    queue(3)
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed" in result.output
    result = app.test_cli_runner().invoke(args=["outbox", "run"])
    assert "0 sent, 0 failed" in result.output


def test_two_runners_never_send_a_message_twice(app, smtp_config):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are a PostgreSQL feature; SQLite runs one runner")
    inbox = Inbox(delay=0.05)
    server = start_smtp(smtp_config, inbox)
    queue(12)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def runner():
        try:
            with app.app_context():
                results.append(mail.deliver_due())
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.stop()
    assert errors == []
    assert sum(sent for sent, _ in results) == 12
    assert all(sent > 0 for sent, _ in results), results  # both runners did work
    assert sorted(m["Subject"] for m in inbox.messages) == sorted(f"Onderwerp {i}" for i in range(12))


def test_a_message_that_cannot_be_built_does_not_block_the_others(smtp_config):
    inbox = Inbox()
    server = start_smtp(smtp_config, inbox)
    try:
        bad = mail.queue_email("x@example.nl", "Kapot\nBcc: iemand@evil.example", "tekst")
        db.session.commit()
        [good] = queue(1)
        assert mail.deliver_due() == (1, 1)
    finally:
        server.stop()
    assert reload(bad).sent_at is None and reload(bad).attempts == 1
    assert reload(good).sent_at is not None
    assert [m["Subject"] for m in inbox.messages] == ["Onderwerp 0"]
    assert all("evil.example" not in str(m) for m in inbox.messages)
