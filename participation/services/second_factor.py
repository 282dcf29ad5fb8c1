"""The second factor: TOTP (RFC 6238, with pyotp) and ten single-use recovery codes.

The TOTP secret is stored encrypted (Fernet) and the recovery codes as keyed hashes, both
under a key derived from TOTP_KEY (or SECRET_KEY when that is not set): a copy of the
database alone does not give anyone a code. Changing that key makes every set-up second
factor unusable: `flask users reset-second-factor EMAIL` then lets a person set it up again.
Functions flush; the view commits."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import escape
from sqlalchemy import delete, func, select, update

from participation.domain import second_factor as rules
from participation.extensions import db
from participation.models import LoginSession, RecoveryCode, User
from participation.services.account_events import record_account_event

log = logging.getLogger(__name__)


# --- Keys ---------------------------------------------------------------------------------


def _derived_key(purpose: bytes) -> bytes:
    material = current_app.config.get("TOTP_KEY") or current_app.config["SECRET_KEY"]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"participation second factor: " + purpose).derive(material.encode())


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived_key(b"totp secret")))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        log.warning("a TOTP secret could not be decrypted: TOTP_KEY or SECRET_KEY changed?")
        return None


def _recovery_hash(user: User, code: str) -> str:
    message = f"{user.id}:{code}".encode()
    return hmac.new(_derived_key(b"recovery codes"), message, hashlib.sha256).hexdigest()


# --- Setting up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSetup:
    """What the set-up page shows: the secret as text, the otpauth:// link and its QR code."""

    secret: str
    uri: str
    qr_svg: str

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def begin_setup(user: User, issuer: str, qr_label: str) -> PendingSetup:
    """A secret for the authenticator app, kept (encrypted) until a code confirms it. Only
    while the factor is not active: an active secret is never shown again."""
    if user.has_second_factor:
        raise ValueError("the second factor is already set up")
    secret = _decrypt(user.totp_secret)
    if secret is None:
        secret = pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends
        user.totp_secret = _encrypt(secret)
        db.session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff",
                                                 svgclass="totp-qr")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(qr_label)}" ', 1)
    return PendingSetup(secret=secret, uri=uri, qr_svg=svg)


def confirm_setup(user: User, code: str, now: datetime) -> list[str] | None:
    """The first code from the app switches the factor on; returns the recovery codes to show
    once, or None when the code is wrong. Other login sessions of the user end: they were
    opened without this factor."""
    if user.has_second_factor or not _matches_totp(user, code, now):
        return None
    user.totp_enabled_at = now
    codes = _new_recovery_codes(user, now)
    record_account_event(user, "totp_enabled", now)
    _end_sessions(user, now)
    db.session.flush()
    return codes


def disable(user: User, now: datetime) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_account_event(user, "totp_disabled", now)
    db.session.flush()


def reset(user: User, now: datetime) -> None:
    """By the operator, for a person who lost both the app and the codes."""
    disable(user, now)


def renew_recovery_codes(user: User, now: datetime) -> list[str]:
    codes = _new_recovery_codes(user, now)
    record_account_event(user, "recovery_codes_renewed", now)
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = rules.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, created_at=now,
                                    code_hash=_recovery_hash(user, rules.normal_recovery_code(code)))
                       for code in codes)
    return codes


def _end_sessions(user: User, now: datetime) -> None:
    db.session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)).values(ended_at=now))


# --- Checking a code --------------------------------------------------------------------------


def _matches_totp(user: User, text: str, now: datetime) -> bool:
    """A six-digit code of a time step near now that was not used before; remembers the step."""
    code = rules.normal_totp_code(text)
    secret = _decrypt(user.totp_secret)
    if code is None or secret is None:
        return False
    totp = pyotp.TOTP(secret)
    for step in rules.acceptable_steps(rules.time_step(now), user.totp_last_step):
        if hmac.compare_digest(totp.at(step * rules.TIME_STEP_SECONDS), code):
            user.totp_last_step = step
            return True
    return False


def _use_recovery_code(user: User, text: str, now: datetime) -> bool:
    code = rules.normal_recovery_code(text)
    if code is None:
        return False
    used = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_hash(user, code),
        RecoveryCode.used_at.is_(None)).values(used_at=now))
    return used.rowcount == 1


class CodeOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeResult:
    outcome: CodeOutcome
    recovery_code_used: bool = False
    recovery_codes_left: int = 0
    locked_until: datetime | None = None


def check_login_code(user: User, text: str, now: datetime) -> CodeResult:
    """The second step of a password login: a code from the app or a recovery code. Wrong
    codes count toward the same lockout as wrong passwords."""
    if user.locked_until is not None and user.locked_until > now:
        return CodeResult(CodeOutcome.LOCKED, locked_until=user.locked_until)
    if _matches_totp(user, text, now):
        _reset_failures(user)
        return CodeResult(CodeOutcome.OK)
    if _use_recovery_code(user, text, now):
        _reset_failures(user)
        left = recovery_codes_left(user)
        record_account_event(user, "recovery_code_used", now, detail={"left": left})
        return CodeResult(CodeOutcome.OK, recovery_code_used=True, recovery_codes_left=left)
    record_account_event(user, "login_failed", now,
                         detail={"method": rules.PASSWORD_LOGIN, "reason": "wrong_code"})
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.failed_logins = 0
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        return CodeResult(CodeOutcome.LOCKED, locked_until=user.locked_until)
    return CodeResult(CodeOutcome.INVALID)


def check_code(user: User, text: str, now: datetime) -> bool:
    """A code from the app, or a recovery code (the phone may be lost), for a change to the
    factor itself (switching it off)."""
    return _matches_totp(user, text, now) or _use_recovery_code(user, text, now)


def _reset_failures(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def required_for(user: User, login_method: str) -> bool:
    """Must this login of this user have our second factor (set up) before working?"""
    roles = {membership.role for membership in user.memberships}
    if user.is_installation_admin:
        roles.add("installation_admin")
    return rules.second_factor_required(roles, login_method)
