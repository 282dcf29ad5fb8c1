"""Logging in through OpenID Connect: DigiD and eHerkenning brokers and an organisation's staff
IdP (procedures.md §5.3). Authlib does the protocol (discovery, PKCE, state, nonce, the ID
token's signature and claims, JWKS rotation); this module decides what a proved identity means
here: which account, which level, which roles."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import current_app, session
from requests.exceptions import RequestException
from sqlalchemy import select

from participation.domain import assurance
from participation.domain.assurance import Reached, Requirement
from participation.extensions import db
from participation.models import (
    ExternalIdentity,
    IdentityProvider,
    LoginSession,
    Organisation,
    User,
)
from participation.services import accounts
from participation.services.account_events import record_account_event

KINDS = ("digid", "eherkenning", "sso")
# What each kind of provider is asked for: the broker's claims, or a staff member's profile.
SCOPES = {"digid": "openid bsn", "eherkenning": "openid eherkenning",
          "sso": "openid profile email groups"}
KIND_LABELS = {"digid": "DigiD", "eherkenning": "eHerkenning", "sso": "SSO"}
_KVK = re.compile(r"[0-9]{8}")

oauth = OAuth()


class LoginRefused(Exception):
    """The provider answered, but what it proved cannot be used; `reason` is a code the page
    turns into a sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Proof:
    """What one login at a provider proved, without the BSN itself."""
    kind: str
    provider_id: int
    subject_key: str
    issuer: str = ""
    level: str = ""
    kvk: str = ""
    vestiging: str = ""
    name: str = ""
    email: str = ""
    email_verified: bool = False
    groups: list[str] = field(default_factory=list)

    def as_session(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in
                ("kind", "provider_id", "subject_key", "issuer", "level", "kvk", "vestiging", "name",
                 "email", "email_verified", "groups")}


# --- Providers ---------------------------------------------------------------------------------


def providers_for(organisation_id: int | None) -> dict[str, IdentityProvider]:
    """Per kind, the organisation's own enabled provider, else the installation's (one
    statement)."""
    rows = db.session.scalars(
        select(IdentityProvider).where(
            IdentityProvider.enabled.is_(True),
            (IdentityProvider.organisation_id == organisation_id)
            | IdentityProvider.organisation_id.is_(None))
        .order_by(IdentityProvider.organisation_id.is_(None), IdentityProvider.id)).all()
    chosen: dict[str, IdentityProvider] = {}
    for provider in rows:  # the organisation's own come first
        chosen.setdefault(provider.kind, provider)
    return chosen


def provider_for(organisation_id: int | None, kind: str) -> IdentityProvider | None:
    """The organisation's own enabled provider of this kind, else the installation's."""
    return providers_for(organisation_id).get(kind)


def providers_of(organisation_id: int | None) -> list[IdentityProvider]:
    """An organisation's own providers (None: the installation's)."""
    where = (IdentityProvider.organisation_id.is_(None) if organisation_id is None
             else IdentityProvider.organisation_id == organisation_id)
    return list(db.session.scalars(select(IdentityProvider).where(where)
                                   .order_by(IdentityProvider.kind)))


@dataclass(frozen=True)
class ProviderFields:
    issuer: str
    client_id: str
    client_secret: str       # empty: keep the stored one (or read the environment)
    scope: str
    enabled: bool
    role_claim: str
    role_map: dict[str, list[str]]
    service: str = ""


def save_provider(organisation: Organisation | None, kind: str, fields: ProviderFields, *,
                  actor: User, now: datetime) -> IdentityProvider:
    organisation_id = organisation.id if organisation else None
    provider = next((p for p in providers_of(organisation_id) if p.kind == kind), None)
    if provider is None:
        provider = IdentityProvider(organisation_id=organisation_id, kind=kind)
        db.session.add(provider)
    provider.issuer, provider.client_id = fields.issuer.rstrip("/"), fields.client_id
    if fields.client_secret:
        provider.client_secret = fields.client_secret
    provider.scope, provider.enabled = fields.scope, fields.enabled
    provider.role_claim, provider.role_map = fields.role_claim, fields.role_map
    provider.service = fields.service
    provider.updated_at = now  # a new Authlib client in every process
    record_account_event(actor, "identity_provider_changed", now, detail={
        "organisation": organisation.slug if organisation else "", "method": kind,
        "enabled": fields.enabled})
    return provider


def secret_variable(kind: str, slug: str | None) -> str:
    name = f"OIDC_CLIENT_SECRET_{kind.upper()}"
    return name + ("_" + slug.upper().replace("-", "_") if slug else "")


def callback_url() -> str:
    """The redirect URI to register at the broker or IdP."""
    from flask import url_for

    return current_app.config["BASE_URL"] + url_for("identity.callback")


def client_secret(provider: IdentityProvider) -> str:
    """The secret from the admin screen, else from the environment:
    OIDC_CLIENT_SECRET_<KIND>_<SLUG> for an organisation, OIDC_CLIENT_SECRET_<KIND> for the
    installation."""
    if provider.client_secret:
        return provider.client_secret
    slug = provider.organisation.slug if provider.organisation is not None else None
    return os.environ.get(secret_variable(provider.kind, slug), "")


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def client_for(provider: IdentityProvider):
    """Authlib's client for this provider. A changed configuration gets a new name, so no
    process keeps using an old client id or issuer; the discovery document and the JWKS are
    cached per client (a token signed with a new key makes Authlib fetch the JWKS again)."""
    settings = "|".join((provider.issuer, provider.client_id, client_secret(provider),
                         provider.scope, provider.updated_at.isoformat()))
    name = f"idp{provider.id}_{hashlib.sha256(settings.encode()).hexdigest()[:16]}"
    client = oauth.create_client(name)
    if client is None:
        client = oauth.register(
            name, client_id=provider.client_id, client_secret=client_secret(provider),
            server_metadata_url=discovery_url(provider.issuer),
            client_kwargs={"scope": provider.scope or SCOPES[provider.kind],
                           "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "client_secret_post",
                           "timeout": 10})
    return client


# --- What a login proved -----------------------------------------------------------------------


def hash_key() -> bytes:
    return current_app.config["IDENTITY_HASH_KEY"].encode()


def proof_from_claims(provider: IdentityProvider, claims: dict[str, Any]) -> Proof:
    """Read the ID token's claims as this kind of provider gives them. The BSN is turned into
    its keyed hash here and goes no further."""
    sub = str(claims.get("sub") or "")
    if not sub:
        raise LoginRefused("claims")
    if provider.kind == "digid":
        bsn = str(claims.get("bsn") or "")
        level = assurance.level_from_acr(assurance.DIGID, claims.get("acr"))
        if not assurance.valid_bsn(bsn):
            raise LoginRefused("claims")
        if level is None:
            raise LoginRefused("level")
        return Proof("digid", provider.id, assurance.person_key(hash_key(), "digid", bsn),
                     provider.issuer, level=level)
    if provider.kind == "eherkenning":
        kvk = str(claims.get("kvk") or "")
        level = assurance.level_from_acr(assurance.EHERKENNING, claims.get("acr"))
        if not _KVK.fullmatch(kvk):
            raise LoginRefused("claims")
        if level is None:
            raise LoginRefused("level")
        if provider.service and str(claims.get("dienst") or "") != provider.service:
            raise LoginRefused("service")  # authorised for another service of the company
        return Proof("eherkenning", provider.id,
                     assurance.person_key(hash_key(), "eherkenning", f"{kvk}:{sub}"),
                     provider.issuer, level=level, kvk=kvk, vestiging=str(claims.get("vestiging") or "")[:12],
                     name=str(claims.get("name") or "")[:120])
    groups = claims.get(provider.role_claim or "groups") or []
    if isinstance(groups, str):
        groups = [groups]
    return Proof("sso", provider.id,
                 assurance.person_key(hash_key(), "sso", f"{provider.issuer}|{sub}"),
                 provider.issuer, name=str(claims.get("name") or "")[:120],
                 email=str(claims.get("email") or "")[:254],
                 email_verified=claims.get("email_verified") is True,
                 groups=[str(group) for group in groups if isinstance(group, (str, int))])


# --- Accounts --------------------------------------------------------------------------------


def _identity(proof: Proof) -> ExternalIdentity | None:
    return db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.kind == proof.kind, ExternalIdentity.subject_key == proof.subject_key))


def event_detail(proof: Proof) -> dict[str, Any]:
    detail: dict[str, Any] = {"method": proof.kind}
    if proof.level:
        detail["level"] = proof.level
    if proof.kvk:
        detail["kvk"] = proof.kvk
    return detail


def _link(user: User, proof: Proof, now: datetime) -> ExternalIdentity:
    identity = ExternalIdentity(user_id=user.id, kind=proof.kind, subject_key=proof.subject_key,
                                kvk=proof.kvk, vestiging=proof.vestiging, level=proof.level,
                                issuer=proof.issuer, created_at=now, last_login_at=now)
    db.session.add(identity)
    record_account_event(user, "identity_linked", now, detail=event_detail(proof))
    return identity


def account_for(proof: Proof, *, current: User | None, now: datetime) -> User | None:
    """The account this login belongs to, linking the identity where that is safe:
    - logged in already (a step-up, or linking): the identity joins this account, unless it
      belongs to another one (LoginRefused "taken");
    - known identity: its account;
    - staff SSO: the account with the IdP's verified email address, or a new one;
    - a person or organisation seen for the first time: None, the caller asks for a name and
      an email address (create_account)."""
    identity = _identity(proof)
    if current is not None:
        if identity is not None and identity.user_id != current.id:
            raise LoginRefused("taken")
        if identity is None:
            if proof.kind == "digid" and any(i.kind == "digid" for i in identities_of(current)):
                raise LoginRefused("second")  # one person per account
            identity = _link(current, proof, now)
        user = current
    elif identity is not None:
        if identity.issuer != proof.issuer:
            raise LoginRefused("other_provider")
        user = db.session.get(User, identity.user_id)
        if user is None or not user.is_active:
            raise LoginRefused("claims")
    elif proof.kind == "sso":
        user = _staff_account(proof, now)
        identity = _link(user, proof, now)
    else:
        return None
    identity.level = proof.level
    identity.last_login_at = now
    return user


def _staff_account(proof: Proof, now: datetime) -> User:
    """The account an organisation's IdP may sign in: a new one, or an existing account of
    its own staff. Any other account with that email address (a resident's, another
    organisation's staff, an installation administrator) is not the IdP's to open."""
    if not proof.email or not proof.email_verified:
        raise LoginRefused("email")
    user = accounts.find_user_by_email(proof.email)
    if user is None:
        return accounts.create_user(email=proof.email, name=proof.name or proof.email,
                                    password=None, verified_at=now)
    provider = db.session.get(IdentityProvider, proof.provider_id)
    organisations = {m.organisation_id for m in user.memberships}
    if provider.organisation_id is not None and (
            user.is_installation_admin or organisations != {provider.organisation_id}):
        raise LoginRefused("email_taken")
    return user


def create_account(proof: Proof, *, name: str, email: str, locale: str, now: datetime) -> User:
    """A person (or organisation) who started with DigiD/eHerkenning: a new account, the
    identity linked, the email address still to be confirmed (mail goes there)."""
    if _identity(proof) is not None:
        raise LoginRefused("taken")
    user = accounts.create_user(email=email, name=name, password=None, locale=locale)
    _link(user, proof, now)
    accounts.send_verification(user, now)
    return user


def sync_roles(user: User, provider: IdentityProvider, proof: Proof, now: datetime) -> None:
    """Staff roles follow the IdP on every login: the roles its groups map to in the
    provider's organisation are granted, the other staff roles there taken away."""
    if provider.kind != "sso" or provider.organisation_id is None:
        return
    wanted = assurance.roles_for_groups(provider.role_map or {}, proof.groups)
    current = {m.role for m in user.memberships if m.organisation_id == provider.organisation_id}
    added, removed = wanted - current, (current & set(assurance.STAFF_ROLES)) - wanted
    if not added and not removed:
        return
    organisation = db.session.get(Organisation, provider.organisation_id)
    for role in sorted(added):
        accounts.grant_role(user, organisation, role)
    for membership in [m for m in user.memberships
                       if m.organisation_id == provider.organisation_id and m.role in removed]:
        user.memberships.remove(membership)
        db.session.delete(membership)
    record_account_event(user, "roles_changed_by_sso", now,
                         detail={"organisation": organisation.slug, "added": sorted(added),
                                 "removed": sorted(removed)})


def installation_kinds(user: User) -> list[tuple[str, str]]:
    """The DigiD and eHerkenning providers a person can link here, as (kind, organisation
    slug or ""), one per kind: the installation's, else that of one of the user's
    organisations... or of any organisation (a resident belongs to none)."""
    rows = db.session.execute(
        select(IdentityProvider.kind, Organisation.slug)
        .outerjoin(Organisation, Organisation.id == IdentityProvider.organisation_id)
        .where(IdentityProvider.enabled.is_(True), IdentityProvider.kind != "sso")
        .order_by(IdentityProvider.organisation_id.is_not(None), IdentityProvider.id)).all()
    kinds: dict[str, str] = {}
    for kind, slug in rows:
        kinds.setdefault(kind, slug or "")
    return sorted(kinds.items())


def logout_url(at_provider: dict | None, return_to: str) -> str | None:
    """Where to end the session at the provider (RP-initiated logout), when the login came
    from one that offers it; None otherwise, or when it cannot be reached now."""
    if not at_provider:
        return None
    provider = db.session.get(IdentityProvider, at_provider.get("provider"))
    if provider is None:
        return None
    client = client_for(provider)
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(post_logout_redirect_uri=return_to,
                                        id_token_hint=at_provider.get("id_token"))["url"]
    except (RequestException, RuntimeError, ValueError):
        return None  # logging out here works whatever the provider does


def unlink(user: User, identity_id: int, now: datetime) -> bool:
    identity = db.session.get(ExternalIdentity, identity_id)
    if identity is None or identity.user_id != user.id:
        return False
    record_account_event(user, "identity_unlinked", now,
                         detail={"method": identity.kind, **({"kvk": identity.kvk} if identity.kvk else {})})
    db.session.delete(identity)
    return True


def identities_of(user: User) -> list[ExternalIdentity]:
    return list(db.session.scalars(select(ExternalIdentity).where(
        ExternalIdentity.user_id == user.id).order_by(ExternalIdentity.created_at)))


# --- The level of the current login ------------------------------------------------------------


def current_login() -> LoginSession | None:
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    return db.session.scalar(select(LoginSession).where(
        LoginSession.token_hash == accounts.session_token_hash(token),
        LoginSession.ended_at.is_(None)))


def reached() -> Reached | None:
    login = current_login()
    if login is None or login.method not in (assurance.DIGID, assurance.EHERKENNING):
        return None
    return Reached(login.method, login.level, login.kvk)


def raise_level(proof: Proof, now: datetime) -> None:
    """A step-up: the current login now proves this level (and KvK number)."""
    login = current_login()
    if login is not None:
        login.method, login.level, login.kvk = proof.kind, proof.level, proof.kvk
        record_account_event(db.session.get(User, login.user_id), "level_step_up", now,
                             detail=event_detail(proof))


def signing_person(user: User) -> tuple[str, str] | None:
    """(person key, "digid:<level>") when the current login is DigiD: the signature then
    counts for the person, not the account."""
    proved = reached()
    if proved is None or proved.means != assurance.DIGID:
        return None
    key = db.session.scalar(select(ExternalIdentity.subject_key).where(
        ExternalIdentity.user_id == user.id, ExternalIdentity.kind == assurance.DIGID))
    return (key, f"digid:{proved.level}") if key else None


def required(organisation_id: int, workflow, action: str) -> Requirement:
    """The login an action needs here: the procedure's requirement, when the organisation (or
    the installation) has a provider of that kind; without one no one could meet it, and the
    procedure works with email accounts as before (the admin screen says so)."""
    requirement = workflow.requirement(action)
    if requirement.means == assurance.EMAIL or provider_for(organisation_id, requirement.means):
        return requirement
    return assurance.NO_REQUIREMENT


def unconnected_levels(organisation_id: int, workflow) -> set[str]:
    """The procedure's login labels no provider here can give yet (the admin screen says)."""
    return {workflow.requirement(action).label() for action in workflow.identity
            if required(organisation_id, workflow, action) == assurance.NO_REQUIREMENT
            and workflow.requirement(action) != assurance.NO_REQUIREMENT}


def unmet(organisation_id: int, workflow, action: str, *, kvk: str = "") -> Requirement | None:
    """The requirement the current login does not meet, or None."""
    requirement = required(organisation_id, workflow, action)
    if assurance.satisfies(reached(), requirement, kvk=kvk):
        return None
    return requirement
