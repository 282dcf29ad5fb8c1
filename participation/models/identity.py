"""Logins through a broker or an organisation's own IdP (OpenID Connect) and the identities
they prove. A BSN is never stored: an identity is kept as a keyed hash (procedures.md §5.3 I6)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.extensions import db
from participation.models._types import UTCDateTime, utcnow


class IdentityProvider(db.Model):
    """An OpenID Connect provider: a DigiD or eHerkenning broker, or an organisation's staff
    IdP. organisation_id None = the installation's own, used where an organisation has none."""

    __tablename__ = "identity_providers"
    __table_args__ = (UniqueConstraint("organisation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))          # digid | eherkenning | sso
    issuer: Mapped[str] = mapped_column(String(300))       # discovery: issuer/.well-known/...
    client_id: Mapped[str] = mapped_column(String(200))
    # Empty: taken from the environment (OIDC_CLIENT_SECRET_<KIND>[_<SLUG>]); never shown back.
    client_secret: Mapped[str] = mapped_column(String(300), default="")
    scope: Mapped[str] = mapped_column(String(300), default="openid")
    # Staff SSO: the claim holding groups and which group gives which role.
    role_claim: Mapped[str] = mapped_column(String(60), default="groups")
    role_map: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # eHerkenning: the service (dienst) a login must be authorised for, as the broker names it
    # in the `dienst` claim; empty = any service the broker lets through.
    service: Mapped[str] = mapped_column(String(200), default="", server_default="")
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")


class ExternalIdentity(db.Model):
    """An identity proved at a provider and linked to an account: for DigiD the keyed hash of
    the BSN, for eHerkenning of the KvK number and the acting person, for staff SSO of the
    issuer and subject. One identity belongs to one account."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("kind", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_key: Mapped[str] = mapped_column(String(64))
    # Public data for an organisation (KvK register); empty for a person.
    kvk: Mapped[str] = mapped_column(String(8), default="")
    vestiging: Mapped[str] = mapped_column(String(12), default="")
    level: Mapped[str] = mapped_column(String(20), default="")
    # The provider that proved it first: a login through another one does not open the
    # account (one organisation's broker cannot speak for another's residents).
    issuer: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
