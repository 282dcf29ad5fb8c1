from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class Role(StrEnum):
    OFFICIAL = "official"
    COORDINATOR = "coordinator"
    GRIFFIE = "griffie"
    ADMIN = "admin"


TIERS = ("gemeente", "provincie", "waterschap")
# Slugs share the URL space with install-wide pages, so these are refused.
RESERVED_SLUGS = {"account", "api", "static", "healthz", "lang", "toegankelijkheid", "privacy",
                  "contact", "register", "open-data", "feeds", "statistieken", "admin", "bestanden",
                  "mijn", "beheer", "monitor"}


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("tier IN ('gemeente','provincie','waterschap')", name="tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    tier: Mapped[str] = mapped_column(String(20))
    tooi_code: Mapped[str] = mapped_column(String(12))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    # Branding as NL Design System token values; validated as #rrggbb by the admin form.
    primary_color: Mapped[str] = mapped_column(String(7), default="#01689b")
    logo_path: Mapped[str | None] = mapped_column(String(300))
    inhabitants: Mapped[int | None]
    electorate: Mapped[int | None]
    # The area it serves, in words ("Zonnedal, Bergdorp en Rivierstad").
    area: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Codes of the bodies that decide here (grounds.DECIDING_BODIES), comma-separated;
    # empty means every body of its tier.
    deciding_bodies: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Its area as PC4 ranges ("9990-9999, 1011"): only residents support its initiatives.
    # Empty: no postcode rule.
    postcode_areas: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # An archived organisation takes no new requests; its register and decisions stay public.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation",
                                                         cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Membership(db.Model):
    """An official role of a user in one organisation."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821


class Task(db.Model):
    """A challengeable task in the organisation's catalogue (takenkaart)."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 index=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    policy_area: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    current_budget: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    active: Mapped[bool] = mapped_column(default=True)
