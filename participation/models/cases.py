from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow

REQUEST_TYPES = ("uitdaagrecht", "burgerinitiatief", "bewonersinitiatief")


class Case(db.Model):
    """A request of any type (uitdaagrecht, burgerinitiatief, bewonersinitiatief).

    The state only ever changes through services.cases.apply_transition; `lock_version`
    makes a stale concurrent update fail instead of overwriting.
    """

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("request_type IN ('uitdaagrecht','burgerinitiatief','bewonersinitiatief')",
                        name="request_type"),
        CheckConstraint("signature_count >= 0", name="signature_count"),
        UniqueConstraint("organisation_id", "number"),
        # The register's order, with the id: a deep page is an index-only scan (queries.paged_rows).
        Index("ix_cases_org_public_submitted", "organisation_id", "is_public", "submitted_at", "id"),
        Index("ix_cases_org_state", "organisation_id", "state"),
        Index("ix_cases_org_deadline", "organisation_id", "deadline"),
        # The work queue's order (participation/workbench/queries.py): no sort step.
        Index("ix_cases_org_queue", "organisation_id", "urgency", "deadline", "submitted_at", "id"),
        Index("ix_cases_assignee", "assignee_id"),
        Index("ix_cases_applicant", "applicant_id"),
        # Public register and statistics (participation/public/queries.py) filter and sort on these.
        Index("ix_cases_public_submitted", "is_public", "submitted_at", "id"),
        Index("ix_cases_org_type", "organisation_id", "request_type"),
        Index("ix_cases_org_outcome", "organisation_id", "outcome"),
        # The latest change per organisation / install-wide: keys the figures cache (public/queries.py).
        Index("ix_cases_org_updated", "organisation_id", "updated_at"),
        Index("ix_cases_updated", "updated_at"),
        # Dutch full-text search (participation/search.py); SQLite uses an FTS5 table instead.
        Index("ix_cases_fts", text("to_tsvector('dutch', coalesce(title, '') || ' ' || "
                                   "coalesce(summary, '') || ' ' || coalesce(number, ''))"),
              postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    number: Mapped[str | None] = mapped_column(String(30))
    request_type: Mapped[str] = mapped_column(String(30))
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_versions.id"))
    state: Mapped[str] = mapped_column(String(60))
    lock_version: Mapped[int] = mapped_column(default=1)
    # The keyed head of the audit chain (domain.audit.chain_head): removing the last events
    # of a case is noticed by `audit verify`.
    audit_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    audit_head: Mapped[str] = mapped_column(String(64), default="", server_default="")
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_area: Mapped[str] = mapped_column(String(80), default="")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    requested_budget: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    is_public: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(40), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Statutory decision clock (beslistermijn); see domain.deadlines.ClockState.
    clock_started_on: Mapped[date | None]
    clock_term_days: Mapped[int] = mapped_column(default=0)
    clock_extension_days: Mapped[int] = mapped_column(default=0)
    clock_extended_days: Mapped[int] = mapped_column(default=0)
    clock_extended_on: Mapped[date | None]
    clock_suspensions: Mapped[list[list[str | None]]] = mapped_column(JSON, default=list)
    clock_stopped_on: Mapped[date | None]
    # Stored so that the work queue can sort and filter by it with an index.
    deadline: Mapped[date | None]
    # The work queue's first sort key, stored by services.cases.store_clock:
    # 0 running clock, 1 suspended clock, 2 no running clock (not started or stopped).
    urgency: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    # Term on the current state (e.g. the supplement term), if the state has one.
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_deadline: Mapped[date | None]
    state_reminded: Mapped[bool] = mapped_column(default=False)
    overdue_notified: Mapped[bool] = mapped_column(default=False)
    signature_count: Mapped[int] = mapped_column(default=0)
    collection_deadline: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": lock_version}

    organisation: Mapped["Organisation"] = relationship(lazy="joined")  # noqa: F821
    workflow_version: Mapped["WorkflowVersion"] = relationship()  # noqa: F821
    applicant: Mapped["User | None"] = relationship(foreign_keys=[applicant_id])  # noqa: F821
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.request_type} {self.state}>"


class Signature(db.Model):
    """A statement of support. One per account per initiative, enforced by the database.
    Never shown publicly: only the count is."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),
                      UniqueConstraint("case_id", "person_key", name="uq_signatures_person_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Signed after a DigiD login: the keyed hash of the BSN (one person counts once, whatever
    # accounts they use) and how it was verified ("digid:midden"), shown to the griffie.
    person_key: Mapped[str | None] = mapped_column(String(64))
    verified_with: Mapped[str] = mapped_column(String(40), default="", server_default="")


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(String(30), default="request")
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseMessage(db.Model):
    """Correspondence between the organisation and the applicant (visible to both)."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_organisation: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(20), default="message")  # message|question|answer
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InternalNote(db.Model):
    """Officials only: never rendered on a resident's or a public page."""

    __tablename__ = "internal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(db.Model):
    """A public question on an initiative, or the organisation's answer to one."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    from_organisation: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
