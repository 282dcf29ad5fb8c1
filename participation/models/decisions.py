from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class Decision(db.Model):
    """The structured decision record (procedures.md §4.3)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    deciding_body: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    partial_subtype: Mapped[str] = mapped_column(String(40), default="")
    reasons: Mapped[str] = mapped_column(Text)
    refusal_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_remedies: Mapped[str] = mapped_column(Text, default="")
    decision_number: Mapped[str] = mapped_column(String(60), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionLetter(db.Model):
    """The letter generated from a decision record: the applicant's PDF and the public version
    without personal data (Woo 5.1.2e). A correction is a new version; old ones are kept."""

    __tablename__ = "decision_letters"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"),
                                             index=True)
    version: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))
    public_attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    signed: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
