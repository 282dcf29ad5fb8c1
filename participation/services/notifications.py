"""In-app notifications of a user: marking them read. (They are created by
services.cases.notify_applicant.)"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from participation.extensions import db
from participation.models import Notification, User


def mark_read(notification: Notification, *, now: datetime) -> None:
    if notification.read_at is None:
        notification.read_at = now
    db.session.flush()


def mark_all_read(user: User, *, now: datetime) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=now))
    db.session.flush()
    return result.rowcount or 0
