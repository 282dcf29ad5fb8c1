"""A shared world for the security tests: two organisations, every role in each, a resident
who owns cases and one who does not, and objects of every kind in organisation A.

The world is built once per module (the function-scoped `app_ctx` would empty the tables
after every test) and emptied at the end of the module the same way tests/conftest.py does.
Each role logs in once through the real form; every test gets a fresh client carrying that
session cookie. Logging out ends the session on the server, so a role whose session a test
ended logs in again before the next test uses it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage

from participation.extensions import db
from participation.models import Case, Notification, Task
from participation.models._types import utcnow
from tests.conftest import PASSWORD, _empty_tables

ROLES = ("anonymous", "resident", "owner", "official", "coordinator", "griffie", "admin",
         "official_b", "coordinator_b", "griffie_b", "admin_b", "installer")
# The installation administrator manages organisations, and has no role inside any of them.
NO_ORG_ROLE = ("resident", "owner", "installer")
STAFF = ("official", "coordinator", "griffie", "admin")
STAFF_B = tuple(f"{role}_b" for role in STAFF)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "plan.pdf", content: bytes = PDF) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type="application/pdf")


@dataclass
class World:
    app: Any
    a: str  # slug of organisation A (every object lives here)
    b: str  # slug of organisation B (its staff must not reach A's objects)
    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    counter: int = 0

    # --- clients -----------------------------------------------------------------------
    def client(self, role: str):
        client = self.app.test_client()
        if role != "anonymous":
            if not self._session_open(role):
                self.log_in(role)
            client.set_cookie("session", self.cookies[role])
        return client

    def log_in(self, role: str) -> None:
        """Through the real form; admins and coordinators with their second factor."""
        from tests.second_factor import log_in_with_form

        client = self.app.test_client()
        response = log_in_with_form(client, self.user(role), PASSWORD)
        assert response.status_code == 303, (role, response.status_code)
        self.cookies[role] = client.get_cookie("session").value
        with client.session_transaction() as session:
            self.tokens[role] = session["sid"]

    def _session_open(self, role: str) -> bool:
        from participation.models import LoginSession
        from participation.services.accounts import session_token_hash

        return db.session.scalar(db.select(LoginSession.id).where(
            LoginSession.token_hash == session_token_hash(self.tokens[role]),
            LoginSession.ended_at.is_(None))) is not None

    # --- objects -----------------------------------------------------------------------
    def org(self, slug: str | None = None):
        from participation.models import Organisation

        return db.session.scalar(db.select(Organisation).where(
            Organisation.slug == (slug or self.a)))

    def user(self, role: str):
        from participation.models import User

        return db.session.scalar(db.select(User).where(User.email == self.emails[role]))

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def draft_challenge(self) -> int:
        from participation.services import challenges

        case = challenges.start_challenge(self.org(), applicant=self.user("owner"), now=utcnow())
        case.title = f"Concept {self._next()}"
        db.session.commit()
        return case.id

    def submitted_challenge(self, title: str = "Groenbeheer Parkwijk") -> int:
        from participation.services import cases as case_service

        now = utcnow()
        case = case_service.start_case(self.org(), "uitdaagrecht", applicant=self.user("owner"),
                                       title=title, data={"samenvatting": "Wij maaien zelf."}, now=now)
        case.summary = "Bewoners nemen het groenbeheer over."
        case_service.apply_transition(case, "indienen", actor=self.user("owner"), now=now)
        db.session.commit()
        return case.id

    def initiative(self, *, collecting: bool = True, title: str = "Meer bankjes") -> int:
        from participation.services import initiatives

        draft = initiatives.InitiativeDraft(
            title=title, summary="Tien extra bankjes.", proposal="De raad besluit tien bankjes.",
            motivation="Ouderen kunnen nergens uitrusten.", deputy_name="Piet Plaats",
            deputy_email="piet@example.nl", financial_consequences="5.000 euro.",
            names_public=False, not_excluded=True)
        case = initiatives.create_initiative(self.org(), applicant=self.user("owner"),
                                             draft=draft, now=utcnow())
        if collecting:
            initiatives.start_collecting(case, actor=self.user("owner"), now=utcnow())
        db.session.commit()
        return case.id

    def membership(self) -> int:
        from participation.services import accounts

        n = self._next()
        user = accounts.create_user(email=f"extra{n}@example.nl", name=f"Extra {n}",
                                    password=PASSWORD, verified_at=utcnow())
        membership = accounts.grant_role(user, self.org(), "official")
        db.session.commit()
        return membership.id

    def template(self) -> int:
        from participation.services import cases as case_service

        template = case_service.save_template(self.org(), transition="", title=f"T{self._next()}",
                                              body="Standaardtekst.", now=utcnow())
        db.session.commit()
        return template.id

    def notification(self) -> int:
        note = Notification(user_id=self.user("owner").id, text="Er is nieuws over uw verzoek.",
                            url="/mijn/zaken")
        db.session.add(note)
        db.session.commit()
        return note.id


def _create_user(email: str, name: str, org=None, role: str | None = None):
    from participation.services import accounts

    user = accounts.create_user(email=email, name=name, password=PASSWORD, verified_at=utcnow())
    if role:
        accounts.grant_role(user, org, role)
    return user


def build_world(app) -> World:
    from participation.services import attachments, council, initiatives, organisations

    org_a = organisations.create_organisation(
        slug="gemeente-a", name="Gemeente Aadorp", tier="gemeente", tooi_code="gm9001",
        email="info@aadorp.example", inhabitants=20000)
    org_b = organisations.create_organisation(
        slug="gemeente-b", name="Gemeente Beedorp", tier="gemeente", tooi_code="gm9002",
        email="info@beedorp.example", inhabitants=20000)
    world = World(app=app, a=org_a.slug, b=org_b.slug)
    for role in ROLES[1:]:
        email = f"{role.replace('_', '-')}@example.nl"
        org = org_b if role.endswith("_b") else org_a
        staff_role = role.removesuffix("_b") if role not in NO_ORG_ROLE else None
        user = _create_user(email, f"Persoon {role}", org, staff_role)
        user.is_installation_admin = role == "installer"
        world.emails[role] = email
    db.session.commit()

    now = utcnow()
    owner = world.user("owner")
    world.ids["challenge"] = world.submitted_challenge()
    world.ids["draft"] = world.draft_challenge()
    challenge = db.session.get(Case, world.ids["challenge"])
    attachment = attachments.store_upload(challenge, pdf_upload(), uploader=owner,
                                          purpose="bijlage")
    world.ids["attachment"] = attachment.id
    world.ids["initiative"] = world.initiative()
    world.ids["initiative_draft"] = world.initiative(collecting=False, title="Concept initiatief")
    # Submitted, so the griffie has a step to take (ontvangst_bevestigen) and its form.
    world.ids["initiative_submitted"] = world.initiative(collecting=False, title="Ingediend")
    from participation.services import cases as case_service

    case_service.apply_transition(db.session.get(Case, world.ids["initiative_submitted"]),
                                  "indienen", actor=world.user("owner"), now=utcnow())
    db.session.commit()
    initiative = db.session.get(Case, world.ids["initiative"])
    public_file = attachments.store_upload(initiative, pdf_upload("toelichting.pdf"),
                                           uploader=owner, purpose="initiative", public=True)
    world.ids["initiative_attachment"] = public_file.id
    comment = initiatives.ask_question(initiative, author=world.user("resident"),
                                       body="Waar komen de bankjes?", now=now)
    world.ids["comment"] = comment.id
    # A second initiative for staff pages in tests that fill the first one with comments.
    world.ids["initiative_staff"] = world.initiative(title="Speeltuin")
    initiatives.ask_question(db.session.get(Case, world.ids["initiative_staff"]),
                             author=world.user("resident"), body="Wanneer?", now=now)
    meeting = council.create_meeting(org_a, title="Raadsvergadering", meeting_type="raadsvergadering",
                                     starts_at=datetime.now(UTC).replace(microsecond=0)
                                     + timedelta(days=14), now=now)
    world.ids["meeting"] = meeting.id
    item = council.add_agenda_item(meeting, title="Vaststelling agenda", now=now)
    world.ids["agenda_item"] = item.id
    task = Task(organisation_id=org_a.id, code="GROEN", title="Groenonderhoud")
    db.session.add(task)
    db.session.commit()
    world.ids["task"] = task.id
    world.ids["template"] = world.template()
    world.ids["notification"] = world.notification()
    world.ids["membership"] = world.membership()

    for role in ROLES[1:]:
        world.log_in(role)
    return world


@pytest.fixture(scope="module")
def world(app):
    with app.app_context():
        built = build_world(app)
        yield built
        _empty_tables()
        db.session.remove()


__all__ = ["PASSWORD", "PDF", "ROLES", "STAFF", "STAFF_B", "World",
           "build_world", "pdf_upload"]
