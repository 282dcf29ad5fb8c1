"""What happened to an account, for its owner: logins (with the method), failed logins,
logouts, password and second-factor changes, and what the identity providers changed.
Functions add to the session; the view commits."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from participation.extensions import db
from participation.models import AccountEvent, User

# The page and the export show a detail as it is: these may never be in one.
FORBIDDEN_KEY_PARTS = ("bsn", "password", "secret", "token")
FORBIDDEN_KEYS = frozenset({"code", "totp_code", "recovery_code"})
MAX_DETAIL_VALUE_LENGTH = 200


def _looks_like_bsn(value: Any) -> bool:
    """Nine digits that pass the elfproef: refused whatever the key is called."""
    text = str(value).strip()
    if len(text) != 9 or not text.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text, (9, 8, 7, 6, 5, 4, 3, 2, -1)))
    return total % 11 == 0


def _checked_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    detail = dict(detail or {})
    for key, value in detail.items():
        lowered = key.lower()
        if lowered in FORBIDDEN_KEYS or any(part in lowered for part in FORBIDDEN_KEY_PARTS):
            raise ValueError(f"an account event's detail may not hold {key!r}")
        # Plain values, or a list of them (roles added by the identity provider, say).
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, (str, int, float, bool)) and item is not None:
                raise ValueError(f"an account event's detail {key!r} must hold plain values")
            if isinstance(item, str) and len(item) > MAX_DETAIL_VALUE_LENGTH:
                raise ValueError(f"an account event's detail {key!r} is too long")
            if _looks_like_bsn(item):
                raise ValueError(f"an account event's detail {key!r} looks like a BSN")
    return detail


def record_account_event(user: User, kind: str, now: datetime, *,
                         detail: dict | None = None) -> AccountEvent:
    """Add an event to the account's history (no commit: it goes with the view's one)."""
    event = AccountEvent(user_id=user.id, kind=kind, detail=_checked_detail(detail),
                         created_at=now)
    db.session.add(event)
    return event


def events_for(user: User, limit: int = 50) -> list[AccountEvent]:
    """The account's latest events, newest first."""
    return list(db.session.scalars(
        select(AccountEvent).where(AccountEvent.user_id == user.id)
        .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc()).limit(limit)))
