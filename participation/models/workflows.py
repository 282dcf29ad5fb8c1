from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class WorkflowVersion(db.Model):
    """One version of an organisation's procedure for a request type, stored as its TOML text.

    Versions are never edited: a change is a new version, which applies to new cases only.
    """

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("organisation_id", "request_type", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    request_type: Mapped[str] = mapped_column(String(30))
    version: Mapped[int]
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
