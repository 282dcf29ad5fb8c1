from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class Meeting(db.Model):
    """A council or committee meeting (ORI Vergadering)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    meeting_type: Mapped[str] = mapped_column(String(40))  # ORI vergaderingstype
    title: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    location: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="gepland")
    # ORI georganiseerdDoorGremium, e.g. "Commissie Ruimte"; empty for the plenary body.
    gremium: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan")


class AgendaItem(db.Model):
    """ORI Agendapunt; the council's decision on it is stored on the item (ORI Besluit)."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"),
                                                index=True)
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(20), default="")
    result: Mapped[str] = mapped_column(String(40), default="")  # ORI besluitresultaat
    hamerstuk: Mapped[bool] = mapped_column(default=False)  # ORI indicatieHamerstuk: no vote
    decision_note: Mapped[str] = mapped_column(Text, default="")  # ORI besluittoelichting
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="SET NULL"))
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstained: Mapped[int | None]
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    votes: Mapped[list[Vote]] = relationship(cascade="all, delete-orphan", order_by="Vote.id")
    case: Mapped["Case | None"] = relationship()  # noqa: F821
    decision: Mapped["Decision | None"] = relationship()  # noqa: F821


class Vote(db.Model):
    """Result per party group (ORI StemresultaatPerFractie)."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(100))
    choice: Mapped[str] = mapped_column(String(20))  # voor | tegen | verdeeld | onthouden
    seats: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
