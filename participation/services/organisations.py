"""Organisations (tenants) and their procedure versions."""
from __future__ import annotations

from sqlalchemy import func, select

from participation.domain import workflow as wf
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
