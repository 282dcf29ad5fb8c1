"""Test helpers for the second factor: admins and coordinators must have one, so the tests
that log them in through the real form enrol them first and answer the code step with a code
computed by pyotp, as the person's phone would."""
from __future__ import annotations

from typing import Any

import pyotp

from participation.extensions import db
from participation.models._types import utcnow
from participation.services import second_factor

# Email -> secret of every account enrolled here: for clients that have no database at hand
# (the load tests' HTTP client).
SECRETS: dict[str, str] = {}
LOGIN_URL = "/account/inloggen"
CODE_URL = "/account/inloggen/code"


def needs_enrolment(user) -> bool:
    return not user.has_second_factor and second_factor.required_for(user, "password")


def enrol(user) -> str:
    """Set up TOTP for the user as the set-up page would; returns the secret."""
    setup = second_factor.begin_setup(user, "Participatieplatform test", "QR-code")
    assert second_factor.confirm_setup(user, pyotp.TOTP(setup.secret).now(), utcnow())
    db.session.commit()
    SECRETS[user.email] = setup.secret
    return setup.secret


def current_code(user) -> str:
    """The code the app shows now. The replay guard refuses a second code of the same time
    step, and tests log one person in many times within 30 seconds: the helper forgets the
    last step used first (tests/functional/test_second_factor.py tests the guard itself)."""
    user.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(second_factor._decrypt(user.totp_secret)).now()


def log_in_with_form(client, user, password: str, **data: Any):
    """Password, then (for an account with a second factor) the code: the response of the
    last step, a redirect to where the user lands."""
    if needs_enrolment(user):
        enrol(user)
    response = client.post(LOGIN_URL, data={"email": user.email, "password": password, **data})
    if response.status_code == 303 and response.headers["Location"].endswith(CODE_URL):
        response = client.post(CODE_URL, data={"code": current_code(user)})
    return response
