"""A request filed through the resident's form, as the official reads it in the workbench:
the task by its title (never its id), codes by their words, each answer once, and no raw
value (ISO timestamp, date in digits, dot-decimal amount, user id) on the page."""
from __future__ import annotations

import html
import re

from tests.functional.challenges.conftest import post_step, step_data
from tests.functional.workbench.test_readable_values import assert_readable, visible


def file_and_open(client, org, resident, login, filled_draft, create_user, **per_step) -> str:
    login(resident)
    case_id = filled_draft(**per_step)
    assert post_step(client, org, case_id, 7, step_data(7)).status_code == 303
    login(create_user(org=org, role="official", name="Otto Ambtenaar"))
    response = client.get(f"/{org.slug}/werkbak/zaken/{case_id}")
    assert response.status_code == 200
    return visible(html.unescape(response.get_data(as_text=True)))


def items(page: str) -> list[tuple[str, str]]:
    """The request's fields as (label, value) pairs."""
    section = page[page.index('id="request-heading"'):page.index('id="attachments-heading"')]
    return [(re.sub(r"<[^>]+>", "", dt).strip(), re.sub(r"<[^>]+>", "", dd).strip())
            for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", section, re.S)]


def test_a_task_from_the_list_is_named_once_by_its_title(client, org, resident, login,
                                                         filled_draft, create_user, add_task):
    task = add_task()
    page = file_and_open(client, org, resident, login, filled_draft, create_user,
                         step2={"taak": str(task.id)})
    assert_readable(page, "request")
    fields = items(page)
    labels = [label for label, _ in fields]
    assert dict(fields)["Taak uit de takenlijst"] == \
        "Onderhoud plantsoen Zuid (huidig budget € 2.000,00)"
    assert str(task.id) not in dict(fields).values()
    for label in ("Taak uit de takenlijst", "Gevraagd budget", "Titel", "Samenvatting"):
        assert labels.count(label) == 1, label
    assert "Gevraagd budget van de gemeente (euro)" not in labels  # the same amount, once
    assert dict(fields)["Rechtsvorm"] == "Stichting"
    assert dict(fields)["Wilt u met deze taak winst maken?"] == "Nee"
    assert dict(fields)["Ondertekend door"] == "Sanne de Vries"
    assert dict(fields)["Aandachtspunten voor de behandelaar"] == "Geen"


def test_points_to_look_at_are_named_in_words(client, org, resident, login, filled_draft,
                                              create_user):
    page = file_and_open(client, org, resident, login, filled_draft, create_user,
                         step1={"winstoogmerk": "ja", "winstoogmerk_toelichting": "Een kleine marge.",
                                "rechtsvorm": "informele_groep"},
                         step2={"taak": "anders"})
    assert_readable(page, "request")
    fields = dict(items(page))
    assert fields["Taak uit de takenlijst"] == "Een andere taak"
    assert fields["Wilt u met deze taak winst maken?"] == "Ja"
    assert fields["Rechtsvorm"] == "Groep zonder rechtsvorm"
    flags = fields["Aandachtspunten voor de behandelaar"]
    assert re.fullmatch(r"(R\d+: [A-Z][^;]+)(; R\d+: [A-Z][^;]+)*", flags), flags
    assert "R1: Dit is geen taak die wij nu zelf uitvoeren" in flags
