"""Accounts: creation, password hashing (Argon2id), email verification, login with lockout,
password reset and the profile. Functions flush; the view commits."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from participation.extensions import db
from participation.models import LoginSession, Membership, Notification, Organisation, Role, User
from participation.services import mail
from participation.services.account_events import record_account_event

_strong = PasswordHasher()  # argon2-cffi's RFC 9106 low-memory profile (Argon2id)
# Test suites create hundreds of accounts; there a hash may be cheap (never in production).
_cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)


def _hasher() -> PasswordHasher:
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("PASSWORD_HASH_CHEAP") \
            and current_app.config.get("APP_ENV") != "production":
        return _cheap
    return _strong


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        _hasher().verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return True


def normalise_email(email: str) -> str:
    return email.strip().lower()


# The password hash of an account that logs in only through DigiD, eHerkenning or SSO: no
# password matches it (argon2 refuses it as a hash).
NO_PASSWORD = "!"


def create_user(*, email: str, name: str, password: str | None, verified_at: datetime | None = None,
                locale: str = "nl") -> User:
    password_hash = NO_PASSWORD if password is None else hash_password(password)
    user = User(email=normalise_email(email), name=name.strip(), password_hash=password_hash,
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


# --- Tokens -------------------------------------------------------------------------------
# Signed, timed tokens in email links. `now` is a parameter so tests can make old links.

VERIFY_SALT = "verify-email"
VERIFY_MAX_AGE = timedelta(hours=48)
RESET_SALT = "reset-password"
RESET_MAX_AGE = timedelta(hours=2)


def _serializer(salt: str, now: datetime) -> URLSafeTimedSerializer:
    timestamp = int(now.timestamp())

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=ClockSigner)


def make_verification_token(user: User, now: datetime) -> str:
    return _serializer(VERIFY_SALT, now).dumps({"u": user.id, "e": user.email})


def make_reset_token(user: User, now: datetime) -> str:
    # The session version makes the link single-use: setting a password bumps it.
    return _serializer(RESET_SALT, now).dumps({"u": user.id, "v": user.session_version})


def _load(salt: str, token: str, max_age: timedelta, now: datetime) -> dict | None:
    try:
        data = _serializer(salt, now).loads(token, max_age=int(max_age.total_seconds()))
    except BadData:
        return None
    return data if isinstance(data, dict) else None


def email_from_verification_token(token: str) -> str:
    """The address in a link that may have expired, to pre-fill the resend form."""
    try:
        ok, data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                          salt=VERIFY_SALT).loads_unsafe(token)
    except BadData:
        return ""
    return data.get("e", "") if ok and isinstance(data, dict) else ""


def user_from_reset_token(token: str, now: datetime) -> User | None:
    data = _load(RESET_SALT, token, RESET_MAX_AGE, now)
    if not data:
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or user.session_version != data.get("v"):
        return None
    return user


# --- Registration and verification ---------------------------------------------------------


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_account(*, name: str, email: str, password: str, locale: str,
                     now: datetime) -> User | None:
    """Create an unverified account and mail a confirmation link. For an address that already
    has an account, mail its owner instead and return None: the page must not tell a
    stranger which addresses are registered."""
    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # the same work as a new account: timing must not tell
        _mail_already_registered(existing)
        return None
    user = create_user(email=email, name=name, password=password, locale=locale)
    _mail_verification(user, now)
    return user


def resend_verification(email: str, now: datetime) -> None:
    user = find_user_by_email(email)
    if user is not None and user.is_active and not user.is_verified:
        _mail_verification(user, now)


def verify_email(token: str, now: datetime) -> User | None:
    data = _load(VERIFY_SALT, token, VERIFY_MAX_AGE, now)
    if not data:
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or user.email != data.get("e"):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = now
    return user


# --- Logging in ----------------------------------------------------------------------------


class LoginOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"      # unknown address or wrong password: one answer for both
    LOCKED = "locked"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    locked_until: datetime | None = None


def authenticate(email: str, password: str, now: datetime) -> LoginResult:
    """Check a login attempt and count failures: after LOGIN_MAX_FAILURES wrong passwords
    the account is locked for LOGIN_LOCK_MINUTES, even for the right password."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        _spend_hash_time(password)
        # An unknown address is "locked" after as many failures as a known one, so the lock
        # message does not tell a stranger which addresses have an account.
        locked_until = _count_unknown_failure(email, now)
        if locked_until is not None:
            return LoginResult(LoginOutcome.LOCKED, None, locked_until)
        return LoginResult(LoginOutcome.INVALID)
    if user.locked_until is not None and user.locked_until > now:
        _spend_hash_time(password)
        return LoginResult(LoginOutcome.LOCKED, user, user.locked_until)
    if not verify_password(user, password):
        record_account_event(user, "login_failed", now,
                             detail={"method": "password", "reason": "wrong_password"})
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            return LoginResult(LoginOutcome.LOCKED, user, user.locked_until)
        return LoginResult(LoginOutcome.INVALID)
    if not user.has_second_factor:
        # With a second factor the count goes on until the code is right too: otherwise the
        # right password would reset it between guesses of the code.
        user.failed_logins = 0
        user.locked_until = None
    if not user.is_verified:
        return LoginResult(LoginOutcome.UNVERIFIED, user)
    return LoginResult(LoginOutcome.OK, user)


_dummy_hash: str | None = None
# Failed logins for addresses without an account: sha256(address) -> (count, locked until).
# Per worker process and bounded; the known accounts' counter is in the database.
_unknown_failures: dict[str, tuple[int, datetime | None]] = {}
MAX_UNKNOWN_TRACKED = 10_000


def _count_unknown_failure(email: str, now: datetime) -> datetime | None:
    key = hashlib.sha256(normalise_email(email).encode()).hexdigest()
    count, locked_until = _unknown_failures.get(key, (0, None))
    if locked_until is not None and locked_until > now:
        return locked_until
    count += 1
    if count >= current_app.config["LOGIN_MAX_FAILURES"]:
        locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        _unknown_failures[key] = (0, locked_until)
        return locked_until
    if len(_unknown_failures) >= MAX_UNKNOWN_TRACKED:
        _unknown_failures.pop(next(iter(_unknown_failures)))
    _unknown_failures[key] = (count, None)
    return None


def _spend_hash_time(password: str) -> None:
    """Verify against a throw-away hash so an unknown address answers as slowly as a wrong
    password: response times must not reveal which addresses have an account."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher().hash("not-a-real-password")
    try:
        _hasher().verify(_dummy_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


# --- Passwords -----------------------------------------------------------------------------


def request_password_reset(email: str, now: datetime) -> None:
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        _mail_password_reset(user, now)


def set_password(user: User, password: str, now: datetime) -> None:
    """New password: ends every other session and every earlier reset link."""
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    end_all_login_sessions(user, now)
    user.failed_logins = 0
    user.locked_until = None
    record_account_event(user, "password_changed", now)
    db.session.flush()


def reset_password(user: User, password: str, now: datetime) -> None:
    set_password(user, password, now)
    # The link arrived by email, so the address is proven as well.
    if user.email_verified_at is None:
        user.email_verified_at = now
    db.session.flush()


# --- Login sessions ------------------------------------------------------------------------
# The cookie carries a random token; only its hash is stored. A session ends on the server,
# so a copied cookie is worth nothing after logout.


def session_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_login_session(user: User, now: datetime, *, method: str = "password", level: str = "",
                       kvk: str = "") -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=session_token_hash(token),
                                method=method, level=level, kvk=kvk, created_at=now))
    db.session.flush()
    return token


def end_login_session(token: str | None, now: datetime) -> None:
    if token:
        db.session.execute(update(LoginSession).where(
            LoginSession.token_hash == session_token_hash(token),
            LoginSession.ended_at.is_(None)).values(ended_at=now))


def end_all_login_sessions(user: User, now: datetime) -> None:
    """Every device of this user is logged out (role removed, account deleted...)."""
    db.session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)).values(ended_at=now))


def user_for_session(user_id: int, version: str, token: str) -> tuple[User, int] | None:
    """The logged-in user of a request and their unread notifications: the account, its
    password version and an open login session must all match. One statement brings the
    account, its roles (read on every page) and the count the header shows."""
    unread = select(func.count()).select_from(Notification).where(
        Notification.user_id == User.id, Notification.read_at.is_(None)).scalar_subquery()
    row = db.session.execute(
        select(User, unread).join(LoginSession, LoginSession.user_id == User.id)
        .options(joinedload(User.memberships))
        .where(User.id == user_id, LoginSession.token_hash == session_token_hash(token),
               LoginSession.ended_at.is_(None))).unique().first()
    if row is None:
        return None
    user, unread_count = row
    if str(user.session_version) != version or not user.is_active:
        return None
    return user, unread_count or 0


# --- Profile -------------------------------------------------------------------------------

ROLE_LABELS = {
    Role.OFFICIAL: _l("Ambtenaar"),
    Role.COORDINATOR: _l("Coördinator"),
    Role.GRIFFIE: _l("Griffie"),
    Role.ADMIN: _l("Beheerder"),
}


def update_profile(user: User, *, name: str, locale: str) -> None:
    user.name = name.strip()
    user.locale = locale
    db.session.flush()


def roles_by_organisation(user: User) -> list[tuple[Organisation, list[str]]]:
    """The user's official roles, per organisation, sorted by organisation name."""
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .options(joinedload(Membership.organisation))).all()
    grouped: dict[int, tuple[Organisation, list[str]]] = {}
    for membership in memberships:
        org, labels = grouped.setdefault(membership.organisation_id,
                                         (membership.organisation, []))
        labels.append(str(ROLE_LABELS.get(membership.role, membership.role)))
    return sorted(((org, sorted(labels)) for org, labels in grouped.values()),
                  key=lambda item: item[0].name)


# --- Account emails ------------------------------------------------------------------------
# Plain text, written in the recipient's language (Dutch until a catalogue says otherwise).


def _link(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def send_verification(user: User, now: datetime) -> None:
    """Ask a new account to confirm its email address (mail through the outbox)."""
    _mail_verification(user, now)


def _mail_verification(user: User, now: datetime) -> None:
    link = _link("auth.verify", token=make_verification_token(user, now))
    with force_locale(user.locale):
        subject = _("Bevestig uw e-mailadres")
        body = _(
            "Beste %(name)s,\n\n"
            "U heeft een account aangemaakt op het participatieplatform. Bevestig uw "
            "e-mailadres met deze link:\n\n%(link)s\n\n"
            "De link werkt 48 uur. Heeft u geen account aangemaakt? Dan kunt u deze e-mail "
            "negeren.\n", name=user.name, link=link)
    mail.queue_email(user.email, subject, body, language=user.locale)


def _mail_already_registered(user: User) -> None:
    login = _link("auth.login")
    forgot = _link("auth.forgot_password")
    with force_locale(user.locale):
        subject = _("U heeft al een account")
        body = _(
            "Beste %(name)s,\n\n"
            "Iemand wilde een account aanmaken met dit e-mailadres. U heeft al een account.\n\n"
            "Inloggen: %(login)s\n"
            "Wachtwoord vergeten? Maak een nieuw wachtwoord: %(forgot)s\n\n"
            "Was u dit niet? Dan hoeft u niets te doen. Uw account is niet veranderd.\n",
            name=user.name, login=login, forgot=forgot)
    mail.queue_email(user.email, subject, body, language=user.locale)


def _mail_password_reset(user: User, now: datetime) -> None:
    link = _link("auth.reset_password", token=make_reset_token(user, now))
    with force_locale(user.locale):
        subject = _("Nieuw wachtwoord instellen")
        body = _(
            "Beste %(name)s,\n\n"
            "U heeft gevraagd om een nieuw wachtwoord. Stel het in met deze link:\n\n"
            "%(link)s\n\n"
            "De link werkt 2 uur en maar één keer. Heeft u dit niet gevraagd? Dan kunt u deze "
            "e-mail negeren. Uw wachtwoord blijft dan hetzelfde.\n", name=user.name, link=link)
    mail.queue_email(user.email, subject, body, language=user.locale)
