"""Every route × every role, with the status each role must get.

Roles: anonymous, a resident, the resident who owns the cases ("owner"), the four staff
roles of organisation A (where every object lives) and the same four roles in
organisation B. The rules of the house: anonymous → login; logged in without the right
role → 403; another organisation's object → 404; a resident who does not own a case → 404
(its existence is not revealed). POST rows send an empty form: the point is who gets
past the door, so an authorised role sees a validation error (422/400), a redirect (303)
or a refusal of the step (409) — never 403/404 — and the others never see more.

A route without a row fails test_every_route_has_a_row: add a row when you add a route.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.security.conftest import ROLES, STAFF, STAFF_B

LOGIN = "login"  # 302 to the login page (303 after a POST)
# The roles that must have a second factor, and so have one in the world.
WITH_SECOND_FACTOR = ("coordinator", "admin", "coordinator_b", "admin_b", "installer")
GROUPS = {
    "staff": STAFF, "staff_b": STAFF_B, "residents": ("resident", "owner"),
    "users": ROLES[1:], "a_side": ("owner", *STAFF), "others": ("resident", *STAFF_B),
}


def E(default: Any = 200, **overrides: Any) -> dict[str, Any]:
    """Expected status per role: a default, then groups, then single roles. The installation
    administrator has no role in an organisation: inside one it gets what a resident gets."""
    expected = dict.fromkeys(ROLES, default)
    for name in [n for n in overrides if n in GROUPS] + [n for n in overrides if n not in GROUPS]:
        for role in GROUPS.get(name, (name,)):
            assert role in ROLES, role
            expected[role] = overrides[name]
    if "installer" not in overrides:
        expected["installer"] = expected["resident"]
    return expected


PUBLIC = E(200)
LOGGED_IN = E(200, anonymous=LOGIN)
STAFF_ONLY = E(403, anonymous=LOGIN, staff=200)
COUNCIL_ROLES = ("griffie", "admin")
COUNCIL = E(403, anonymous=LOGIN, griffie=200, admin=200)


def only(*roles: str, status: Any = 200, others: Any = 403) -> dict[str, Any]:
    return E(others, anonymous=LOGIN, **dict.fromkeys(roles, status))


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    url: Callable[[Any], str]
    expected: dict[str, Any]
    data: dict[str, Any] | None = None


def a(path: str) -> Callable[[Any], str]:
    """A path under organisation A, with {ids} filled from the world."""
    return lambda w: f"/{w.a}" + path.format(**w.ids)


def fixed(path: str) -> Callable[[Any], str]:
    return lambda w: path.format(a=w.a, b=w.b, **w.ids)


def fresh(path: str, key: str, make: str) -> Callable[[Any], str]:
    """A path whose object is made anew for every request (the request may consume it)."""
    return lambda w: f"/{w.a}" + path.format(**{**w.ids, key: getattr(w, make)()})


ROWS: list[Row] = [
    # --- install-wide pages ---------------------------------------------------------------
    Row("healthz", "GET", fixed("/healthz"), PUBLIC),
    Row("public.home", "GET", fixed("/"), PUBLIC),
    Row("public.accessibility", "GET", fixed("/toegankelijkheid"), PUBLIC),
    Row("public.privacy", "GET", fixed("/privacy"), PUBLIC),
    Row("public.contact", "GET", fixed("/contact"), PUBLIC),
    Row("public.set_language", "GET", fixed("/lang/en"), E(303)),
    Row("public.register_all", "GET", fixed("/register"), PUBLIC),
    Row("public.stats", "GET", fixed("/statistieken"), PUBLIC),
    Row("public.stats_csv", "GET", fixed("/statistieken.csv"), PUBLIC),
    Row("public.csv_cases", "GET", fixed("/open-data/verzoeken.csv"), PUBLIC),
    Row("public.csv_cases_org", "GET", fixed("/open-data/{a}/verzoeken.csv"), PUBLIC),
    Row("public.csv_decision_list", "GET", fixed("/open-data/{a}/besluitenlijst.csv"), PUBLIC),
    Row("public.feed_decisions", "GET", fixed("/feeds/{a}/besluiten.atom"), PUBLIC),
    Row("public.feed_meetings", "GET", fixed("/feeds/{a}/vergaderingen.ics"), PUBLIC),
    Row("public.ori_meetings", "GET", fixed("/api/ori/v2/vergaderingen"), PUBLIC),
    Row("public.ori_meeting", "GET", fixed("/api/ori/v2/vergaderingen/{meeting}"), PUBLIC),
    Row("public.ori_agenda_items", "GET", fixed("/api/ori/v2/agendapunten"), PUBLIC),
    # The agenda item is not published yet: it does not exist in the open data.
    Row("public.ori_agenda_item", "GET", fixed("/api/ori/v2/agendapunten/{agenda_item}"), E(404)),
    Row("public.ori_decisions", "GET", fixed("/api/ori/v2/besluiten"), PUBLIC),
    # No decision has been published.
    Row("public.ori_decision", "GET", fixed("/api/ori/v2/besluiten/1"), E(404)),
    Row("public.ori_votes", "GET", fixed("/api/ori/v2/stemmingen"), PUBLIC),
    Row("public.ori_vote", "GET", fixed("/api/ori/v2/stemmingen/1"), E(404)),
    Row("public.ori_party_votes", "GET", fixed("/api/ori/v2/stemresultatenperfractie"), PUBLIC),
    Row("public.ori_party_vote", "GET", fixed("/api/ori/v2/stemresultatenperfractie/1"), E(404)),
    Row("public.ori_parties", "GET", fixed("/api/ori/v2/fracties"), PUBLIC),
    Row("public.ori_party", "GET", fixed("/api/ori/v2/fracties/0123456789abcdef"), E(404)),
    Row("api.organisations", "GET", fixed("/api/v1/organisaties"), PUBLIC),
    Row("api.cases", "GET", fixed("/api/v1/zaken"), PUBLIC),
    Row("api.case_detail", "GET", fixed("/api/v1/zaken/{a}/{challenge}"), PUBLIC),
    Row("api.decisions", "GET", fixed("/api/v1/besluiten"), PUBLIC),
    Row("api.openapi_document", "GET", fixed("/api/v1/openapi.json"), PUBLIC),
    Row("api.log_key", "GET", fixed("/api/v1/transparantie/sleutel"), PUBLIC),
    # The world makes no checkpoint: the log has none yet.
    Row("api.log_checkpoint", "GET", fixed("/api/v1/transparantie/checkpoint"), E(404)),
    Row("api.log_leaf", "GET", fixed("/api/v1/transparantie/bladeren/0"), E(404)),
    Row("api.log_inclusion", "GET", fixed("/api/v1/transparantie/inclusie?index=0&grootte=1"),
        E(400)),
    Row("api.log_consistency", "GET",
        fixed("/api/v1/transparantie/consistentie?van=1&tot=1"), E(400)),
    Row("api.log_case", "GET", fixed("/api/v1/transparantie/zaken/{a}/{challenge}"), PUBLIC),
    # --- the installation's organisations (installation administrators only) -------------
    Row("installation.index", "GET", fixed("/beheer/organisaties/"), only("installer")),
    Row("installation.new", "GET", fixed("/beheer/organisaties/nieuw"), only("installer")),
    Row("installation.new", "POST", fixed("/beheer/organisaties/nieuw"),
        only("installer", status=422)),
    Row("installation.edit", "GET", fixed("/beheer/organisaties/{a}"), only("installer")),
    Row("installation_logins.providers", "GET", fixed("/beheer/inloggen/"), only("installer")),
    Row("installation_logins.provider_edit", "GET", fixed("/beheer/inloggen/digid"),
        only("installer")),
    Row("installation_logins.provider_edit", "POST", fixed("/beheer/inloggen/eherkenning"),
        only("installer", status=422)),
    Row("installation.edit", "POST", fixed("/beheer/organisaties/{a}"),
        only("installer", status=422)),
    Row("installation.add_admin", "POST", fixed("/beheer/organisaties/{a}/beheerders"),
        only("installer", status=422)),
    # Taking an active organisation "out of the archive" changes nothing, whoever asks.
    Row("installation.archive", "POST", fixed("/beheer/organisaties/{b}/terugzetten"),
        only("installer", status=303)),

    # --- organisation's public pages --------------------------------------------------------
    Row("public.org_home", "GET", a("/"), PUBLIC),
    Row("public.theme_css", "GET", a("/theme.css"), PUBLIC),
    Row("branding.logo", "GET", a("/logo"), E(404)),  # no logo uploaded
    Row("public.register", "GET", a("/register"), PUBLIC),
    Row("public.case_page", "GET", a("/register/{challenge}"), PUBLIC),
    # No decision has been published, so there is no public letter.
    Row("public.public_letter", "GET", a("/register/{challenge}/besluitbrief/1"), E(404)),
    Row("public.meeting_page", "GET", a("/vergaderingen/{meeting}"), PUBLIC),
    # A draft is not in the public register for anyone.
    Row("public.stats_org", "GET", a("/statistieken"), PUBLIC),
    Row("public.stats_csv_org", "GET", a("/statistieken.csv"), PUBLIC),
    # The council's monitor: public figures, no personal data.
    Row("monitor.installation", "GET", fixed("/monitor"), PUBLIC),
    Row("monitor.installation_csv", "GET", fixed("/monitor.csv"), PUBLIC),
    Row("monitor.organisation", "GET", a("/monitor"), PUBLIC),
    Row("monitor.printable", "GET", a("/monitor/afdrukken"), PUBLIC),
    Row("monitor.organisation_csv", "GET", a("/monitor.csv"), PUBLIC),

    # --- accounts ---------------------------------------------------------------------------
    # Logged in already: sent on (303).
    Row("auth.login", "GET", fixed("/account/inloggen"), E(303, anonymous=200)),
    Row("auth.login", "POST", fixed("/account/inloggen"), E(422)),
    Row("auth.register", "GET", fixed("/account/registreren"), E(200)),
    Row("auth.register", "POST", fixed("/account/registreren"), E(422)),
    Row("auth.check_email", "GET", fixed("/account/controleer-uw-email"), E(200)),
    Row("auth.verify", "GET", fixed("/account/bevestigen/rommel"), E(400)),
    Row("auth.resend_verification", "GET", fixed("/account/bevestigen-opnieuw"), E(200)),
    Row("auth.resend_verification", "POST", fixed("/account/bevestigen-opnieuw"), E(422)),
    Row("auth.forgot_password", "GET", fixed("/account/wachtwoord-vergeten"), E(200)),
    Row("auth.forgot_password", "POST", fixed("/account/wachtwoord-vergeten"), E(422)),
    Row("auth.reset_password", "GET", fixed("/account/wachtwoord-herstellen/rommel"), E(400)),
    Row("auth.reset_password", "POST", fixed("/account/wachtwoord-herstellen/rommel"), E(400)),
    Row("auth.profile", "GET", fixed("/account/"), LOGGED_IN),
    Row("auth.profile", "POST", fixed("/account/"), E(422, anonymous=LOGIN)),
    Row("auth.change_password", "GET", fixed("/account/wachtwoord"), LOGGED_IN),
    Row("auth.change_password", "POST", fixed("/account/wachtwoord"), E(422, anonymous=LOGIN)),
    Row("auth.delete_account", "GET", fixed("/account/verwijderen"), LOGGED_IN),
    Row("auth.delete_account", "POST", fixed("/account/verwijderen"), E(422, anonymous=LOGIN)),
    Row("auth.export_data", "GET", fixed("/account/mijn-gegevens.json"), LOGGED_IN),
    # Logging in through OpenID Connect: the world has no provider, nor a login under way.
    Row("identity.start", "GET", fixed("/account/inloggen/digid?org={a}"), E(404)),
    Row("identity.callback", "GET", fixed("/account/inloggen/terug?code=x&state=y"), E(400)),
    Row("identity.new_account", "GET", fixed("/account/inloggen/nieuw-account"), E(400)),
    Row("identity.new_account", "POST", fixed("/account/inloggen/nieuw-account"), E(400)),
    Row("identity.resume", "GET", fixed("/account/verder"), E(303, anonymous=LOGIN)),
    Row("identity.linked", "GET", fixed("/account/inloggen-met"), LOGGED_IN),
    Row("identity.unlink", "POST", fixed("/account/inloggen-met/1/ontkoppelen"),
        E(404, anonymous=LOGIN)),
    Row("auth.export_archive", "GET", fixed("/account/mijn-gegevens.zip"), LOGGED_IN),
    Row("auth.logout", "POST", fixed("/account/uitloggen"), E(303)),
    Row("auth.logout_everywhere", "POST", fixed("/account/overal-uitloggen"),
        E(303, anonymous=LOGIN)),
    Row("auth.activity", "GET", fixed("/account/activiteit"), LOGGED_IN),
    # Without a password checked first there is no code step: the login page (or, logged in,
    # the landing page).
    Row("auth.login_code", "GET", fixed("/account/inloggen/code"), E(303, anonymous=LOGIN)),
    Row("auth.login_code", "POST", fixed("/account/inloggen/code"), E(303, anonymous=LOGIN)),
    # Admins, coordinators and the installation admin have a second factor (they must):
    # setting it up again leads to the profile; the others have none yet.
    Row("auth.second_factor_setup", "GET", fixed("/account/tweestapsverificatie"),
        E(200, anonymous=LOGIN, **dict.fromkeys(WITH_SECOND_FACTOR, 303))),
    Row("auth.second_factor_setup", "POST", fixed("/account/tweestapsverificatie"),
        E(422, anonymous=LOGIN, **dict.fromkeys(WITH_SECOND_FACTOR, 303))),
    Row("auth.renew_recovery_codes", "GET", fixed("/account/tweestapsverificatie/herstelcodes"),
        E(303, anonymous=LOGIN, **dict.fromkeys(WITH_SECOND_FACTOR, 200))),
    Row("auth.renew_recovery_codes", "POST", fixed("/account/tweestapsverificatie/herstelcodes"),
        E(303, anonymous=LOGIN, **dict.fromkeys(WITH_SECOND_FACTOR, 422))),
    Row("auth.disable_second_factor", "GET", fixed("/account/tweestapsverificatie/uitschakelen"),
        E(303, anonymous=LOGIN, **dict.fromkeys(WITH_SECOND_FACTOR, 200))),
    Row("auth.disable_second_factor", "POST", fixed("/account/tweestapsverificatie/uitschakelen"),
        E(303, anonymous=LOGIN, **dict.fromkeys(WITH_SECOND_FACTOR, 422))),

    # --- my pages ----------------------------------------------------------------------------
    Row("residents.my_cases", "GET", fixed("/mijn/zaken"), LOGGED_IN),
    Row("residents.notifications", "GET", fixed("/mijn/meldingen"), LOGGED_IN),
    # Somebody else's notification does not exist for you.
    Row("residents.mark_read", "POST", lambda w: f"/mijn/meldingen/{w.notification()}/gelezen",
        E(404, anonymous=LOGIN, owner=303)),
    Row("residents.mark_all_read", "POST", fixed("/mijn/meldingen/alles-gelezen"),
        E(303, anonymous=LOGIN)),

    # --- uitdaagrecht (the resident's side) ---------------------------------------------------
    Row("challenges.index", "GET", a("/uitdaagrecht/"), PUBLIC),
    Row("challenges.new", "GET", a("/uitdaagrecht/nieuw"), LOGGED_IN),
    Row("challenges.new", "POST", a("/uitdaagrecht/nieuw"), E(303, anonymous=LOGIN)),
    # Officials get a page pointing to the work queue; residents who do not own it: 404.
    Row("challenges.case", "GET", a("/uitdaagrecht/{challenge}"),
        E(404, anonymous=LOGIN, owner=200, staff=200)),
    Row("challenges.receipt", "GET", a("/uitdaagrecht/{challenge}/ontvangen"),
        E(404, anonymous=LOGIN, owner=200)),
    Row("challenges.step", "GET", a("/uitdaagrecht/{draft}/stap/1"),
        E(404, anonymous=LOGIN, owner=200)),
    Row("challenges.step", "POST", a("/uitdaagrecht/{draft}/stap/1"),
        E(404, anonymous=LOGIN, owner=422)),
    Row("challenges.autosave", "POST", a("/uitdaagrecht/{draft}/stap/1/opslaan"),
        E(404, anonymous=LOGIN, owner=303)),
    Row("challenges.delete", "GET", a("/uitdaagrecht/{draft}/verwijderen"),
        E(404, anonymous=LOGIN, owner=200)),
    Row("challenges.delete", "POST", fresh("/uitdaagrecht/{draft}/verwijderen", "draft",
                                            "draft_challenge"),
        E(404, anonymous=LOGIN, owner=303)),
    Row("challenges.answer", "POST", a("/uitdaagrecht/{challenge}/antwoord"),
        E(404, anonymous=LOGIN, owner=422)),
    Row("challenges.upload", "POST", a("/uitdaagrecht/{challenge}/bijlagen"),
        E(404, anonymous=LOGIN, owner=422)),
    Row("challenges.download", "GET", a("/uitdaagrecht/{challenge}/bijlagen/{attachment}"),
        E(404, anonymous=LOGIN, owner=200, staff=200)),
    # The agreement after a grant: only the challenger; the world's request is not granted.
    Row("challenges.agree", "POST", a("/uitdaagrecht/{challenge}/overeenkomst/akkoord"),
        E(404, anonymous=LOGIN, owner=422)),
    Row("challenges.report_progress", "POST", a("/uitdaagrecht/{challenge}/voortgang"),
        E(404, anonymous=LOGIN, owner=422)),
    Row("challenges.evaluate", "POST", a("/uitdaagrecht/{challenge}/evaluatie"),
        E(404, anonymous=LOGIN, owner=422)),
    Row("challenges.withdraw", "GET", a("/uitdaagrecht/{challenge}/intrekken"),
        E(404, anonymous=LOGIN, owner=200)),
    Row("challenges.withdraw", "POST", fresh("/uitdaagrecht/{challenge}/intrekken", "challenge",
                                              "submitted_challenge"),
        E(404, anonymous=LOGIN, owner=303)),

    # --- initiatives ---------------------------------------------------------------------------
    Row("initiatives.index", "GET", a("/initiatieven/"), PUBLIC),
    Row("initiatives.new", "GET", a("/initiatieven/nieuw"), LOGGED_IN),
    Row("initiatives.new", "POST", a("/initiatieven/nieuw"), E(422, anonymous=LOGIN)),
    Row("initiatives.detail", "GET", a("/initiatieven/{initiative}"), PUBLIC),
    # A draft exists for its initiator and A's staff only.
    Row("initiatives.detail", "GET", a("/initiatieven/{initiative_draft}"),
        E(404, owner=200, staff=200)),
    Row("initiatives.attachment", "GET",
        a("/initiatieven/{initiative}/bijlagen/{initiative_attachment}"), PUBLIC),
    Row("initiatives.edit", "GET", a("/initiatieven/{initiative_draft}/bewerken"),
        E(404, anonymous=LOGIN, owner=200, staff=403)),
    Row("initiatives.edit", "POST", a("/initiatieven/{initiative_draft}/bewerken"),
        E(404, anonymous=LOGIN, owner=422, staff=403)),
    Row("initiatives.start_collecting", "POST", a("/initiatieven/{initiative}/steun-verzamelen"),
        E(403, anonymous=LOGIN, owner=422)),
    Row("initiatives.submit", "POST", a("/initiatieven/{initiative}/indienen"),
        E(403, anonymous=LOGIN, owner=422)),
    # Any verified account may support it (staff are residents too); without a date of birth
    # on file the empty form is refused with 422.
    Row("initiatives.sign", "POST", a("/initiatieven/{initiative}/ondertekenen"),
        E(422, anonymous=LOGIN)),
    Row("initiatives.withdraw", "POST", a("/initiatieven/{initiative}/intrekken-steun"),
        E(422, anonymous=LOGIN)),
    Row("initiatives.supporters", "GET", a("/initiatieven/{initiative}/ondertekenaars"),
        only("griffie")),
    Row("initiatives.supporters_csv", "GET", a("/initiatieven/{initiative}/ondertekenaars.csv"),
        only("griffie")),
    Row("initiatives.ask", "POST", a("/initiatieven/{initiative}/reacties"),
        E(422, anonymous=LOGIN)),
    Row("initiatives.answer", "POST", a("/initiatieven/{initiative}/reacties/{comment}/antwoord"),
        STAFF_ONLY | dict.fromkeys(STAFF, 422)),
    Row("initiatives.hide", "POST", a("/initiatieven/{initiative}/reacties/{comment}/verbergen"),
        STAFF_ONLY | dict.fromkeys(STAFF, 422)),

    # --- workbench -----------------------------------------------------------------------------
    Row("workbench.queue", "GET", a("/werkbak/"), STAFF_ONLY),
    Row("workbench.bulk", "POST", a("/werkbak/bulk"), only(*STAFF, status=303)),
    Row("workbench.templates", "GET", a("/werkbak/sjablonen"), only("coordinator", "admin")),
    Row("workbench.templates", "POST", a("/werkbak/sjablonen"),
        only("coordinator", "admin", status=422)),
    Row("workbench.delete_template", "POST", fresh("/werkbak/sjablonen/{template}/verwijderen",
                                                   "template", "template"),
        only("coordinator", "admin", status=303)),
    Row("workbench.case_page", "GET", a("/werkbak/zaken/{challenge}"), STAFF_ONLY),
    # Only a step that records a decision has a letter: receiving a request has none.
    Row("workbench.letter_preview", "POST",
        a("/werkbak/zaken/{challenge}/stappen/ontvangst_bevestigen/voorbeeldbrief"),
        only("coordinator", "official", status=404)),
    # Coordinator and official may confirm receipt; an empty form has no version: a stale-page
    # refusal.
    Row("workbench.fire", "POST", a("/werkbak/zaken/{challenge}/stappen/ontvangst_bevestigen"),
        only("coordinator", "official", status=409)),
    # The world's request has no decision yet: those who decide get a 404, others a 403.
    Row("workbench.correct_decision", "POST",
        a("/werkbak/zaken/{challenge}/besluiten/1/verbeteren"),
        only("official", "coordinator", status=404)),
    Row("workbench.add_note", "POST", a("/werkbak/zaken/{challenge}/notities"),
        only(*STAFF, status=422)),
    Row("workbench.send_message", "POST", a("/werkbak/zaken/{challenge}/berichten"),
        only(*STAFF, status=422)),
    Row("workbench.assign", "POST", a("/werkbak/zaken/{challenge}/toewijzen"),
        only("coordinator", "admin", status=422)),
    Row("workbench.agreement", "POST", a("/werkbak/zaken/{challenge}/overeenkomst"),
        only("official", "coordinator", "admin", status=422)),
    # The world's request is not granted: the agreement's forms are refused at the form (422).
    Row("workbench.evaluation", "POST", a("/werkbak/zaken/{challenge}/evaluatie"),
        only("official", "coordinator", "admin", status=422)),
    Row("workbench.evaluation_outcome", "POST",
        a("/werkbak/zaken/{challenge}/evaluatie/uitkomst"),
        only("official", "coordinator", "admin", status=422)),
    Row("workbench.release_instalment", "POST", a("/werkbak/zaken/{challenge}/termijnen/t1/vrijgeven"),
        only("official", "coordinator", "admin", status=422)),
    # The world's request has no progress report: those who review get a 404, others a 403.
    Row("workbench.review_report", "POST",
        a("/werkbak/zaken/{challenge}/voortgang/1/beoordelen"),
        only("official", "coordinator", "admin", status=404)),

    # --- griffie ------------------------------------------------------------------------------
    Row("council.desk", "GET", a("/griffie/"), COUNCIL),
    Row("council.meetings", "GET", a("/griffie/vergaderingen/"), COUNCIL),
    Row("council.new_meeting", "GET", a("/griffie/vergaderingen/nieuw"), COUNCIL),
    Row("council.new_meeting", "POST", a("/griffie/vergaderingen/nieuw"),
        only(*COUNCIL_ROLES, status=422)),
    Row("council.meeting", "GET", a("/griffie/vergaderingen/{meeting}"), COUNCIL),
    Row("council.edit_meeting", "GET", a("/griffie/vergaderingen/{meeting}/bewerken"), COUNCIL),
    Row("council.edit_meeting", "POST", a("/griffie/vergaderingen/{meeting}/bewerken"),
        only(*COUNCIL_ROLES, status=422)),
    Row("council.decision_list", "GET", a("/griffie/vergaderingen/{meeting}/besluitenlijst"),
        COUNCIL),
    Row("council.place_case", "POST", a("/griffie/vergaderingen/{meeting}/agenderen"),
        only(*COUNCIL_ROLES, status=422)),
    Row("council.add_item", "POST", a("/griffie/vergaderingen/{meeting}/agendapunten"),
        only(*COUNCIL_ROLES, status=422)),
    Row("council.edit_item", "GET", a("/griffie/agendapunten/{agenda_item}/bewerken"), COUNCIL),
    Row("council.edit_item", "POST", a("/griffie/agendapunten/{agenda_item}/bewerken"),
        only(*COUNCIL_ROLES, status=422)),
    Row("council.record_decision", "GET", a("/griffie/agendapunten/{agenda_item}/besluit"),
        COUNCIL),
    Row("council.record_decision", "POST", a("/griffie/agendapunten/{agenda_item}/besluit"),
        only(*COUNCIL_ROLES, status=422)),
    Row("council.publish", "POST", a("/griffie/agendapunten/{agenda_item}/publiceren"),
        only(*COUNCIL_ROLES, status=303)),
    Row("council.case_step", "GET", a("/griffie/zaken/{initiative}/stap/ontvangst_bevestigen"),
        COUNCIL),
    Row("council.case_step", "POST", a("/griffie/zaken/{initiative}/stap/ontvangst_bevestigen"),
        only(*COUNCIL_ROLES, status=422)),

    # --- beheer (admin) -------------------------------------------------------------------------
    Row("admin.index", "GET", a("/beheer/"), only("admin")),
    Row("admin.users", "GET", a("/beheer/gebruikers"), only("admin")),
    Row("admin.grant_role", "POST", a("/beheer/gebruikers"), only("admin", status=422)),
    Row("admin.revoke_role", "GET", a("/beheer/gebruikers/rollen/{membership}/intrekken"),
        only("admin")),
    Row("admin.revoke_role", "POST", fresh("/beheer/gebruikers/rollen/{membership}/intrekken",
                                           "membership", "membership"),
        only("admin", status=303)),
    Row("admin.tasks", "GET", a("/beheer/taken"), only("admin")),
    Row("admin.task_new", "GET", a("/beheer/taken/nieuw"), only("admin")),
    Row("admin.task_new", "POST", a("/beheer/taken/nieuw"), only("admin", status=422)),
    Row("admin.task_edit", "GET", a("/beheer/taken/{task}"), only("admin")),
    Row("admin.task_edit", "POST", a("/beheer/taken/{task}"), only("admin", status=422)),
    Row("admin.task_toggle", "POST", a("/beheer/taken/{task}/activeren"),
        only("admin", status=303)),
    Row("admin.branding", "GET", a("/beheer/huisstijl"), only("admin")),
    Row("admin.providers", "GET", a("/beheer/inloggen"), only("admin")),
    Row("admin.provider_edit", "GET", a("/beheer/inloggen/digid"), only("admin")),
    Row("admin.provider_edit", "POST", a("/beheer/inloggen/sso"), only("admin", status=422)),
    Row("admin.letters", "GET", a("/beheer/brieven"), only("admin")),
    Row("admin.certificate_upload", "POST", a("/beheer/brieven/certificaat"),
        only("admin", status=422)),
    Row("admin.certificate_remove", "POST", a("/beheer/brieven/certificaat/verwijderen"),
        only("admin", status=303)),
    Row("admin.letter_edit", "GET", a("/beheer/brieven/afgewezen/nl"), only("admin")),
    Row("admin.letter_edit", "POST", a("/beheer/brieven/afgewezen/nl"),
        only("admin", status=422)),
    Row("admin.letter_template_preview", "POST", a("/beheer/brieven/afgewezen/nl/voorbeeld"),
        only("admin", status=422)),
    Row("admin.letter_reset", "POST", a("/beheer/brieven/afgewezen/nl/standaard"),
        only("admin", status=303)),
    Row("admin.branding", "POST", a("/beheer/huisstijl"), only("admin", status=422)),
    Row("admin.logo_upload", "POST", a("/beheer/huisstijl/logo"), only("admin", status=422)),
    Row("admin.logo_remove", "POST", a("/beheer/huisstijl/logo/verwijderen"),
        only("admin", status=303)),
    Row("admin.procedures", "GET", a("/beheer/procedures"), only("admin")),
    Row("admin.procedure_version", "GET", a("/beheer/procedures/uitdaagrecht/versies/1"),
        only("admin")),
    Row("admin.procedure_download", "GET",
        a("/beheer/procedures/uitdaagrecht/versies/1/download"), only("admin")),
    Row("admin.procedure_upload", "GET", a("/beheer/procedures/uitdaagrecht/nieuw"),
        only("admin")),
    Row("admin.procedure_upload", "POST", a("/beheer/procedures/uitdaagrecht/nieuw"),
        only("admin", status=422)),
    Row("admin.procedure_preset", "POST", a("/beheer/procedures/uitdaagrecht/standaard"),
        only("admin", status=303)),
]

# Cross-organisation checks: B's staff on B's own pages reach them (so the 403 above is about
# organisation A, not the role), and A's objects seen from B's URL do not exist.
CROSS_ORG: list[tuple[str, Callable[[Any], str], str, int]] = [
    ("workbench case of A under B's URL", lambda w: f"/{w.b}/werkbak/zaken/{w.ids['challenge']}",
     "coordinator_b", 404),
    ("meeting of A under B's URL",
     lambda w: f"/{w.b}/griffie/vergaderingen/{w.ids['meeting']}", "griffie_b", 404),
    ("agenda item of A under B's URL",
     lambda w: f"/{w.b}/griffie/agendapunten/{w.ids['agenda_item']}/besluit", "griffie_b", 404),
    ("task of A under B's URL", lambda w: f"/{w.b}/beheer/taken/{w.ids['task']}", "admin_b", 404),
    ("membership of A under B's URL",
     lambda w: f"/{w.b}/beheer/gebruikers/rollen/{w.ids['membership']}/intrekken", "admin_b", 404),
    ("initiative of A under B's URL", lambda w: f"/{w.b}/initiatieven/{w.ids['initiative']}",
     "griffie_b", 404),
    ("supporters of A's initiative under B's URL",
     lambda w: f"/{w.b}/initiatieven/{w.ids['initiative']}/ondertekenaars", "griffie_b", 404),
    ("attachment of A under B's URL",
     lambda w: f"/{w.b}/uitdaagrecht/{w.ids['challenge']}/bijlagen/{w.ids['attachment']}",
     "official_b", 404),
    ("A's case under B's public register", lambda w: f"/{w.b}/register/{w.ids['challenge']}",
     "anonymous", 404),
    ("A's letter under B's public register",
     lambda w: f"/{w.b}/register/{w.ids['challenge']}/besluitbrief/1", "anonymous", 404),
    ("A's case under B's slug in the API", lambda w: f"/api/v1/zaken/{w.b}/{w.ids['challenge']}",
     "anonymous", 404),
    ("B's own monitor (its own figures)", lambda w: f"/{w.b}/monitor", "coordinator", 200),
    ("B's own monitor as CSV", lambda w: f"/{w.b}/monitor.csv", "anonymous", 200),
    ("the monitor of an unknown organisation", lambda w: "/geen-organisatie/monitor",
     "anonymous", 404),
    ("B's own work queue", lambda w: f"/{w.b}/werkbak/", "official_b", 200),
    ("B's own griffie desk", lambda w: f"/{w.b}/griffie/", "griffie_b", 200),
    ("B's own beheer", lambda w: f"/{w.b}/beheer/", "admin_b", 200),
]


def _routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def request_as(world, role: str, row: Row):
    client = world.client(role)
    url = row.url(world)
    if row.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=row.data or {})
    response.get_data()
    response.close()  # downloads are streamed from an open file
    return url, response


def assert_status(response, expected: Any, context: str) -> None:
    if expected == LOGIN:
        assert response.status_code in (302, 303), \
            f"{context}: {response.status_code}, expected login"
        assert "/account/inloggen" in response.headers["Location"], context
        return
    assert response.status_code == expected, \
        f"{context}: got {response.status_code}, expected {expected}"
    if response.status_code in (302, 303):
        assert "/account/inloggen" not in response.headers.get("Location", ""), context


def test_every_route_has_a_row(app):
    covered = {(row.endpoint, row.method) for row in ROWS}
    missing = sorted(_routes(app) - covered)
    assert not missing, "add a row to the matrix for " + ", ".join(
        f"{endpoint} {method}" for endpoint, method in missing)
    stale = sorted(covered - _routes(app))
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.endpoint}")
def test_matrix(world, row):
    failures = []
    for role in ROLES:
        url, response = request_as(world, role, row)
        assert response.status_code < 500, f"{row.method} {url} as {role}: 500"
        try:
            assert_status(response, row.expected[role], f"{row.method} {url} as {role}")
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


# The agreement's forms of A's case posted under B's URL by B's staff: no such case (404).
AGREEMENT_POSTS = ["overeenkomst", "evaluatie", "evaluatie/uitkomst", "termijnen/t1/vrijgeven",
                   "voortgang/1/beoordelen"]


@pytest.mark.parametrize("path", AGREEMENT_POSTS)
def test_agreement_forms_of_another_organisation_do_not_exist(world, path):
    response = world.client("official_b").post(
        f"/{world.b}/werkbak/zaken/{world.ids['challenge']}/{path}", data={})
    assert response.status_code == 404


@pytest.mark.parametrize("label, url, role, status", CROSS_ORG, ids=[c[0] for c in CROSS_ORG])
def test_cross_organisation(world, label, url, role, status):
    response = world.client(role).get(url(world))
    assert response.status_code == status, label


def test_roles_declared_on_views_match_the_matrix(app):
    """Views guarded by require_role: no role outside the decorator gets through, and every
    role in it does, unless the view narrows it further per object (NARROWED)."""
    by_endpoint = {(row.endpoint, row.method): row for row in ROWS}
    checked = 0
    for endpoint, view in app.view_functions.items():
        declared = getattr(view, "required_roles", None)
        if declared is None:
            continue
        for method in ("GET", "POST"):
            row = by_endpoint.get((endpoint, method))
            if row is None:
                continue
            checked += 1
            passing = {role for role in STAFF if row.expected[role] not in (403, LOGIN)}
            assert passing <= set(declared), (endpoint, method, passing, declared)
            if endpoint not in NARROWED:
                assert passing == set(declared) & set(STAFF), (endpoint, method, passing)
    assert checked > 50


# Views whose decorator admits more roles than may act: the workflow step decides per case.
NARROWED = {"workbench.fire", "workbench.letter_preview"}


def test_council_step_of_another_role_changes_nothing(world):
    """The griffie may open any step's form, but a step that belongs to the initiator
    (indienen) is refused by the workflow, not carried out."""
    from participation.extensions import db
    from participation.models import Case

    case = db.session.get(Case, world.ids["initiative"])
    version = case.lock_version
    response = world.client("griffie").post(
        f"/{world.a}/griffie/zaken/{case.id}/stap/indienen",
        data={f"c{case.id}-indienen-lock_version": str(version)})
    assert response.status_code == 422
    db.session.expire_all()
    case = db.session.get(Case, world.ids["initiative"])
    assert case.state == "steun_verzamelen" and case.lock_version == version
