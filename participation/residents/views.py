"""Mijn zaken (all my drafts and cases, in every organisation) and Meldingen."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from participation.domain.deadlines import dutch_date
from participation.extensions import db
from participation.htmx import redirect_303
from participation.models import Notification
from participation.models._types import utcnow
from participation.permissions import login_required
from participation.residents import bp, queries
from participation.services import cases as case_service
from participation.services import notifications as notification_service


@bp.get("/zaken")
@login_required
def my_cases():
    rows = queries.my_cases(current_user.id, dutch_date(utcnow()), str(get_locale() or "nl"), {
        "draft": _("Vul uw verzoek verder in en dien het in."),
        # %(who)s is filled per case: "de gemeente", "het waterschap".
        "waiting": _("U bent aan zet: bekijk de vraag van %(who)s en antwoord op tijd."),
    })
    links = {row.case.id: case_service.case_path(row.case) for row in rows}
    return render_template("account/my_cases.html", rows=rows, links=links,
                           unread=queries.unread_count(current_user.id))


@bp.get("/meldingen")
@login_required
def notifications():
    return render_template("account/notifications.html",
                           notifications=queries.notifications(current_user.id))


@bp.post("/meldingen/<int:notification_id>/gelezen")
@login_required
def mark_read(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    notification_service.mark_read(notification, now=utcnow())
    db.session.commit()
    # Opening the notification's page is the usual reason to mark it read.
    target = notification.url if request.form.get("open") and notification.url.startswith("/") \
        and not notification.url.startswith("//") else url_for(".notifications")
    return redirect_303(target)


@bp.post("/meldingen/alles-gelezen")
@login_required
def mark_all_read():
    notification_service.mark_all_read(current_user, now=utcnow())
    db.session.commit()
    return redirect_303(url_for(".notifications"))
