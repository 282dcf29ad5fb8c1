"""The second factor's storage: the secret encrypted, recovery codes as keyed hashes, and what
happens when the key changes (the operator resets the factor)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import select

from participation.extensions import db
from participation.models import RecoveryCode
from participation.services import second_factor

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _set_up(user) -> tuple[str, list[str]]:
    setup = second_factor.begin_setup(user, "Participatieplatform", "QR-code")
    codes = second_factor.confirm_setup(user, pyotp.TOTP(setup.secret).at(NOW), NOW)
    db.session.commit()
    return setup.secret, codes


def test_nothing_in_the_database_gives_a_code(create_user):
    user = create_user()
    secret, codes = _set_up(user)
    assert secret not in user.totp_secret
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in hashed for code in codes for hashed in stored)


def test_a_code_of_the_next_step_is_accepted_once_and_an_old_step_never(create_user):
    user = create_user()
    secret, _codes = _set_up(user)  # used the step of NOW
    totp = pyotp.TOTP(secret)
    later = NOW + timedelta(seconds=30)
    assert second_factor.check_login_code(user, totp.at(later), NOW).outcome == "ok"
    assert second_factor.check_login_code(user, totp.at(later), later).outcome == "invalid"
    assert second_factor.check_login_code(user, totp.at(NOW), later).outcome == "invalid"
    far = NOW + timedelta(minutes=5)
    assert second_factor.check_login_code(user, totp.at(far), NOW).outcome == "invalid"


def test_a_changed_key_leaves_the_recovery_codes_unusable_and_the_operator_resets(
        app, create_user):
    user = create_user()
    secret, codes = _set_up(user)
    app.config["TOTP_KEY"] = "another-key-after-a-rotation-0123456789"
    try:
        later = NOW + timedelta(minutes=1)
        assert second_factor.check_login_code(user, pyotp.TOTP(secret).at(later),
                                              later).outcome == "invalid"
        assert second_factor.check_login_code(user, codes[0], later).outcome == "invalid"
        result = app.test_cli_runner().invoke(args=["users", "reset-second-factor", user.email])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        assert not user.has_second_factor and user.totp_secret is None
        assert second_factor.recovery_codes_left(user) == 0
    finally:
        app.config["TOTP_KEY"] = ""
