"""Organisation administration: roles, the task catalogue, branding, the logo and procedure
versions. Functions flush, never commit; every change is logged (who did what)."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from participation import images
from participation.domain import workflow as wf
from participation.domain.errors import Refusal
from participation.extensions import db
from participation.models import Membership, Organisation, Role, Task, User, WorkflowVersion
from participation.services import accounts, organisations

GRANTABLE_ROLES = (Role.OFFICIAL.value, Role.COORDINATOR.value, Role.GRIFFIE.value,
                   Role.ADMIN.value)
MIN_CONTRAST = 4.5  # WCAG 2.x AA for normal text: white header text on the primary colour
MAX_LOGO_BYTES = 1024 * 1024
LOGO_TYPES = {"png": (b"\x89PNG\r\n\x1a\n", "image/png"), "jpg": (b"\xff\xd8\xff", "image/jpeg")}
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_LOGO_TOKEN = re.compile(r"[0-9a-f]{32}\.(png|jpg)")


class AdminError(Refusal):
    """A refused admin change; `message` is Dutch, for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message  # = message_nl; the admin views read this name


class NoSuchAccount(AdminError):
    pass


class LastAdmin(AdminError):
    pass


class DuplicateTaskCode(AdminError):
    pass


class InvalidLogo(AdminError):
    pass


def _log(actor: User, org: Organisation, what: str, *args: object) -> None:
    current_app.logger.info("admin %s (user %s) in %s: " + what, actor.email, actor.id, org.slug,
                            *args)


# --- Roles ---------------------------------------------------------------------------------


def grant_role_by_email(org: Organisation, email: str, role: str, *, actor: User) -> Membership:
    """Give an existing account a role here. Accounts are never created on someone's behalf:
    the person registers (and confirms the address) first."""
    if role not in GRANTABLE_ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = accounts.find_user_by_email(email)
    if user is None or not user.is_active:
        raise NoSuchAccount(_("Er is geen account met dit e-mailadres. Deze persoon moet eerst "
                              "zelf een account aanmaken."))
    membership = accounts.grant_role(user, org, role)
    _log(actor, org, "granted role %s to user %s (%s)", role, user.id, user.email)
    return membership


def revoke_role(membership: Membership, *, actor: User, now: datetime) -> None:
    """Take a role away. The last admin role of an organisation stays: without it nobody
    could manage the organisation any more."""
    org = membership.organisation
    if membership.role == Role.ADMIN.value:
        admins = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.organisation_id == membership.organisation_id,
            Membership.role == Role.ADMIN.value))
        if admins <= 1:
            raise LastAdmin(_("U bent de laatste beheerder. Geef eerst iemand anders de rol "
                              "beheerder; daarna kunt u uw eigen rol intrekken."))
    user = membership.user
    db.session.delete(membership)
    db.session.flush()
    # Keep the loaded collections in step: roles_in() reads user.memberships.
    db.session.expire(user, ["memberships"])
    db.session.expire(org, ["memberships"])
    # A staff session must not outlive the role it was opened with (an admin stepping down
    # stays logged in here: roles are read on every request anyway).
    if user.id != actor.id:
        accounts.end_all_login_sessions(user, now)
    _log(actor, org, "revoked role %s from user %s (%s)", membership.role, user.id, user.email)


# --- Task catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFields:
    code: str
    title: str
    policy_area: str
    description: str
    current_budget: Decimal | None


def _check_code(org: Organisation, code: str, task: Task | None) -> None:
    clash = db.session.scalar(select(Task.id).where(Task.organisation_id == org.id,
                                                    func.lower(Task.code) == code.lower()))
    if clash is not None and (task is None or clash != task.id):
        raise DuplicateTaskCode(_("Deze code is al in gebruik voor een andere taak."))


def create_task(org: Organisation, fields: TaskFields, *, actor: User) -> Task:
    _check_code(org, fields.code, None)
    task = Task(organisation_id=org.id, code=fields.code, title=fields.title,
                policy_area=fields.policy_area, description=fields.description,
                current_budget=fields.current_budget, active=True)
    db.session.add(task)
    db.session.flush()
    _log(actor, org, "created task %s (%s)", task.id, task.code)
    return task


def update_task(task: Task, fields: TaskFields, *, actor: User) -> Task:
    org = db.session.get(Organisation, task.organisation_id)
    _check_code(org, fields.code, task)
    task.code, task.title = fields.code, fields.title
    task.policy_area, task.description = fields.policy_area, fields.description
    task.current_budget = fields.current_budget
    db.session.flush()
    _log(actor, org, "updated task %s (%s)", task.id, task.code)
    return task


def set_task_active(task: Task, active: bool, *, actor: User) -> Task:
    """Tasks are deactivated, not deleted: cases may refer to them."""
    task.active = active
    db.session.flush()
    org = db.session.get(Organisation, task.organisation_id)
    _log(actor, org, "%s task %s (%s)", "activated" if active else "deactivated", task.id,
         task.code)
    return task


# --- Branding ------------------------------------------------------------------------------


def is_hex_colour(value: str | None) -> bool:
    return bool(value) and bool(_HEX_COLOUR.fullmatch(value))


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #rrggbb colour."""
    if not _HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    """Contrast ratio of white text on `colour` (1 to 21)."""
    return (1.0 + 0.05) / (relative_luminance(colour) + 0.05)


@dataclass(frozen=True)
class BrandingFields:
    name: str
    email: str
    phone: str
    address: str
    website: str
    primary_color: str
    inhabitants: int | None
    electorate: int | None
    postcode_areas: str = ""


def update_branding(org: Organisation, fields: BrandingFields, *, actor: User) -> None:
    colour = fields.primary_color.lower()
    if contrast_with_white(colour) < MIN_CONTRAST:
        raise ValueError("primary colour has too little contrast with white text")
    org.name, org.email, org.phone = fields.name, fields.email, fields.phone
    org.address, org.website, org.primary_color = fields.address, fields.website, colour
    org.inhabitants, org.electorate = fields.inhabitants, fields.electorate
    org.postcode_areas = fields.postcode_areas
    db.session.flush()
    _log(actor, org, "updated name, contact details, colour %s, inhabitants %s, electorate %s, "
         "postcode areas %s", colour, fields.inhabitants, fields.electorate,
         fields.postcode_areas or "none")


# --- Logo ----------------------------------------------------------------------------------
# The file lives under UPLOAD_DIR/logos/<random>.<png|jpg>. Organisation.logo_path holds the
# public address, "/<org>/logo?v=<file name>": the layout uses it as the image source, and
# the changing query lets browsers cache the logo for a long time.


def _logo_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "logos"


def _logo_token(org: Organisation) -> str | None:
    if not org.logo_path or "?v=" not in org.logo_path:
        return None
    token = org.logo_path.rsplit("?v=", 1)[1]
    return token if _LOGO_TOKEN.fullmatch(token) else None


def logo_file(org: Organisation) -> tuple[Path, str] | None:
    """The stored logo of `org` and its media type, or None."""
    token = _logo_token(org)
    if token is None:
        return None
    path = _logo_dir() / token
    if not path.is_file():
        return None
    return path, LOGO_TYPES[token.rsplit(".", 1)[1]][1]


def logo_kind(data: bytes) -> str | None:
    """"png" or "jpg" judged by the file's first bytes (never by its name), else None."""
    for kind, (magic, _media_type) in LOGO_TYPES.items():
        if data.startswith(magic):
            return kind
    return None


def store_logo(org: Organisation, data: bytes, *, actor: User) -> str:
    if not data:
        raise InvalidLogo(_("Kies een bestand met het logo."))
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidLogo(_("Het logo is te groot. Het mag maximaal 1 MB zijn."))
    if logo_kind(data) is None:
        raise InvalidLogo(_("Dit bestand is geen PNG- of JPEG-afbeelding. Kies een logo in "
                            "PNG- of JPEG-formaat."))
    try:
        data, kind = images.reencode(data)
    except images.ImageRefused as exc:
        if exc.reason == "too_large":
            raise InvalidLogo(_("Dit logo heeft te veel beeldpunten. Het mag hoogstens 2000 "
                                "bij 2000 beeldpunten zijn.")) from exc
        raise InvalidLogo(_("Dit bestand is beschadigd of geen echte PNG- of JPEG-afbeelding. "
                            "Sla het logo opnieuw op en probeer het nog eens.")) from exc
    folder = _logo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    token = f"{secrets.token_hex(16)}.{kind}"
    (folder / token).write_bytes(data)
    old = logo_file(org)
    org.logo_path = f"/{org.slug}/logo?v={token}"
    db.session.flush()
    if old is not None:
        old[0].unlink(missing_ok=True)
    _log(actor, org, "uploaded a new logo (%s, %d bytes)", kind, len(data))
    return org.logo_path


def remove_logo(org: Organisation, *, actor: User) -> None:
    old = logo_file(org)
    org.logo_path = None
    db.session.flush()
    if old is not None:
        old[0].unlink(missing_ok=True)
    _log(actor, org, "removed the logo")


# --- Procedures ----------------------------------------------------------------------------


def add_procedure_version(org: Organisation, request_type: str, source: str, *, actor: User,
                          note: str = "") -> WorkflowVersion:
    """Store a new version; raises domain.workflow.DefinitionError listing every problem.
    New cases follow it; running cases keep the version they started with."""
    version = organisations.add_workflow_version(org, request_type, source, actor=actor,
                                                 note=note.strip())
    _log(actor, org, "stored %s procedure version %s (%s)", request_type, version.version,
         note.strip() or "no note")
    return version


def add_preset_version(org: Organisation, request_type: str, *, actor: User,
                       note: str) -> WorkflowVersion:
    source = wf.preset_path(request_type).read_text(encoding="utf-8")
    return add_procedure_version(org, request_type, source, actor=actor, note=note)
