"""Query discipline for logged-in pages (issue 16): an official's case page runs at most eight
statements, whatever the case carries, and the work queue, the council desk, "mijn zaken" and a
filing step do not run more statements for a fuller case or a longer list."""
from __future__ import annotations

from participation.extensions import db
from participation.models import CaseMessage, InternalNote, Task
from participation.services import cases as service
from tests.functional.public.conftest import count_statements
from tests.functional.workbench.conftest import days_ago


def _statements(client, path: str) -> int:
    assert client.get(path).status_code == 200  # warm up (templates, the procedure cache)
    db.session.expire_all()  # as a new request finds it: nothing loaded yet
    with count_statements() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def _fill(case, org, official, resident, n: int) -> None:
    for i in range(n):
        db.session.add(InternalNote(case_id=case.id, author_id=official.id, body=f"Notitie {i}",
                                    created_at=days_ago(1)))
        db.session.add(CaseMessage(case_id=case.id, author_id=resident.id, from_organisation=False,
                                   kind="message", body=f"Bericht {i}", created_at=days_ago(1)))
    db.session.commit()


def test_an_officials_case_page_runs_at_most_eight_statements(client, login, org, official,
                                                              coordinator, resident, submit_case):
    task = Task(organisation_id=org.id, code="GROEN", title="Groenonderhoud")
    db.session.add(task)
    db.session.commit()
    counts = []
    for n in (1, 20):
        case = submit_case(org, title=f"Zaak {n}", task_id=task.id, assignee_id=official.id,
                           steps=(("ontvangst_bevestigen", coordinator, {}),
                                  ("in_behandeling_nemen", coordinator, {})))
        _fill(case, org, official, resident, n)
        login(official)
        counts.append(_statements(client, f"/zonnedal/werkbak/zaken/{case.id}"))
    assert counts[0] == counts[1] <= 8, counts


def test_notes_and_messages_keep_their_order_on_the_case_page(client, login, org, official,
                                                              resident, submit_case):
    case = submit_case(org)
    for i, body in enumerate(("eerste notitie", "tweede notitie")):
        db.session.add(InternalNote(case_id=case.id, author_id=official.id, body=body,
                                    created_at=days_ago(3 - i)))
    for i, body in enumerate(("eerste bericht", "tweede bericht")):
        db.session.add(CaseMessage(case_id=case.id, author_id=resident.id, kind="message",
                                   from_organisation=bool(i), body=body,
                                   created_at=days_ago(3 - i)))
    db.session.commit()
    login(official)
    html = client.get(f"/zonnedal/werkbak/zaken/{case.id}").get_data(as_text=True)
    assert html.index("tweede notitie") < html.index("eerste notitie")  # newest note first
    assert html.index("eerste bericht") < html.index("tweede bericht")  # a conversation


def test_other_logged_in_pages_do_not_grow_with_the_data(client, login, org, official,
                                                         coordinator, griffie, resident,
                                                         submit_case):
    counts: dict[str, list[int]] = {}
    for n in (2, 30):
        for i in range(n):
            submit_case(org, title=f"Zaak {n}-{i}", submitted=days_ago(i % 20))
        draft = service.start_case(org, "uitdaagrecht", applicant=resident, title="Concept",
                                   now=days_ago(0))
        db.session.commit()
        pages = {
            "queue": (official, "/zonnedal/werkbak/"),
            "desk": (griffie, "/zonnedal/griffie/"),
            "mine": (resident, "/mijn/zaken"),
            "step": (resident, f"/zonnedal/uitdaagrecht/{draft.id}/stap/1"),
        }
        for name, (user, path) in pages.items():
            login(user)
            counts.setdefault(name, []).append(_statements(client, path))
    assert all(first == last for first, last in counts.values()), counts
    ceilings = {"queue": 6, "desk": 6, "mine": 4, "step": 7}
    assert all(counts[name][-1] <= ceiling for name, ceiling in ceilings.items()), counts
