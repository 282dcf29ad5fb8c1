from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class ResponseTemplate(db.Model):
    """A standard text for a workflow step (e.g. the usual information request), used in the
    work queue's bulk actions. `transition` is a transition name; empty fits any step."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    transition: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LetterTemplate(db.Model):
    """An organisation's own text for a decision letter of one kind (an outcome, or
    "raadsbesluit") in one language; without one the preset in participation/letters is used."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
