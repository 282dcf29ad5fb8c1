"""The end of every route that changes something: one service call, one commit, a flash and
a 303 (HX-Redirect for htmx); a Refusal rolls back and the route shows it its own way.

    @bp.post("/<int:case_id>/indienen")
    @login_required
    @load(case=find_initiative)
    @require_applicant
    def submit(case):
        form = VersionForm()
        return take_step(
            lambda: service.submit_initiative(case, actor=current_user, now=utcnow(),
                                              expected_version=expected_version(form)),
            done=_("Uw initiatief is ingediend."), to=_case_url(case),
            refused=lambda exc: _render_detail(case, exc))

Access is declared with the decorators of participation.permissions; the service raises a
subclass of domain.errors.Refusal for everything the user can act on (the case changed,
a step not possible now, missing inputs, a clock rule, a field the service refuses).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from participation.domain.errors import Refusal
from participation.extensions import db
from participation.htmx import redirect_303


def expected_version(value: Any, *, missing: int | None = None) -> int | None:
    """The lock_version a form was rendered with (a WTForms form or the raw value); `missing`
    when absent or not a number (None: no check, -1: always a conflict)."""
    if hasattr(value, "lock_version"):
        value = value.lock_version.data
    text = "" if value is None else str(value).strip()
    if text.isascii() and text.isdecimal() and len(text) < 10:
        return int(text)
    return missing


def take_step(call: Callable[[], Any], *, done: str | Callable[[], str] | None,
              to: str | Callable[[], str], refused: Callable[[Refusal], Any]) -> Any:
    """Run the service call; commit, flash `done` and redirect to `to`; on a Refusal roll
    back and return `refused(exc)`. `done` and `to` may be functions of nothing, for a
    message or URL that exists only after the call (a case number, a new id)."""
    try:
        call()
    except Refusal as exc:
        db.session.rollback()
        return refused(exc)
    db.session.commit()
    message = done() if callable(done) else done
    if message:
        flash(message, "success")
    return redirect_303(to() if callable(to) else to)


def show_on_form(form: Any, exc: Refusal, *, leave_out: tuple[str, ...] = ()) -> None:
    """A refusal's messages next to the form's matching fields, the rest above the form;
    `leave_out` names messages the page shows elsewhere."""
    if not exc.errors:
        form.form_errors.append(exc.message_nl)
        return
    for name, message in exc.errors.items():
        if name in leave_out:
            continue
        field = getattr(form, name, None) if name and name != "lock_version" else None
        if field is not None and isinstance(getattr(field, "errors", None), (list, tuple)):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def flash_refusal(exc: Refusal, to: str) -> Any:
    """For a button without a form of its own: the refusal as a message on the page it
    returns to."""
    flash(exc.message_nl, "error")
    return redirect_303(to)
