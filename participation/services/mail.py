"""Email through the outbox: queue in the caller's transaction, deliver later.

`queue_email` only adds a row, so a mail server that is down never loses a message or fails
the request that caused it. `deliver_due` is a runner (the `outbox run` command, or the
development hook below): unlike the other services it owns its transactions, committing
after every message so that a crash never sends the same message twice.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app, g
from flask_babel import force_locale
from sqlalchemy import select

from participation.extensions import db
from participation.models import Attachment, Organisation, OutboxMessage
from participation.models._types import utcnow
from participation.services import attachments

MAX_BACKOFF = timedelta(hours=6)
BACKENDS = ("smtp", "console", "outbox-only")


def queue_email(recipient: str, subject: str, body: str, *,
                attachment_id: int | None = None, org: Organisation | None = None,
                language: str | None = None, action: tuple[str, str] | None = None
                ) -> OutboxMessage:
    """Queue one email: the plain text `body` and the same words as HTML in the
    organisation's colours; `action` is (label, url) for a button to the case."""
    html = render_html(subject, body, org=org, language=language or _current_language(),
                       action=action)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, html=html,
                            attachment_id=attachment_id, next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    g.mail_queued = True  # read by the development delivery hook
    return message


URL = re.compile(r"(https?://[^\s<>\"']+)")


def _current_language() -> str:
    from flask_babel import get_locale

    try:
        return "en" if str(get_locale() or "nl").startswith("en") else "nl"
    except RuntimeError:  # outside a request and without force_locale
        return "nl"


def paragraphs(body: str) -> list[list[list[tuple[str, str]]]]:
    """Paragraphs (split at blank lines) of lines of ("text"|"link", value) segments."""
    found = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = []
        for line in chunk.splitlines():
            parts = URL.split(line)
            lines.append([("link" if i % 2 else "text", part)
                          for i, part in enumerate(parts) if part])
        if lines:
            found.append(lines)
    return found


def render_html(subject: str, body: str, *, org: Organisation | None, language: str,
                action: tuple[str, str] | None = None) -> str:
    from participation.services.admin import is_hex_colour

    colour = org.primary_color if org is not None and is_hex_colour(org.primary_color) \
        else "#01689b"
    with force_locale(language):
        return current_app.jinja_env.get_template("emails/message.html").render(
            subject=subject, paragraphs=paragraphs(body), org=org, language=language,
            org_name=org.name if org is not None else current_app.config.get(
                "PLATFORM_NAME", "Participatieplatform"),
            colour=colour, action_label=action[0] if action else "",
            action_url=action[1] if action else "")


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, never more than 6 hours."""
    if attempts > 20:  # 2**20 minutes is far past the cap; avoid huge numbers
        return MAX_BACKOFF
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_due(now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Send up to `limit` messages that are due; returns (sent, failed)."""
    backend = current_app.config.get("MAIL_BACKEND", "console")
    if backend not in BACKENDS:
        raise ValueError(f"unknown MAIL_BACKEND {backend!r}; expected one of {BACKENDS}")
    if backend == "outbox-only":
        return 0, 0
    now = now or utcnow()
    sent = failed = 0
    # One message per transaction: the row stays locked while it is being sent, so a
    # second runner skips it instead of sending it again.
    for _ in range(limit):
        message = _claim_next(now)
        if message is None:
            break
        try:
            _send(backend, message)
        except Exception as exc:  # any failure: one bad message must not block the queue
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.next_attempt_at = now + backoff(message.attempts)
            failed += 1
            current_app.logger.warning("mail %s to %s failed (attempt %s): %s", message.id,
                                       message.recipient, message.attempts, exc)
        else:
            message.attempts += 1
            message.sent_at = now
            message.last_error = ""
            sent += 1
        db.session.commit()
    return sent, failed


def _claim_next(now: datetime) -> OutboxMessage | None:
    query = (select(OutboxMessage)
             .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
             .limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    # SQLite serialises writers, so a plain select inside the transaction is enough.
    return db.session.scalar(query)


def _build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    if message.attachment_id is not None:
        attachment = db.session.get(Attachment, message.attachment_id)
        if attachment is not None:
            maintype, _sep, subtype = attachment.content_type.partition("/")
            with attachments.open_attachment(attachment) as handle:
                email.add_attachment(handle.read(), maintype=maintype, subtype=subtype,
                                     filename=attachment.filename)
    return email


def _send(backend: str, message: OutboxMessage) -> None:
    email = _build(message)  # built for the console too: what cannot be sent fails here
    if backend == "console":
        # The plain body, not the encoded message, so a developer can click the link.
        current_app.logger.info("mail (console backend)\nTo: %s\nSubject: %s\n\n%s",
                                message.recipient, message.subject, message.body)
        return
    config = current_app.config
    timeout = config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"],
                                             timeout=timeout,
                                             context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(email)


def deliver_after_request_in_development(response):
    """With MAIL_BACKEND "console", deliver what this request queued so a developer sees the
    message in the log at once. Runs after the view, so after its commit; the rollback first
    drops anything the view did not commit (such a message must not go out)."""
    if not g.get("mail_queued") or current_app.config.get("MAIL_BACKEND") != "console":
        return response
    try:
        db.session.rollback()
        deliver_due()
    except Exception:  # delivery is best effort here; `outbox run` retries
        current_app.logger.exception("development mail delivery failed")
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    app.after_request(deliver_after_request_in_development)
