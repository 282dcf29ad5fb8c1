"""Accounts: register, confirm the email address, log in and out, passwords, profile."""
from __future__ import annotations

import math
from datetime import datetime

from flask import current_app, flash, g, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from participation.auth import bp
from participation.auth.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from participation.extensions import db, limiter
from participation.htmx import redirect_303
from participation.models import Organisation, User
from participation.models._types import utcnow
from participation.permissions import login_required
from participation.redirects import after_login, safe_target
from participation.services import accounts, mail, second_factor
from participation.services.account_events import record_account_event

# Per client address, on POST only: enough for a person who mistypes, too slow for a script.
FORM_LIMIT = "10 per minute; 100 per hour"

# Development mail shows up in the log right after the request (MAIL_BACKEND "console").
bp.record_once(lambda state: mail.init_app(state.app))


def _start_session(user: User, method: str = "password", *, level: str = "", kvk: str = "",
                   id_token: str | None = None, provider_id: int | None = None) -> None:
    # A fresh session at login: an attacker who planted a session id gains nothing. The
    # login-session token ties the cookie to a row that logout ends.
    session.clear()
    token = accounts.open_login_session(user, utcnow(), method=method, level=level, kvk=kvk)
    db.session.commit()
    session["sid"] = token
    if id_token and provider_id:
        # For logging out at the provider too (RP-initiated logout).
        session["oidc_logout"] = {"provider": provider_id, "id_token": id_token}
    login_user(user, remember=False)
    session.permanent = False
    session["locale"] = user.locale


def end_session(*, record: bool = True) -> None:
    """Log out here: the login session ends on the server, the cookie is emptied."""
    now = utcnow()
    if record and current_user.is_authenticated and current_user.is_active:
        record_account_event(current_user._get_current_object(), "logout", now)
    accounts.end_login_session(session.get("sid"), now)
    db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


def _show_check_email(email: str, purpose: str):
    session["check_email"] = {"email": email, "purpose": purpose}
    return redirect_303(url_for("auth.check_email"))


def _form_page(template: str, form, **context):
    """The form's page: 200 when asked for, 422 when a posted form was refused."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def _email_step(template: str, act, purpose: str, form=None):
    """The forms that end in 'check your email': act(email, now) on a valid post, then that page.
    The form is an EmailOnlyForm unless given."""
    form = EmailOnlyForm() if form is None else form
    if not form.validate_on_submit():
        return _form_page(template, form)
    act(form.email.data, utcnow())
    db.session.commit()
    return _show_check_email(accounts.normalise_email(form.email.data), purpose)


# --- Registration and email confirmation ----------------------------------------------------


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def register():
    form = RegisterForm()

    def act(email, now):
        accounts.register_account(name=form.name.data, email=email, password=form.password.data,
                                  locale=session.get("locale", "nl"), now=now)

    return _email_step("auth/register.html", act, "register", form)


@bp.get("/controleer-uw-email")
def check_email():
    pending = session.get("check_email") or {}
    return render_template("auth/check_email.html", email=pending.get("email", ""),
                           purpose=pending.get("purpose", "register"),
                           resend_form=EmailOnlyForm(formdata=None, email=pending.get("email")))


@bp.get("/bevestigen/<token>")
def verify(token: str):
    user = accounts.verify_email(token, utcnow())
    if user is None:
        form = EmailOnlyForm(formdata=None, email=accounts.email_from_verification_token(token))
        return render_template("auth/verify_invalid.html", form=form), 400
    db.session.commit()
    flash(_("Uw e-mailadres is bevestigd. U kunt nu inloggen."), "success")
    if current_user.is_authenticated:
        return redirect_303(url_for("auth.profile"))
    return redirect_303(url_for("auth.login"))


@bp.route("/bevestigen-opnieuw", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def resend_verification():
    return _email_step("auth/resend_verification.html", accounts.resend_verification, "resend")


# --- Logging in and out -------------------------------------------------------------------


def _in_the_look_of(target: str | None) -> None:
    """Show the login page in the look of the organisation the visitor came from (its name,
    colours and menu), when the page to return to belongs to one."""
    slug = (target or "").lstrip("/").split("/", 1)[0].split("?", 1)[0]
    if slug and g.get("org") is None:
        org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        if org is not None:
            g.org = org


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect_303(after_login(current_user, request.args.get("next")))
        form.next.data = safe_target(request.args.get("next")) or ""
        _in_the_look_of(form.next.data)
        return render_template("auth/login.html", form=form)
    _in_the_look_of(safe_target(form.next.data))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422
    now = utcnow()
    result = accounts.authenticate(form.email.data, form.password.data, now)
    db.session.commit()  # the failure counter is kept whatever the outcome
    if result.outcome is accounts.LoginOutcome.OK:
        return _password_accepted(result.user, form.next.data, now)
    context = {"form": form, "outcome": result.outcome.value}
    if result.outcome is accounts.LoginOutcome.INVALID:
        form.form_errors.append(_("E-mailadres of wachtwoord klopt niet. Controleer wat u "
                                  "heeft ingevuld en probeer het opnieuw."))
    elif result.outcome is accounts.LoginOutcome.LOCKED:
        form.form_errors.append(ngettext(
            "U heeft te vaak een verkeerd wachtwoord ingevuld. Daarom kunt u %(num)s minuut "
            "niet inloggen. Probeer het daarna opnieuw, of stel een nieuw wachtwoord in via "
            "'Wachtwoord vergeten'.",
            "U heeft te vaak een verkeerd wachtwoord ingevuld. Daarom kunt u %(num)s minuten "
            "niet inloggen. Probeer het daarna opnieuw, of stel een nieuw wachtwoord in via "
            "'Wachtwoord vergeten'.",
            _minutes_until(result.locked_until, now)))
    else:
        context["resend_form"] = EmailOnlyForm(formdata=None, email=result.user.email)
    return render_template("auth/login.html", **context), 422


def _password_accepted(user: User, target: str | None, now: datetime):
    """With a second factor: on to the code step. Without: logged in, and an admin or
    coordinator goes to set one up first."""
    from participation.auth.second_factor import start_pending_login

    if user.has_second_factor:
        start_pending_login(user, target)
        return redirect_303(url_for("auth.login_code"))
    record_account_event(user, "login", now, detail={"method": "password"})
    _start_session(user)
    if second_factor.required_for(user, "password"):
        return redirect_303(url_for("auth.second_factor_setup", next=safe_target(target)))
    flash(_("U bent ingelogd."), "success")
    return redirect_303(after_login(user, target))


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds() / 60))


@bp.post("/uitloggen")
def logout():
    from participation.services import identity

    at_provider = session.get("oidc_logout")
    end_session()
    flash(_("U bent uitgelogd."), "success")
    home = url_for("public.home")
    # Logged in through a provider that supports it: end the session there as well.
    return redirect_303(identity.logout_url(at_provider, current_app.config["BASE_URL"] + home)
                        or home)


# --- Passwords ----------------------------------------------------------------------------


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def forgot_password():
    # Same answer whether or not the address has an account.
    return _email_step("auth/forgot_password.html", accounts.request_password_reset, "reset")


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def reset_password(token: str):
    now = utcnow()
    user = accounts.user_from_reset_token(token, now)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm(email=user.email)
    if not form.validate_on_submit():
        return _form_page("auth/reset_password.html", form, token=token)
    accounts.reset_password(user, form.password.data, now)
    db.session.commit()
    flash(_("Uw nieuwe wachtwoord is ingesteld. U kunt nu inloggen."), "success")
    return redirect_303(url_for("auth.login"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
@login_required
@limiter.limit(FORM_LIMIT, methods=["POST"])
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(email=user.email)
    if form.validate_on_submit():
        if accounts.verify_password(user, form.current_password.data):
            accounts.set_password(user, form.password.data, utcnow())
            db.session.commit()
            # The new session version ends other sessions; this one continues under it.
            _start_session(user)
            flash(_("Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd."),
                  "success")
            return redirect_303(url_for("auth.profile"))
        form.current_password.errors.append(_("Dit is niet uw huidige wachtwoord."))
    return _form_page("auth/change_password.html", form)


# --- Profile ------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        accounts.update_profile(user, name=form.name.data, locale=form.locale.data)
        db.session.commit()
        session["locale"] = user.locale
        flash(_("Uw gegevens zijn opgeslagen."), "success")
        return redirect_303(url_for("auth.profile"))
    codes_left = second_factor.recovery_codes_left(user) if user.has_second_factor else 0
    return _form_page("auth/profile.html", form, user=user,
                      roles=accounts.roles_by_organisation(user), codes_left=codes_left,
                      second_factor_required=second_factor.required_for(user, "password"))


# --- Privacy (AVG) ------------------------------------------------------------------------


@bp.get("/mijn-gegevens.json")
@login_required
def export_data():
    from flask import json

    from participation.services import privacy

    payload = privacy.export_user_data(current_user._get_current_object())
    response = current_app.response_class(
        json.dumps(payload, ensure_ascii=False, indent=2, default=str),
        mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/mijn-gegevens.zip")
@login_required
def export_archive():
    from flask import send_file

    from participation.services import privacy

    archive = privacy.export_archive(current_user._get_current_object())
    response = send_file(archive, mimetype="application/zip", as_attachment=True,
                         download_name="mijn-gegevens.zip", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/verwijderen", methods=["GET", "POST"])
@login_required
@limiter.limit(FORM_LIMIT, methods=["POST"])
def delete_account():
    from participation.auth.forms import DeleteAccountForm
    from participation.services import privacy

    user = current_user._get_current_object()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if accounts.verify_password(user, form.password.data):
            privacy.delete_account(user, now=utcnow())
            db.session.commit()
            end_session()
            flash(_("Uw account is verwijderd. Ingediende verzoeken en besluiten blijven bewaard "
                    "zonder uw naam en contactgegevens."), "success")
            return redirect_303(url_for("public.home"))
        form.password.errors.append(_("Dit is niet uw huidige wachtwoord."))
    return _form_page("auth/delete_account.html", form)
