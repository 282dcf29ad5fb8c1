"""The second factor's rules: who must have one, the shape of codes, which time steps count."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from participation.domain import second_factor as rules


@pytest.mark.parametrize(("roles", "method", "required"), [
    ({"admin"}, "password", True),
    ({"coordinator"}, "password", True),
    ({"installation_admin"}, "password", True),
    ({"official", "coordinator"}, "password", True),
    ({"official"}, "password", False),
    ({"griffie"}, "password", False),
    (set(), "password", False),                    # a resident: offered, not required
    ({"admin"}, "sso", False),                     # the identity provider does the second factor
    ({"coordinator"}, "digid", False),
    ({"admin"}, "eherkenning", False),
])
def test_who_must_have_a_second_factor(roles, method, required):
    assert rules.second_factor_required(roles, method) is required


@pytest.mark.parametrize(("now_step", "last_used", "steps"), [
    (100, None, [100, 99, 101]),
    (100, 98, [100, 99, 101]),
    (100, 99, [100, 101]),       # the code of the previous step was used: not again
    (100, 100, [101]),           # the current step's code was used: only the next one
    (100, 101, []),              # the next step was used too (a fast clock): nothing now
])
def test_acceptable_steps_exclude_what_was_used(now_step, last_used, steps):
    assert rules.acceptable_steps(now_step, last_used) == steps


def test_time_step_is_thirty_seconds():
    start = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)
    assert rules.time_step(start.replace(second=29)) == rules.time_step(start)
    assert rules.time_step(start.replace(second=30)) == rules.time_step(start) + 1


@pytest.mark.parametrize(("typed", "code"), [
    ("123456", "123456"), (" 123 456 ", "123456"), ("123-456", "123456"),
    ("12345", None), ("1234567", None), ("12345a", None), ("", None), ("١٢٣٤٥٦", None),
])
def test_app_codes(typed, code):
    assert rules.normal_totp_code(typed) == code


@pytest.mark.parametrize(("typed", "code"), [
    ("abcde-fghjk", "abcdefghjk"), ("ABCDE FGHJK", "abcdefghjk"), ("abcdefghjk", "abcdefghjk"),
    ("abcde-fghj", None),          # too short
    ("abcde-fghil", None),         # i and l are not in the alphabet (ambiguous on paper)
    ("abcde-fghj0", None),
    ("", None),
])
def test_recovery_codes_as_typed(typed, code):
    assert rules.normal_recovery_code(typed) == code


def test_new_recovery_codes_are_ten_distinct_readable_codes():
    codes = rules.new_recovery_codes()
    assert len(codes) == rules.RECOVERY_CODE_COUNT == len(set(codes))
    for code in codes:
        assert len(code) == 11 and code[5] == "-"
        assert rules.normal_recovery_code(code) == code.replace("-", "")
