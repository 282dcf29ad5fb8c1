"""Procedure versions: list, read as tables and a diagram, download, upload, preset."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from sqlalchemy import select

from participation.domain.workflow import preset_path
from participation.extensions import db
from participation.models import Case, WorkflowVersion
from participation.services import admin as admin_service
from participation.services import cases as case_service
from tests.conftest import NOW

PRESET = preset_path("uitdaagrecht").read_text(encoding="utf-8")


def _changed_preset() -> str:
    """A real change: the intake term goes from 2 to 3 weeks."""
    head, tail = PRESET.split('name = "intake"', 1)
    before, after = tail.split("weeks = 2 ", 1)
    return head + 'name = "intake"' + before + "weeks = 3 " + after


def _versions(org, request_type="uitdaagrecht") -> list[WorkflowVersion]:
    db.session.expire_all()
    return list(db.session.scalars(select(WorkflowVersion).where(
        WorkflowVersion.organisation_id == org.id, WorkflowVersion.request_type == request_type)
        .order_by(WorkflowVersion.version)))


def _post(client, setup, *, source=None, file=None, note="Intaketermijn naar 3 weken",
          request_type="uitdaagrecht"):
    data = {"note": note, "source": source or ""}
    if file is not None:
        data["file"] = (io.BytesIO(file), "procedure.toml")
    return client.post(f"{setup.base}/procedures/{request_type}/nieuw", data=data,
                       content_type="multipart/form-data")


def test_overview_lists_versions_per_request_type_with_case_counts(client, admin_setup,
                                                                   create_user):
    applicant = create_user()
    for _ in range(2):
        case_service.start_case(admin_setup.org, "uitdaagrecht", applicant=applicant, now=NOW)
    db.session.commit()
    html = client.get(f"{admin_setup.base}/procedures").get_data(as_text=True)
    for heading in ("Uitdaagrecht", "Burgerinitiatief", "Bewonersinitiatief"):
        assert f">{heading}</h2>" in html
    section = html.split('id="heading-uitdaagrecht"', 1)[1].split("</section>", 1)[0]
    row = section.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Versie 1" in row and "Standaardprocedure" in row and "het platform" in row
    assert re.search(r'<td class="numeric">2</td>', row)
    assert "Geldt voor nieuwe verzoeken" in row
    other = html.split('id="heading-burgerinitiatief"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<td class="numeric">0</td>', other)


def test_version_page_shows_tables_and_the_diagram(client, admin_setup):
    response = client.get(f"{admin_setup.base}/procedures/uitdaagrecht/versies/1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # States and transitions in words.
    assert "Eerste controle" in html and "(intake)" in html
    assert "2 weken (14 dagen)" in html
    assert "3 weken (21 dagen); daarna automatisch: " in html
    assert "8 weken (56 dagen), één keer te verlengen met 8 weken (56 dagen)" in html
    assert "start de beslistermijn" in html and "schort op" in html and "hervat" in html
    assert "verlengt" in html and "stopt" in html
    row = html.split("(aanvulling_vragen)", 1)[1].split("</tr>", 1)[0]
    assert "behandelaar" in row and "coördinator" in row and "vraag, termijn in dagen" in row
    assert "aanvrager" in html and "automatisch als de termijn voorbij is" in html
    # The diagram, inline and safe.
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    root = ET.fromstring("<svg" + svg + "</svg>")
    assert root.get("role") == "img"
    assert "style=" not in svg
    assert re.search(r'href="/static/css/admin\.[0-9a-f]{12}\.css"', html)


def test_download_returns_the_exact_stored_text(client, admin_setup):
    response = client.get(f"{admin_setup.base}/procedures/uitdaagrecht/versies/1/download")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{admin_setup.org.slug}-uitdaagrecht-versie-1.toml"')
    assert response.get_data(as_text=True) == PRESET
    assert response.data == PRESET.encode("utf-8")


def test_upload_form_starts_from_the_current_text(client, admin_setup):
    html = client.get(f"{admin_setup.base}/procedures/uitdaagrecht/nieuw").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert "key = &#34;uitdaagrecht-standaard&#34;" in html or \
        "key = &quot;uitdaagrecht-standaard&quot;" in html


def test_broken_toml_is_refused_with_the_message_and_text_kept(client, admin_setup):
    broken = PRESET.replace('\n[workflow]\n', '\n[workflow\n', 1)
    assert broken != PRESET
    response = _post(client, admin_setup, source=broken)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "De procedure is niet opgeslagen" in html
    # In Dutch, with the line the parser found it on.
    line = PRESET.split("\n[workflow]\n", 1)[0].count("\n") + 2
    assert "Fout in de TOML-opmaak" in html
    assert f"<strong>Regel {line}:</strong>" in html
    assert "[workflow\n" in html.replace("&#34;", '"')  # the text box keeps the input
    assert 'value="Intaketermijn naar 3 weken"' in html
    assert len(_versions(admin_setup.org)) == 1


def test_deeply_nested_toml_is_refused_at_the_field_not_a_500(client, admin_setup):
    hostile = PRESET + "\nnested = " + "[" * 5000 + "]" * 5000 + "\n"
    response = _post(client, admin_setup, source=hostile)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "De procedure is niet opgeslagen" in html and "te diep genest" in html
    assert len(_versions(admin_setup.org)) == 1


def test_invalid_definition_shows_every_problem(client, admin_setup):
    invalid = PRESET.replace('to = "aanvulling_gevraagd"', 'to = "bestaat_niet"', 1) \
                    .replace('roles = ["coordinator", "official"]', 'roles = ["baas"]', 1)
    assert invalid.count("bestaat_niet") == 1 and invalid.count('"baas"') == 1
    response = _post(client, admin_setup, file=invalid.encode("utf-8"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    problems = re.findall(r'<li class="utrecht-unordered-list__item"><strong>Regel (\d+):</strong>'
                          r' ([^<]*)</li>', html.replace("&#39;", "'"))
    assert len(problems) == 2
    lines = invalid.splitlines()
    # Each problem in Dutch, with the line of the value to change.
    (target_line, target), (role_line, role) = sorted(problems, key=lambda p: "rol" in p[1])
    assert target.startswith("stap 'aanvulling_vragen': onbekende eindstatus 'bestaat_niet'")
    assert lines[int(target_line) - 1] == 'to = "bestaat_niet"'
    assert "onbekende rol 'baas'" in role and lines[int(role_line) - 1] == 'roles = ["baas"]'
    assert "2 problemen" in html
    # The uploaded file's text is put in the text box, to fix it there.
    assert "bestaat_niet" in html.split("<textarea", 1)[1]
    assert len(_versions(admin_setup.org)) == 1


def test_problems_are_in_english_for_an_english_admin_and_a_root_cause_comes_once(
        client, admin_setup):
    client.get("/lang/en")
    no_end = PRESET.replace('kind = "terminal"', 'kind = "active"')
    response = _post(client, admin_setup, source=no_end)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    problems = re.findall(r'<li class="utrecht-unordered-list__item"><strong>Line (\d+):</strong>'
                          r' ([^<]*)</li>', html.replace("&#34;", '"'))
    # Before, this was one message per state that could no longer end.
    assert problems == [(str(no_end.splitlines().index('name = "concept"') + 1),
                         'there is no terminal state: give at least one state kind = "terminal" '
                         '(for example the decision), or cases never end')]


def test_definition_for_another_request_type_is_refused(client, admin_setup):
    source = preset_path("burgerinitiatief").read_text(encoding="utf-8")
    response = _post(client, admin_setup, source=source)
    assert response.status_code == 422
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "dit bestand is voor soort verzoek 'burgerinitiatief', niet 'uitdaagrecht'" in html
    line = source.splitlines().index('request_type = "burgerinitiatief"') + 1
    assert f"<strong>Regel {line}:</strong>" in html


def test_empty_upload_and_missing_note_are_refused(client, admin_setup):
    response = _post(client, admin_setup, source="", note="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Schrijf kort op wat er veranderd is." in html
    response = _post(client, admin_setup, source="   ")
    assert response.status_code == 422
    assert "Kies een bestand of plak de tekst van de procedure." in response.get_data(as_text=True)
    response = _post(client, admin_setup, file=b"\xff\xfe\x00binary")
    assert response.status_code == 422
    assert "Dit bestand is geen tekstbestand" in response.get_data(as_text=True)


def test_valid_upload_creates_version_2_used_by_new_cases_only(client, admin_setup, create_user):
    applicant = create_user()
    running = case_service.start_case(admin_setup.org, "uitdaagrecht", applicant=applicant,
                                      now=NOW)
    db.session.commit()
    changed = _changed_preset()
    assert changed != PRESET

    response = _post(client, admin_setup, file=changed.encode("utf-8"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"{admin_setup.base}/procedures/uitdaagrecht/versies/2")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Versie 2 opgeslagen; nieuwe verzoeken volgen deze versie, lopende zaken houden "
            "hun versie") in page
    assert "3 weken (21 dagen); daarna een herinnering" in page or "3 weken (21 dagen)" in page

    versions = _versions(admin_setup.org)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].source == changed
    assert versions[1].created_by_id == admin_setup.admin.id
    assert versions[1].note == "Intaketermijn naar 3 weken"

    new = case_service.start_case(admin_setup.org, "uitdaagrecht", applicant=applicant,
                                  now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, running.id).workflow_version.version == 1
    assert db.session.get(Case, new.id).workflow_version.version == 2
    def intake_days(case_id: int) -> int:
        case = db.session.get(Case, case_id)
        return case_service.workflow_of(case).state("intake").term.days

    assert (intake_days(new.id), intake_days(running.id)) == (21, 14)

    # The overview marks version 2 as current and counts one case for each version.
    html = client.get(f"{admin_setup.base}/procedures").get_data(as_text=True)
    section = html.split('id="heading-uitdaagrecht"', 1)[1].split("</section>", 1)[0]
    rows = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    assert "Versie 2" in rows[0] and "Geldt voor nieuwe verzoeken" in rows[0]
    assert "Anna Beheer" in rows[0] and '<td class="numeric">1</td>' in rows[0]
    assert "Versie 1" in rows[1] and "Oudere versie" in rows[1]
    assert '<td class="numeric">1</td>' in rows[1]
    # Downloading version 2 returns exactly what was uploaded.
    download = client.get(f"{admin_setup.base}/procedures/uitdaagrecht/versies/2/download")
    assert download.get_data(as_text=True) == changed


def test_start_from_preset_creates_a_new_version(client, admin_setup):
    _post(client, admin_setup, source=_changed_preset())
    response = client.post(f"{admin_setup.base}/procedures/uitdaagrecht/standaard")
    assert response.status_code == 303
    versions = _versions(admin_setup.org)
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[2].source == PRESET and versions[2].note == "Standaardprocedure"
    assert "Versie 3 opgeslagen" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(_versions(admin_setup.org, "burgerinitiatief")) == 1


def test_overview_counts_cases_in_one_grouped_query(client, admin_setup, create_user):
    from sqlalchemy import event

    applicant = create_user()
    for _ in range(3):
        case_service.start_case(admin_setup.org, "bewonersinitiatief", applicant=applicant,
                                now=NOW)
    admin_service.add_preset_version(admin_setup.org, "bewonersinitiatief",
                                         actor=admin_setup.admin, note="opnieuw")
    db.session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get(f"{admin_setup.base}/procedures").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    counting = [s for s in statements if "count(" in s.lower() and "workflow_versions" in s]
    assert len(counting) == 1 and "GROUP BY" in counting[0]
    # No case is loaded; the organisation comes with the latest change of its cases (one
    # index lookup, for the page cache), which is not a load.
    assert not any("FROM cases" in s and "count(" not in s.lower()
                   and "max(cases.updated_at)" not in s for s in statements)
    section = html.split('id="heading-bewonersinitiatief"', 1)[1].split("</section>", 1)[0]
    rows = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    assert "Versie 2" in rows[0] and '<td class="numeric">0</td>' in rows[0]
    assert "Versie 1" in rows[1] and '<td class="numeric">3</td>' in rows[1]


def test_initiative_version_page_explains_the_threshold_and_automatic_steps(client, admin_setup):
    html = client.get(f"{admin_setup.base}/procedures/burgerinitiatief/versies/1"
                      ).get_data(as_text=True)
    assert ("minstens 100 steunbetuigingen; verzamelen binnen 26 weken (182 dagen); "
            "vanaf 16 jaar") in html
    assert "Beslistermijn</dt>" not in html  # this procedure has no decision clock
    row = html.split("(verzamelperiode_verlopen)", 1)[1].split("</tr>", 1)[0]
    assert "automatisch als de termijn voorbij is" in row
    assert "griffie" in html.split("(toelaten)", 1)[1].split("</tr>", 1)[0]
