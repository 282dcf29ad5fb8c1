from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
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
