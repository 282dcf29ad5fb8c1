"""Organisations (tenants) and their procedure versions."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from participation.domain import grounds
from participation.domain import organisations as rules
from participation.domain import workflow as wf
from participation.domain.errors import Refusal
from participation.domain.problems import english
from participation.extensions import db
from participation.models import Organisation, User, WorkflowVersion
from participation.models.organisations import RESERVED_SLUGS, TIERS


def create_organisation(*, slug: str, name: str, tier: str, tooi_code: str, **fields) -> Organisation:
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    if slug in RESERVED_SLUGS:
        raise ValueError(f"slug {slug!r} is reserved")
    org = Organisation(slug=slug, name=name, tier=tier, tooi_code=tooi_code, **fields)
    db.session.add(org)
    db.session.flush()
    for request_type in wf.PRESETS:
        add_workflow_version(org, request_type, wf.preset_path(request_type).read_text("utf-8"),
                             note="preset")
    return org


def add_workflow_version(org: Organisation, request_type: str, source: str, *,
                         actor: User | None = None, note: str = "") -> WorkflowVersion:
    """Validate and store a new version; raises workflow.DefinitionError with the messages."""
    definition = wf.load_workflow(source)
    if definition.request_type != request_type:
        raise wf.DefinitionError([wf.Problem(
            english("[workflow] this file is for request type '%(found)s', not '%(expected)s'"),
            subject=("table", "workflow"), key="request_type", found=definition.request_type,
            expected=request_type)])
    latest = db.session.scalar(select(func.max(WorkflowVersion.version)).where(
        WorkflowVersion.organisation_id == org.id, WorkflowVersion.request_type == request_type))
    version = WorkflowVersion(organisation_id=org.id, request_type=request_type,
                              version=(latest or 0) + 1, source=source,
                              created_by_id=actor.id if actor else None, note=note)
    db.session.add(version)
    db.session.flush()
    return version


def current_workflow_version(org_id: int, request_type: str) -> WorkflowVersion | None:
    return db.session.scalar(
        select(WorkflowVersion)
        .where(WorkflowVersion.organisation_id == org_id, WorkflowVersion.request_type == request_type)
        .order_by(WorkflowVersion.version.desc()).limit(1))


# --------------------------------------------------------------------------- managed in the app

class OrganisationRefused(Refusal):
    """The record cannot be saved; `errors` maps field name -> message for the person."""


# What the installation administrator edits; slug and tier are fixed once the organisation
# exists (published decisions link to the slug; the tier decides the law that applies).
EDITABLE = ("name", "tooi_code", "area", "deciding_bodies", "email", "phone", "address",
            "website", "inhabitants", "electorate")


def organisation_problems(values: Mapping[str, Any], *,
                          current: Organisation | None = None) -> dict[str, str]:
    """Every field that is wrong, with a message in the interface language."""
    errors: dict[str, str] = {}
    tier = current.tier if current else values.get("tier", "")
    if current is None:
        slug = values.get("slug", "")
        problem = rules.slug_problem(slug, RESERVED_SLUGS)
        if problem == "length":
            errors["slug"] = _("Gebruik %(min)s tot %(max)s tekens.", min=rules.SLUG_LENGTH[0],
                               max=rules.SLUG_LENGTH[1])
        elif problem == "characters":
            errors["slug"] = _("Gebruik alleen kleine letters, cijfers en streepjes, "
                               "bijvoorbeeld gemeente-zonnedal.")
        elif problem == "reserved":
            errors["slug"] = _("Dit deel van het webadres is voor het platform zelf. Kies een "
                               "ander.")
        elif db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
            errors["slug"] = _("Er is al een organisatie met dit webadres.")
        if tier not in TIERS:
            errors["tier"] = _("Kies gemeente, provincie of waterschap.")
    if not str(values.get("name", "")).strip():
        errors["name"] = _("Vul de naam in.")
    if tier in TIERS and not rules.tooi_code_fits(tier, values.get("tooi_code", "")):
        errors["tooi_code"] = _("Vul de TOOI-code in; voor een %(tier)s is die bijvoorbeeld "
                                "%(example)s.", example=rules.TOOI_EXAMPLE[tier],
                                tier=grounds.label(grounds.TIERS, tier,
                                                   str(get_locale())).lower())
    chosen = [c for c in str(values.get("deciding_bodies", "")).split(",") if c]
    allowed = {body.code for body in rules.bodies_of_tier(tier)} if tier in TIERS else set()
    if tier in TIERS and (not chosen or set(chosen) - allowed):
        errors["deciding_bodies"] = _("Kies minstens één bestuursorgaan dat hier besluit.")
    return errors


def register_organisation(values: Mapping[str, Any], *, actor: str) -> Organisation:
    """A new organisation with the preset procedures; OrganisationRefused lists what is
    wrong. `actor` names who did it in the log (an email address or 'flask command')."""
    errors = organisation_problems(values)
    if errors:
        raise OrganisationRefused(errors=errors)
    fields = {key: values[key] for key in EDITABLE if key in values}
    org = create_organisation(slug=values["slug"], tier=values["tier"], **fields)
    _log(actor, org, "created (%s)", org.tier)
    return org


def update_organisation(org: Organisation, values: Mapping[str, Any], *, actor: str) -> None:
    errors = organisation_problems(values, current=org)
    if errors:
        raise OrganisationRefused(errors=errors)
    changed = sorted(key for key in EDITABLE if key in values and getattr(org, key) != values[key])
    for key in changed:
        setattr(org, key, values[key])
    _log(actor, org, "changed %s", ", ".join(changed) or "nothing")


def set_archived(org: Organisation, archived: bool, *, actor: str, now: datetime) -> None:
    """Archived: no new requests; running cases, the register and decisions stay."""
    org.archived_at = now if archived else None
    _log(actor, org, "archived" if archived else "taken out of the archive")


def _log(actor: str, org: Organisation, what: str, *args: object) -> None:
    current_app.logger.info("installation admin %s: organisation %s " + what, actor, org.slug,
                            *args)


def all_organisations(*, include_archived: bool) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if not include_archived:
        query = query.where(Organisation.archived_at.is_(None))
    return list(db.session.scalars(query))
