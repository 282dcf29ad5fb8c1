"""The second factor's rules (ASVS L2 2.7/2.8): who must have one, what a code from an
authenticator app or a recovery code looks like, and which time steps a code may come from.
The codes themselves are computed with pyotp in services/second_factor.py."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

# Roles that change other people's cases or the organisation's settings: with a password
# alone a stolen password would be enough for that. The installation admin (who creates
# organisations and their admins) counts as an admin.
ROLES_REQUIRING_SECOND_FACTOR = frozenset({"admin", "coordinator", "installation_admin"})
# A login through an identity provider (DigiD, eHerkenning, staff SSO) leaves the second
# factor to that provider; only password logins need ours.
PASSWORD_LOGIN = "password"

TIME_STEP_SECONDS = 30
# A code of the step before or after is accepted too: phone clocks drift, people type slowly.
ACCEPTED_STEPS_AROUND_NOW = 1
TOTP_DIGITS = 6

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a code read from paper must not be ambiguous. 31 symbols, 10 of them: ~49 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
RECOVERY_GROUP = 5


def second_factor_required(roles: Iterable[str], login_method: str) -> bool:
    """Must this login have a second factor of ours before the user may work?"""
    return login_method == PASSWORD_LOGIN and bool(ROLES_REQUIRING_SECOND_FACTOR & set(roles))


def time_step(moment: datetime) -> int:
    return int(moment.timestamp()) // TIME_STEP_SECONDS


def acceptable_steps(now_step: int, last_used_step: int | None) -> list[int]:
    """The time steps a code may belong to now, the current one first. A step at or before
    the last one used is gone: a code seen over someone's shoulder cannot be used again."""
    window = range(now_step - ACCEPTED_STEPS_AROUND_NOW, now_step + ACCEPTED_STEPS_AROUND_NOW + 1)
    ordered = sorted(window, key=lambda step: (step != now_step, step))
    return [step for step in ordered if last_used_step is None or step > last_used_step]


def _without_separators(text: str) -> str:
    return "".join(char for char in (text or "") if not char.isspace() and char not in "-.")


def normal_totp_code(text: str) -> str | None:
    """'123 456' -> '123456'; None when it is not six digits."""
    code = _without_separators(text)
    return code if len(code) == TOTP_DIGITS and code.isascii() and code.isdigit() else None


def new_recovery_codes() -> list[str]:
    """Ten fresh codes, formatted for reading ('abcde-fghjk')."""
    return [format_recovery_code("".join(secrets.choice(RECOVERY_ALPHABET)
                                         for _ in range(RECOVERY_CODE_LENGTH)))
            for _ in range(RECOVERY_CODE_COUNT)]


def format_recovery_code(code: str) -> str:
    return "-".join(code[i:i + RECOVERY_GROUP] for i in range(0, len(code), RECOVERY_GROUP))


def normal_recovery_code(text: str) -> str | None:
    """What is stored (hashed) for a code as typed: 'ABCDE fghjk' and 'abcde-fghjk' are the
    same code; None when it cannot be one."""
    code = _without_separators(text).lower()
    if len(code) != RECOVERY_CODE_LENGTH or any(char not in RECOVERY_ALPHABET for char in code):
        return None
    return code
