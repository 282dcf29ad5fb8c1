from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class LogEntry(db.Model):
    """A leaf of the installation's transparency log (RFC 9162): one public audit event, in
    the words the public saw. The data is kept here, so the leaf survives its case."""

    __tablename__ = "log_entries"

    leaf_index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    audit_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_events.id", ondelete="SET NULL"), unique=True)
    case_id: Mapped[int | None] = mapped_column(index=True)
    data: Mapped[str] = mapped_column(Text)  # canonical JSON, the bytes that are hashed
    leaf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LogCheckpoint(db.Model):
    """A signed statement of the log's size and root hash at a moment (Ed25519)."""

    __tablename__ = "log_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int]
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[str] = mapped_column(String(40))
    signature: Mapped[str] = mapped_column(String(120))  # base64
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LogState(db.Model):
    """One row: its lock makes writers of the log take turns (leaf numbers have no gaps)."""

    __tablename__ = "log_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(default=0)
