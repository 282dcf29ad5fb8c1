from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Append-only, hash-chained per case. (case_id, seq) is unique, so two writers racing
    for the same case cannot both append: one of them fails and rolls back."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(20))
    transition: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str] = mapped_column(String(60))
    to_state: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text, default="")
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    public: Mapped[bool] = mapped_column(default=False)
    public_label_nl: Mapped[str] = mapped_column(String(200), default="")
    public_label_en: Mapped[str] = mapped_column(String(200), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # 1: sha256, from before the audit key; 2: HMAC with the key, public texts included.
    hash_version: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="1")

    def payload(self) -> dict[str, Any]:
        """What the hash covers. The actor id is included; deletion keeps ids (not names)."""
        payload = {
            "case_id": self.case_id, "seq": self.seq, "at": self.at.isoformat(),
            "actor_id": self.actor_id, "actor_role": self.actor_role,
            "transition": self.transition, "from": self.from_state, "to": self.to_state,
            "reason": self.reason, "inputs": self.inputs or {}, "public": self.public,
        }
        if (self.hash_version or 2) >= 2:
            payload["public_label_nl"] = self.public_label_nl or ""
            payload["public_label_en"] = self.public_label_en or ""
        return payload
