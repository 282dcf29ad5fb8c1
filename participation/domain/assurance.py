"""Assurance levels (betrouwbaarheidsniveaus, procedures.md §5.3 I2/I4) as procedure data: which
means of login, at which level, an action needs, and whether a login reached it.

A requirement is written in the procedure file as "email" (a confirmed email account),
"digid:midden" or "eherkenning:EH2+". Brokers report the level as an `acr` value: the SAML
AuthnContextClassRef of DigiD or the eToegang assurance class, or the level's own name."""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

EMAIL = "email"
DIGID = "digid"
EHERKENNING = "eherkenning"

# Ordered from low to high.
LEVELS: dict[str, tuple[str, ...]] = {
    EMAIL: ("",),
    DIGID: ("basis", "midden", "substantieel", "hoog"),
    EHERKENNING: ("EH1", "EH2", "EH2+", "EH3", "EH4"),
}
MEANS_LABELS = {EMAIL: "e-mail", DIGID: "DigiD", EHERKENNING: "eHerkenning"}

# The actions of a procedure that may ask for a level, in the order the admin screen shows them.
ACTIONS = ("file", "file_for_organisation", "sign", "answer")

_ACR: dict[str, tuple[str, str]] = {
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport": (DIGID, "basis"),
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract": (DIGID, "midden"),
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard": (DIGID, "substantieel"),
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI": (DIGID, "hoog"),
    "urn:etoegang:core:assurance-class:loa1": (EHERKENNING, "EH1"),
    "urn:etoegang:core:assurance-class:loa2": (EHERKENNING, "EH2"),
    "urn:etoegang:core:assurance-class:loa2plus": (EHERKENNING, "EH2+"),
    "urn:etoegang:core:assurance-class:loa3": (EHERKENNING, "EH3"),
    "urn:etoegang:core:assurance-class:loa4": (EHERKENNING, "EH4"),
}


@dataclass(frozen=True)
class Requirement:
    means: str
    level: str = ""

    def __str__(self) -> str:
        return self.means if self.means == EMAIL else f"{self.means}:{self.level}"

    def label(self) -> str:
        """'DigiD (midden)', 'eHerkenning (EH2+)', 'e-mail'."""
        name = MEANS_LABELS[self.means]
        return f"{name} ({self.level})" if self.level else name


NO_REQUIREMENT = Requirement(EMAIL)


@dataclass(frozen=True)
class Reached:
    """What the current login proves: its means and level (and for eHerkenning the KvK number
    the person may act for)."""
    means: str
    level: str = ""
    kvk: str = ""


def parse_requirement(text: str) -> Requirement:
    """'digid:midden' -> Requirement; ValueError for an unknown means or level."""
    means, _, level = (text or "").strip().partition(":")
    means = means.strip().lower()
    level = level.strip()
    if means == EMAIL and not level:
        return NO_REQUIREMENT
    if means not in LEVELS or means == EMAIL:
        raise ValueError(text)
    known = {name.lower(): name for name in LEVELS[means]}
    if level.lower() not in known:
        raise ValueError(text)
    return Requirement(means, known[level.lower()])


def level_from_acr(means: str, acr: str | None) -> str | None:
    """The level an `acr` value stands for, for this means; None when it names none of its levels
    (a broker that reports nothing proves only the lowest level it is contracted for: the
    platform then refuses rather than guesses)."""
    if not acr:
        return None
    mapped = _ACR.get(acr.strip())
    if mapped is not None:
        return mapped[1] if mapped[0] == means else None
    known = {name.lower(): name for name in LEVELS.get(means, ())}
    return known.get(acr.strip().lower())


def acr_values(means: str, at_least: str = "") -> str:
    """The `acr_values` to ask a broker for: the names of this means' levels from `at_least`
    up (all of them when empty), so that its answer says which one the person used."""
    levels = LEVELS.get(means, ())
    lowest = rank(means, at_least) if at_least in levels else 0
    return " ".join(acr for acr, (m, level) in _ACR.items()
                    if m == means and rank(means, level) >= lowest)


def rank(means: str, level: str) -> int:
    return LEVELS[means].index(level)


def satisfies(reached: Reached | None, required: Requirement, *, kvk: str = "") -> bool:
    """Whether a login proves enough for an action. Any login to a confirmed account meets
    "email"; otherwise the means must match and the level be at least the one asked; an action
    for an organisation must be done by someone authorised for that KvK number."""
    if required.means == EMAIL:
        return True
    if reached is None or reached.means != required.means or reached.level not in LEVELS[reached.means]:
        return False
    if rank(reached.means, reached.level) < rank(required.means, required.level):
        return False
    return not kvk or reached.kvk == kvk


STAFF_ROLES = ("official", "coordinator", "griffie", "admin")


def roles_for_groups(role_map: dict[str, object], groups: list[str]) -> set[str]:
    """The staff roles a person's IdP groups give: role_map maps a group to one role or a list
    of roles; roles outside the staff roles are ignored (an IdP cannot make anyone a
    resident or an installation administrator)."""
    roles: set[str] = set()
    for group in groups:
        mapped = role_map.get(group, [])
        for role in [mapped] if isinstance(mapped, str) else list(mapped or []):
            if role in STAFF_ROLES:
                roles.add(role)
    return roles


def parse_role_map(text: str) -> dict[str, list[str]]:
    """'behandelaars = official' lines (a role list after '=' may be comma-separated) into the
    mapping; ValueError naming the first line that is not 'group = staff role(s)'."""
    mapping: dict[str, list[str]] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        group, sep, roles = line.partition("=")
        names = [r.strip() for r in roles.split(",") if r.strip()]
        if not sep or not group.strip() or not names or any(r not in STAFF_ROLES for r in names):
            raise ValueError(line.strip())
        mapping.setdefault(group.strip(), [])
        mapping[group.strip()] += [r for r in names if r not in mapping[group.strip()]]
    return mapping


def role_map_text(mapping: dict[str, object]) -> str:
    lines = []
    for group, roles in mapping.items():
        names = [roles] if isinstance(roles, str) else list(roles or [])
        lines.append(f"{group} = {', '.join(str(r) for r in names)}")
    return "\n".join(lines)


_BSN = re.compile(r"[0-9]{9}")


def valid_bsn(bsn: str) -> bool:
    """The BSN's eleven test (elfproef): 9 digits, sum of digit*(9..2) minus the last digit is a
    multiple of 11 and not all zeros."""
    if not _BSN.fullmatch(bsn or "") or bsn == "000000000":
        return False
    digits = [int(c) for c in bsn]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def person_key(key: bytes, means: str, identifier: str) -> str:
    """A keyed hash (HMAC-SHA256) that stands for a person without storing who they are: the
    same BSN gives the same key across accounts, and no one without the key can turn a list of
    keys back into BSNs by trying all 10^9 numbers."""
    message = f"{means}:{identifier}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
