"""The second factor in the account pages: the code step of a password login, setting up
TOTP, recovery codes, switching it off; the account's activity and logging out everywhere;
and the gate that sends an admin or coordinator without a second factor to set one up."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, make_response, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from participation.auth import bp
from participation.auth.forms import (
    AppCodeForm,
    DisableSecondFactorForm,
    LoginCodeForm,
    PasswordCheckForm,
)
from participation.auth.views import (
    FORM_LIMIT,
    _form_page,
    _minutes_until,
    _start_session,
    end_session,
)
from participation.domain.second_factor import PASSWORD_LOGIN
from participation.extensions import db, limiter
from participation.htmx import redirect_303
from participation.models import LoginSession, User
from participation.models._types import utcnow
from participation.permissions import login_required
from participation.redirects import after_login, safe_target
from participation.services import accounts, second_factor
from participation.services.account_events import events_for, record_account_event

# A password checked but no code yet: this long to type the code, then start again.
PENDING_LOGIN_SECONDS = 300

# --- The code step of logging in ----------------------------------------------------------------


def start_pending_login(user: User, target: str | None) -> None:
    """The password was right and the account has a second factor: remember only who is
    half-way (a fresh session, nothing logged in), until the code is given."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session["pending_login"] = {"user": user.id, "version": user.session_version,
                                "next": safe_target(target) or "",
                                "since": int(utcnow().timestamp())}


def _pending_user() -> tuple[User, str] | None:
    pending = session.get("pending_login")
    if not isinstance(pending, dict):
        return None
    age = utcnow().timestamp() - int(pending.get("since") or 0)
    user = db.session.get(User, pending.get("user")) if 0 <= age <= PENDING_LOGIN_SECONDS else None
    if (user is None or not user.is_active or not user.has_second_factor
            or user.session_version != pending.get("version")):
        return None
    return user, pending.get("next") or ""


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit(FORM_LIMIT, methods=["POST"])
def login_code():
    if current_user.is_authenticated:
        return redirect_303(after_login(current_user, None))
    pending = _pending_user()
    if pending is None:
        session.pop("pending_login", None)
        flash(_("Vul eerst uw e-mailadres en wachtwoord in. Een inlogpoging blijft 5 minuten "
                "geldig."), "info")
        return redirect_303(url_for("auth.login"))
    user, target = pending
    form = LoginCodeForm()
    if not form.validate_on_submit():
        return _form_page("auth/login_code.html", form)
    now = utcnow()
    result = second_factor.check_login_code(user, form.code.data, now)
    if result.outcome is second_factor.CodeOutcome.OK:
        factor = "recovery_code" if result.recovery_code_used else "totp"
        record_account_event(user, "login", now,
                             detail={"method": PASSWORD_LOGIN, "second_factor": factor})
        _start_session(user)  # commits, and ends the half-way state
        flash(_("U bent ingelogd."), "success")
        if result.recovery_code_used:
            _flash_codes_left(result.recovery_codes_left)
        return redirect_303(after_login(user, target))
    db.session.commit()  # the failure counter is kept whatever the outcome
    if result.outcome is second_factor.CodeOutcome.LOCKED:
        session.pop("pending_login", None)
        form.code.errors.append(ngettext(
            "U heeft te vaak een verkeerde code of een verkeerd wachtwoord ingevuld. Daarom kunt "
            "u %(num)s minuut niet inloggen. Probeer het daarna opnieuw.",
            "U heeft te vaak een verkeerde code of een verkeerd wachtwoord ingevuld. Daarom kunt "
            "u %(num)s minuten niet inloggen. Probeer het daarna opnieuw.",
            _minutes_until(result.locked_until, now)))
        return _form_page("auth/login_code.html", form, locked=True)
    form.code.errors.append(_("Deze code klopt niet. Vul de code in die de app nu toont, of een "
                              "herstelcode die u nog niet heeft gebruikt."))
    return _form_page("auth/login_code.html", form)


def _flash_codes_left(left: int) -> None:
    message = ngettext("U heeft een herstelcode gebruikt. U heeft nog %(num)s herstelcode.",
                       "U heeft een herstelcode gebruikt. U heeft nog %(num)s herstelcodes.", left)
    if left <= 3:
        message += " " + _("Maak nieuwe herstelcodes op uw accountpagina.")
    flash(message, "info")


# --- Setting up, recovery codes, switching off --------------------------------------------------


def _issuer() -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or ""
    return f"Participatieplatform {host}".strip()


def _codes_page(codes: list[str], *, target: str, first: bool):
    # Shown once and never again: no copy in a cache or the browser's history.
    response = make_response(render_template("auth/recovery_codes.html", codes=codes,
                                             target=target, first=first))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tweestapsverificatie", methods=["GET", "POST"])
@login_required
@limiter.limit(FORM_LIMIT, methods=["POST"])
def second_factor_setup():
    user = current_user._get_current_object()
    if user.has_second_factor:
        return redirect_303(url_for("auth.profile"))
    target = safe_target(request.args.get("next"))
    setup = second_factor.begin_setup(user, _issuer(),
                                      _("QR-code om dit account in uw authenticator-app te zetten"))
    db.session.commit()  # the new secret waits for its first code
    form = AppCodeForm()
    if form.validate_on_submit():
        codes = second_factor.confirm_setup(user, form.code.data, utcnow())
        if codes is not None:
            db.session.commit()
            _start_session(user)  # other sessions ended; this one goes on
            return _codes_page(codes, target=after_login(user, target), first=True)
        form.code.errors.append(_("Deze code klopt niet. Vul de code in die de app nu toont, en "
                                  "controleer of de tijd op uw telefoon goed staat."))
    required = second_factor.required_for(user, PASSWORD_LOGIN)
    return _form_page("auth/second_factor_setup.html", form, setup=setup, required=required,
                      target=target)


@bp.route("/tweestapsverificatie/herstelcodes", methods=["GET", "POST"])
@login_required
@limiter.limit(FORM_LIMIT, methods=["POST"])
def renew_recovery_codes():
    user = current_user._get_current_object()
    if not user.has_second_factor:
        return redirect_303(url_for("auth.second_factor_setup"))
    form = PasswordCheckForm()
    if form.validate_on_submit():
        if accounts.verify_password(user, form.password.data):
            codes = second_factor.renew_recovery_codes(user, utcnow())
            db.session.commit()
            return _codes_page(codes, target=url_for("auth.profile"), first=False)
        form.password.errors.append(_("Dit is niet uw huidige wachtwoord."))
    return _form_page("auth/renew_recovery_codes.html", form,
                      left=second_factor.recovery_codes_left(user))


@bp.route("/tweestapsverificatie/uitschakelen", methods=["GET", "POST"])
@login_required
@limiter.limit(FORM_LIMIT, methods=["POST"])
def disable_second_factor():
    user = current_user._get_current_object()
    if not user.has_second_factor:
        return redirect_303(url_for("auth.profile"))
    form = DisableSecondFactorForm()
    required = second_factor.required_for(user, PASSWORD_LOGIN)
    if form.validate_on_submit():
        now = utcnow()
        if not accounts.verify_password(user, form.password.data):
            form.password.errors.append(_("Dit is niet uw huidige wachtwoord."))
        elif not second_factor.check_code(user, form.code.data, now):
            db.session.commit()  # a recovery code that was checked stays used
            form.code.errors.append(_("Deze code klopt niet. Vul de code in die de app nu toont, "
                                      "of een herstelcode die u nog niet heeft gebruikt."))
        else:
            second_factor.disable(user, now)
            db.session.commit()
            flash(_("Tweestapsverificatie staat uit."), "success")
            if required:
                return redirect_303(url_for("auth.second_factor_setup"))
            return redirect_303(url_for("auth.profile"))
    return _form_page("auth/disable_second_factor.html", form, required=required)


# --- Activity and logging out everywhere --------------------------------------------------------


@bp.get("/activiteit")
@login_required
def activity():
    user = current_user._get_current_object()
    events = [(event, describe_event(event)) for event in events_for(user)]
    return render_template("auth/activity.html", events=events)


@bp.post("/overal-uitloggen")
@login_required
def logout_everywhere():
    user = current_user._get_current_object()
    now = utcnow()
    record_account_event(user, "logout", now, detail={"everywhere": True})
    accounts.end_all_login_sessions(user, now)
    db.session.commit()
    end_session(record=False)
    flash(_("U bent op al uw apparaten uitgelogd."), "success")
    return redirect_303(url_for("public.home"))


# --- The gate -----------------------------------------------------------------------------------

# What an admin or coordinator without a second factor may still reach: the set-up itself,
# logging out, the language, and what pages need to show.
OPEN_WITHOUT_SECOND_FACTOR = frozenset({
    "auth.second_factor_setup", "auth.logout", "auth.logout_everywhere", "auth.login",
    "auth.login_code",
    "auth.verify", "public.set_language", "static", "healthz",
})


def _login_method() -> str:
    token = session.get("sid")
    method = db.session.scalar(select(LoginSession.method).where(
        LoginSession.token_hash == accounts.session_token_hash(token))) if token else None
    return method or PASSWORD_LOGIN


@bp.before_app_request
def second_factor_gate():
    if request.endpoint is None or request.endpoint in OPEN_WITHOUT_SECOND_FACTOR:
        return None
    if not current_user.is_authenticated or current_user.has_second_factor:
        return None
    # The roles first: they are loaded already; the login's method costs a statement.
    if not second_factor.required_for(current_user, PASSWORD_LOGIN) \
            or not second_factor.required_for(current_user, _login_method()):
        return None
    target = safe_target(request.full_path.rstrip("?")) if request.method == "GET" else None
    flash(_("Stel eerst tweestapsverificatie in. Dat is verplicht voor beheerders en "
            "coördinatoren."), "info")
    return redirect_303(url_for("auth.second_factor_setup", next=target))


# --- Words for the activity page ------------------------------------------------------------------

EVENT_LABELS = {
    "login": _l("Ingelogd"),
    "logout": _l("Uitgelogd"),
    "login_failed": _l("Inloggen mislukt"),
    "password_changed": _l("Wachtwoord gewijzigd"),
    "totp_enabled": _l("Tweestapsverificatie aangezet"),
    "totp_disabled": _l("Tweestapsverificatie uitgezet"),
    "recovery_code_used": _l("Herstelcode gebruikt"),
    "recovery_codes_renewed": _l("Nieuwe herstelcodes gemaakt"),
    "level_step_up": _l("Hoger betrouwbaarheidsniveau bereikt"),
    "identity_linked": _l("Inlogmiddel gekoppeld"),
    "identity_unlinked": _l("Inlogmiddel ontkoppeld"),
    "roles_changed_by_sso": _l("Rollen gewijzigd door uw organisatie"),
    "identity_provider_changed": _l("Koppeling met een inlogdienst ingesteld"),
}
METHOD_LABELS = {
    "password": _l("met wachtwoord"),
    "digid": _l("met DigiD"),
    "eherkenning": _l("met eHerkenning"),
    "sso": _l("via uw organisatie"),
}
REASON_LABELS = {
    "wrong_password": _l("verkeerd wachtwoord"),
    "wrong_code": _l("verkeerde code"),
}
FACTOR_LABELS = {
    "totp": _l("en code uit de app"),
    "recovery_code": _l("en een herstelcode"),
}


def describe_event(event) -> str:
    """'Ingelogd met wachtwoord en code uit de app': what the owner reads on the page."""
    detail = event.detail or {}
    words = [str(EVENT_LABELS.get(event.kind, event.kind))]
    if detail.get("method") in METHOD_LABELS:
        words.append(str(METHOD_LABELS[detail["method"]]))
    if detail.get("second_factor") in FACTOR_LABELS:
        words.append(str(FACTOR_LABELS[detail["second_factor"]]))
    if detail.get("reason") in REASON_LABELS:
        words.append(f"({REASON_LABELS[detail['reason']]})")
    if event.kind == "logout" and detail.get("everywhere"):
        words.append(_("op alle apparaten"))
    if event.kind == "recovery_code_used" and isinstance(detail.get("left"), int):
        words.append(ngettext("(nog %(num)s over)", "(nog %(num)s over)", detail["left"]))
    if detail.get("level"):
        words.append(f"({detail['level']})")
    return " ".join(words)
