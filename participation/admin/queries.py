"""Read side of the admin pages: exactly what each page shows, in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from participation.extensions import db
from participation.models import Case, LetterTemplate, Membership, Task, User, WorkflowVersion
from participation.models.cases import REQUEST_TYPES
from participation.models.organisations import Role

ROLE_ORDER = (Role.ADMIN.value, Role.COORDINATOR.value, Role.OFFICIAL.value, Role.GRIFFIE.value)


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    email: str
    memberships: list[Membership]


def members(org_id: int) -> list[Member]:
    """Everyone with a role here, by name, with their roles (one query)."""
    rows = db.session.execute(
        select(Membership, User.name, User.email).join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == org_id)
        .order_by(func.lower(User.name), User.id)).all()
    grouped: dict[int, Member] = {}
    for membership, name, email in rows:
        member = grouped.setdefault(membership.user_id,
                                    Member(membership.user_id, name, email, []))
        member.memberships.append(membership)
    for member in grouped.values():
        member.memberships.sort(key=lambda m: ROLE_ORDER.index(m.role)
                                if m.role in ROLE_ORDER else len(ROLE_ORDER))
    return list(grouped.values())


def membership_or_404(org_id: int, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != org_id:
        abort(404)
    return membership


def tasks(org_id: int) -> list[Task]:
    return list(db.session.scalars(
        select(Task).where(Task.organisation_id == org_id)
        .order_by(Task.active.desc(), func.lower(Task.code))))


def task_or_404(org_id: int, task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or task.organisation_id != org_id:
        abort(404)
    return task


@dataclass(frozen=True)
class VersionRow:
    id: int
    request_type: str
    version: int
    created_at: datetime
    note: str
    author: str | None
    case_count: int
    is_current: bool


def procedure_versions(org_id: int) -> dict[str, list[VersionRow]]:
    """Every stored version per request type, newest first, with the number of cases that
    follow each one (one GROUP BY query). The newest version is the current one."""
    author = aliased(User)
    rows = db.session.execute(
        select(WorkflowVersion.id, WorkflowVersion.request_type, WorkflowVersion.version,
               WorkflowVersion.created_at, WorkflowVersion.note, author.name,
               func.count(Case.id))
        .outerjoin(author, author.id == WorkflowVersion.created_by_id)
        .outerjoin(Case, Case.workflow_version_id == WorkflowVersion.id)
        .where(WorkflowVersion.organisation_id == org_id)
        .group_by(WorkflowVersion.id, WorkflowVersion.request_type, WorkflowVersion.version,
                  WorkflowVersion.created_at, WorkflowVersion.note, author.name)
        .order_by(WorkflowVersion.request_type, WorkflowVersion.version.desc())).all()
    result: dict[str, list[VersionRow]] = {rt: [] for rt in REQUEST_TYPES}
    for vid, rtype, number, created, note, name, count in rows:
        versions = result.setdefault(rtype, [])
        versions.append(VersionRow(vid, rtype, number, created, note, name, count,
                                   is_current=not versions))
    return result


def version_or_404(org_id: int, request_type: str, number: int) -> WorkflowVersion:
    version = db.session.scalar(select(WorkflowVersion).where(
        WorkflowVersion.organisation_id == org_id, WorkflowVersion.request_type == request_type,
        WorkflowVersion.version == number))
    if version is None:
        abort(404)
    return version


def latest_version_number(org_id: int, request_type: str) -> int:
    return db.session.scalar(select(func.max(WorkflowVersion.version)).where(
        WorkflowVersion.organisation_id == org_id,
        WorkflowVersion.request_type == request_type)) or 0


def author_name(version: WorkflowVersion) -> str | None:
    if version.created_by_id is None:
        return None
    return db.session.scalar(select(User.name).where(User.id == version.created_by_id))


def letter_templates(org_id: int) -> list[LetterTemplate]:
    return list(db.session.scalars(select(LetterTemplate).where(
        LetterTemplate.organisation_id == org_id)))
