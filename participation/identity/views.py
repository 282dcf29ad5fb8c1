"""Logging in with DigiD, eHerkenning or an organisation's own IdP (OpenID Connect), linking
such an identity to an account, and going on with a form after a step-up."""
from __future__ import annotations

from authlib.integrations.base_client.errors import OAuthError
from flask import abort, current_app, flash, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError
from requests.exceptions import RequestException
from sqlalchemy import select

from participation.auth.views import _start_session as start_session
from participation.domain import assurance
from participation.extensions import db, limiter
from participation.htmx import redirect_303
from participation.identity import bp
from participation.identity.forms import NewAccountForm, UnlinkForm
from participation.identity.guard import KEPT_FORM
from participation.models import IdentityProvider, Organisation
from participation.models._types import utcnow
from participation.permissions import login_required
from participation.redirects import after_login, safe_target
from participation.services import accounts
from participation.services import identity as service
from participation.services.account_events import record_account_event

PENDING = "oidc_pending"     # which provider, where to return, the page to try again from
NEW_PERSON = "oidc_new"      # what a first login proved, waiting for a name and email address
FORM_LIMIT = "10 per minute; 100 per hour"


def _organisation(slug: str | None) -> Organisation | None:
    if not slug:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def _refused(reason: str, status: int = 400):
    pending = session.pop(PENDING, None) or {}
    return render_template("identity/refused.html", reason=reason,
                           retry=pending.get("retry"), kind=pending.get("kind")), status


@bp.get("/inloggen/<kind>")
@limiter.limit(FORM_LIMIT)
def start(kind: str):
    """To the provider's login page. Logged in already: the identity is linked to this account
    and the login's level raised (a step-up)."""
    if kind not in service.KINDS:
        abort(404)
    org = _organisation(request.args.get("org"))
    provider = service.provider_for(org.id if org else None, kind)
    if provider is None:
        abort(404)
    target = safe_target(request.args.get("next")) or ""
    session[PENDING] = {"provider": provider.id, "kind": kind, "next": target,
                        "retry": request.full_path.rstrip("?")}
    # Brokers name the level used in `acr` when asked with the levels that would do.
    extra = {}
    if kind != "sso":
        extra["acr_values"] = assurance.acr_values(kind, request.args.get("niveau", ""))
    try:
        return service.client_for(provider).authorize_redirect(service.callback_url(), **extra)
    except (RequestException, OAuthError, ValueError, KeyError):
        # The discovery document could not be read: the provider is down or misconfigured.
        return _refused("unavailable", 503)


@bp.get("/inloggen/terug")
@limiter.limit(FORM_LIMIT)
def callback():
    pending = session.get(PENDING)
    provider = db.session.get(IdentityProvider, pending["provider"]) if pending else None
    if provider is None or not provider.enabled:
        return _refused("state")
    if request.args.get("error"):
        return _refused("cancelled")
    client = service.client_for(provider)
    try:
        token = client.authorize_access_token(leeway=current_app.config["OIDC_CLOCK_LEEWAY"])
        issuer = client.load_server_metadata().get("issuer")
    except OAuthError as exc:
        return _refused("state" if exc.error == "mismatching_state" else "token")
    except JoseError:
        return _refused("token")
    except RequestException:
        return _refused("unavailable", 503)
    # RFC 9207: a response that names another issuer is not this provider's (mix-up attack).
    if "userinfo" not in token or request.args.get("iss", issuer) != issuer:
        return _refused("token")
    return _signed_in(provider, token)


def _signed_in(provider: IdentityProvider, token: dict):
    now = utcnow()
    pending = session.pop(PENDING, {})
    try:
        proof = service.proof_from_claims(provider, dict(token["userinfo"]))
        current = current_user._get_current_object() if current_user.is_authenticated else None
        user = service.account_for(proof, current=current, now=now)
    except service.LoginRefused as exc:
        db.session.rollback()
        session[PENDING] = pending  # the refusal page offers to try again
        return _refused(exc.reason, 403 if exc.reason == "taken" else 400)
    if user is None:
        session[NEW_PERSON] = {**proof.as_session(), "next": pending.get("next", "")}
        return redirect_303(url_for("identity.new_account"))
    service.sync_roles(user, provider, proof, now)
    if current is not None:
        service.raise_level(proof, now)
        db.session.commit()
        flash(_("U bent ingelogd met %(means)s.", means=service.KIND_LABELS[proof.kind]), "success")
        return _go_on(user, pending.get("next"))
    record_account_event(user, "login", now, detail=service.event_detail(proof))
    start_session(user, method=proof.kind, level=proof.level, kvk=proof.kvk,
                  id_token=token.get("id_token"), provider_id=provider.id)
    flash(_("U bent ingelogd met %(means)s.", means=service.KIND_LABELS[proof.kind]), "success")
    return _go_on(user, pending.get("next"))


def _go_on(user, target: str | None):
    kept = session.get(KEPT_FORM)
    if kept and kept.get("path") == safe_target(target):
        return redirect_303(url_for("identity.resume"))
    return redirect_303(after_login(user, target))


@bp.route("/inloggen/nieuw-account", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def new_account():
    """Someone who logged in with DigiD or eHerkenning for the first time: a name and an
    email address make the account (we write to that address)."""
    pending = session.get(NEW_PERSON)
    if not pending:
        return _refused("state")  # no first login under way (or it was finished already)
    proof = service.Proof(**{key: value for key, value in pending.items() if key != "next"})
    form = NewAccountForm(name=proof.name or None)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("identity/new_account.html", form=form, proof=proof,
                               means=service.KIND_LABELS[proof.kind]), status
    now = utcnow()
    if accounts.find_user_by_email(form.email.data) is not None:
        form.email.errors.append(_("Er is al een account met dit e-mailadres. Log daarmee in "
                                   "en koppel daarna uw %(means)s onder 'Mijn account'.",
                                   means=service.KIND_LABELS[proof.kind]))
        return render_template("identity/new_account.html", form=form, proof=proof,
                               means=service.KIND_LABELS[proof.kind]), 422
    try:
        user = service.create_account(proof, name=form.name.data, email=form.email.data,
                                      locale=session.get("locale", "nl"), now=now)
    except service.LoginRefused:
        db.session.rollback()
        session.pop(NEW_PERSON, None)
        return _refused("taken", 403)
    record_account_event(user, "login", now, detail=service.event_detail(proof))
    session.pop(NEW_PERSON, None)
    start_session(user, method=proof.kind, level=proof.level, kvk=proof.kvk)
    flash(_("Uw account is aangemaakt. Wij hebben u een e-mail gestuurd om uw e-mailadres te "
            "bevestigen."), "success")
    return _go_on(user, pending.get("next"))


@bp.get("/verder")
@login_required
def resume():
    """After a step-up: the form the level was missing for, filled in as it was, to send."""
    kept = session.pop(KEPT_FORM, None)
    if not kept:
        return redirect_303(after_login(current_user, None))
    return render_template("identity/resume.html", action=kept["path"], fields=kept["fields"])


@bp.get("/inloggen-met")
@login_required
def linked():
    """The identities linked to this account, and linking another."""
    user = current_user._get_current_object()
    return render_template("identity/linked.html", identities=service.identities_of(user),
                           providers=service.installation_kinds(user), form=UnlinkForm(),
                           labels=service.KIND_LABELS)


@bp.post("/inloggen-met/<int:identity_id>/ontkoppelen")
@login_required
@limiter.limit(FORM_LIMIT)
def unlink(identity_id: int):
    form = UnlinkForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit() or not service.unlink(user, identity_id, utcnow()):
        abort(404)
    db.session.commit()
    flash(_("De koppeling is verwijderd."), "success")
    return redirect_303(url_for("identity.linked"))


@bp.app_template_global()
def login_options(next_target: str | None = None) -> list[dict]:
    """The login page's buttons for the providers of the organisation whose look it has (or
    of the installation): DigiD, eHerkenning, and staff SSO."""
    from flask import g

    org = g.get("org")
    target = safe_target(next_target)
    available = service.providers_for(org.id if org else None)
    options = []
    for kind in service.KINDS:
        if kind not in available:
            continue
        # Staff who log in from the organisation's home page land where their work is.
        home = org is not None and target in ("/", f"/{org.slug}", f"/{org.slug}/")
        options.append({"kind": kind, "label": service.KIND_LABELS[kind],
                        "url": url_for("identity.start", kind=kind, org=org.slug if org else None,
                                       next=None if kind == "sso" and home else target)})
    return options


@bp.app_template_global()
def linkable_logins(user) -> bool:
    """Whether the profile offers linking: a DigiD or eHerkenning provider exists, or the
    account has a link to remove."""
    return bool(service.installation_kinds(user) or service.identities_of(user))
