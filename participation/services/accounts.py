"""Accounts: creation and password hashing (Argon2id)."""
from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from participation.extensions import db
from participation.models import Membership, Organisation, User

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(*, email: str, name: str, password: str, verified_at: datetime | None = None,
                locale: str = "nl") -> User:
    user = User(email=normalise_email(email), name=name.strip(), password_hash=hash_password(password),
                email_verified_at=verified_at, locale=locale)
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(user: User, organisation: Organisation, role: str) -> Membership:
    existing = next((m for m in user.memberships
                     if m.organisation_id == organisation.id and m.role == role), None)
    if existing:
        return existing
    membership = Membership(user=user, organisation=organisation, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership
