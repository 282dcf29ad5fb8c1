"""One base class for what a view turns into a message (domain.errors.Refusal), the lock
version a form carries (routes.expected_version) and which steps a role is offered
(domain.workflow.step_refusal)."""
from __future__ import annotations

import pytest

from participation.domain import workflow as wf
from participation.domain.deadlines import ClockError
from participation.domain.errors import Refusal
from participation.routes import expected_version
from participation.services.admin import AdminError
from participation.services.attachments import UploadRejected
from participation.services.cases import CaseworkInvalid, Conflict
from participation.services.council import CouncilError
from participation.services.initiatives import InitiativeError


@pytest.mark.parametrize(("error", "status", "message", "errors"), [
    (wf.TransitionNotAllowed("en", code="wrong_role", transition="t", state="s",
                             message_nl="U mag dit niet."), 422, "U mag dit niet.", {}),
    (wf.MissingInputs({"reason": "Geef een toelichting."}, {"reason": "Give a reason."}), 422,
     "Geef een toelichting.", {"reason": "Geef een toelichting."}),
    (ClockError("clock stopped", "De termijn loopt niet."), 422, "De termijn loopt niet.", {}),
    (InitiativeError("Te kort.", "title"), 422, "Te kort.", {"title": "Te kort."}),
    (InitiativeError("Al gesteund."), 422, "Al gesteund.", {}),
    (CouncilError({"result": "Kies een uitkomst.", "note": "Te lang."}), 422,
     "Kies een uitkomst. Te lang.", {"result": "Kies een uitkomst.", "note": "Te lang."}),
    (CaseworkInvalid({"body": "Schrijf een notitie."}), 422, "Schrijf een notitie.",
     {"body": "Schrijf een notitie."}),
    (UploadRejected("Het bestand is leeg."), 422, "Het bestand is leeg.", {}),
    (AdminError("Niet toegestaan."), 422, "Niet toegestaan.", {}),
])
def test_every_service_refusal_is_a_refusal(error, status, message, errors):
    assert isinstance(error, Refusal)
    assert (error.status, error.message_nl, error.errors) == (status, message, errors)


def test_a_conflict_is_a_409_with_the_dutch_message(app_ctx):
    conflict = Conflict(7)
    assert isinstance(conflict, Refusal) and conflict.status == 409
    assert conflict.message_nl.startswith("Deze zaak is intussen gewijzigd.")
    assert conflict.case_id == 7


def test_english_texts_stay_for_the_logs():
    assert str(ClockError("clock stopped", "De termijn loopt niet.")) == "clock stopped"
    assert str(wf.MissingInputs({"a": "b"}, {"a": "c"})) == "missing or invalid inputs: a: c"


@pytest.mark.parametrize(("value", "missing", "expected"), [
    ("3", None, 3), (" 12 ", None, 12), (5, None, 5), ("", None, None), (None, -1, -1),
    ("abc", -1, -1), ("-2", None, None), ("٣", None, None), ("1" * 12, None, None),
])
def test_expected_version(value, missing, expected):
    assert expected_version(value, missing=missing) == expected


BI = wf.load_preset("burgerinitiatief")


@pytest.mark.parametrize(("state", "name", "roles", "code"), [
    ("concept", "indienen", {"applicant"}, None),
    ("concept", "indienen", {"griffie"}, "wrong_role"),
    ("toegelaten", "indienen", {"applicant"}, "wrong_state"),
    ("toetsing", "herstel_vragen", {"griffie"}, None),
    ("toetsing", "bestaat_niet", {"griffie"}, "unknown_transition"),
])
def test_step_refusal(state, name, roles, code):
    refusal = wf.step_refusal(BI, state=state, transition_name=name, roles=roles)
    assert (refusal.code if refusal else None) == code
