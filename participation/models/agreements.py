"""After a grant: the agreement's versions, the challenger's progress reports, the
instalments paid, both sides' evaluations and the evaluation's outcome (procedures.md §2.6).
Amounts are whole cents."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class AgreementVersion(db.Model):
    """One version of the agreement; a change is a new row, the old ones stay. The
    challenger agrees to one version (agreed_at)."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    task: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    budget_cents: Mapped[int] = mapped_column(BigInteger)
    budget_line: Mapped[str] = mapped_column(String(60), default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    evaluation_date: Mapped[date]
    # [{"key", "title", "target_date"}]: the measurable results, in order.
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"key", "amount_cents", "planned_on", "condition": [result keys]}]
    instalments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Names and roles of the contact persons: personal data, never public.
    contact_persons: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ProgressReport(db.Model):
    """The challenger's report on one result; the official accepts it or asks for more."""

    __tablename__ = "progress_reports"
    __table_args__ = (Index("ix_progress_reports_case_review", "case_id", "review"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    result_key: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    spent_cents: Mapped[int | None] = mapped_column(BigInteger)
    attachment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review: Mapped[str] = mapped_column(String(20), default="pending")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InstalmentRelease(db.Model):
    """An instalment the official released for payment; once per instalment."""

    __tablename__ = "instalment_releases"
    __table_args__ = (UniqueConstraint("case_id", "instalment_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agreement_version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_versions.id", ondelete="CASCADE"))
    instalment_key: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    released_on: Mapped[date]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Evaluation(db.Model):
    """One side's evaluation (official or applicant); filling it in again replaces it."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("case_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(20))
    results_delivered: Mapped[str] = mapped_column(String(10))
    own_cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    cost_comparison: Mapped[str] = mapped_column(Text, default="")
    quality: Mapped[str] = mapped_column(Text, default="")
    to_continue: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvaluationOutcome(db.Model):
    """The official's decision on the evaluation, with reasons; the summary is public."""

    __tablename__ = "evaluation_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    public_summary: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
