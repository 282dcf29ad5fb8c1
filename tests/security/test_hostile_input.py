"""Hostile input through every form a resident or official fills and every query parameter
of the register, the API and the work queue: never a 5xx, and whatever is shown back is
escaped (no script, event handler, javascript: link or htmx attribute of ours survives).

Forms are found by reading the pages themselves: every <form method="post"> on the page,
every text field in it, so a field added later is covered without changing this file.
The corpus: our own strings plus the Big List of Naughty Strings (data/blns.json, MIT),
spread over the pages so that together they see every string.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participation.sanitize import clean_html, plain

BLNS = json.loads((Path(__file__).parent / "data" / "blns.json").read_text("utf-8"))
OWN = [
    "<script>alert(1)</script>",
    '"><script>alert(document.cookie)</script>',
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "javascript:alert(1)",
    '<div hx-get="/pwned-hx" hx-trigger="load">x</div>',
    '<button hx-on:click="alert(1)" data-hx-post="/pwned-hx">x</button>',
    "x" * 10_000,
    "nul\x00teken en \x01\x02\x1b[31m besturingstekens\x7f",
    "\u202eevil\u202c rechts-naar-links en zero\u200dwidth\u200bjoiner",
    "مرحبا שלום 漢字 🏳️‍🌈 Z̷̢͠a̸l̶g̵o",
    "'; DROP TABLE cases; --",
    "1' OR '1'='1",
    "{{ 7*7 }} {% print(1) %} ${7*7} %s %(x)s",
    "../../../../etc/passwd",
    "\r\nSet-Cookie: evil=1",
]
# Markers that may appear in a page only if some user text was not escaped.
UNESCAPED = ["<script>alert(", "<img src=x onerror", "<svg/onload", 'href="javascript:',
             'hx-get="/pwned-hx"', 'hx-on:click="alert', 'data-hx-post="/pwned-hx"',
             "<script>alert(document.cookie)"]
SKIP_ACTIONS = ("uitloggen", "verwijderen", "intrekken", "gelezen", "/lang/", "bulk")
TEXT_TYPES = {"text", "email", "search", "password", "url", "tel", "number", "date", "time",
              "datetime-local", "month", "color", ""}


class Forms(HTMLParser):
    """Every POST form on a page: its action, the text fields to fill and the other values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._current: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = {"action": a.get("action") or "", "text": [], "fixed": {}}
            self.forms.append(self._current)
        form = self._current
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "textarea":
            form["text"].append(name)
        elif tag == "input":
            kind = (a.get("type") or "").lower()
            if kind in TEXT_TYPES:
                form["text"].append(name)
            elif kind == "hidden" or (kind in ("checkbox", "radio") and "checked" in a):
                form["fixed"].setdefault(name, a.get("value") or "")
            elif kind in ("checkbox", "radio"):
                form["fixed"].setdefault(name, a.get("value") or "y")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            form["fixed"].setdefault(self._select, a.get("value") or "")
        elif tag == "button" and a.get("value") is not None:
            form["fixed"].setdefault(name, a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def forms_on(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    # One form per kind of action (a question's answer form stands for all of them).
    kinds: dict[str, dict] = {}
    for form in parser.forms:
        if form["action"] and not any(s in form["action"] for s in SKIP_ACTIONS):
            kinds.setdefault(re.sub(r"\d+", "N", form["action"]), form)
    return list(kinds.values())


def assert_escaped(response, context: str) -> None:
    assert response.status_code < 500, f"{context}: {response.status_code}"
    if response.mimetype != "text/html":
        return
    html = response.get_data(as_text=True)
    for marker in UNESCAPED:
        assert marker not in html, f"{context}: unescaped {marker!r}"


# (role, page) pairs whose forms are filled with hostile text.
PAGES = [
    ("anonymous", "/account/registreren"),
    ("anonymous", "/account/inloggen"),
    ("anonymous", "/account/wachtwoord-vergeten"),
    ("anonymous", "/account/bevestigen-opnieuw"),
    ("resident", "/account/"),
    ("resident", "/account/wachtwoord"),
    *[("owner", f"/{{a}}/uitdaagrecht/{{draft}}/stap/{n}") for n in range(1, 8)],
    ("owner", "/{a}/uitdaagrecht/{challenge}"),
    ("owner", "/{a}/initiatieven/nieuw"),
    ("owner", "/{a}/initiatieven/{initiative_draft}/bewerken"),
    ("resident", "/{a}/initiatieven/{initiative}"),
    ("coordinator", "/{a}/initiatieven/{initiative_staff}"),
    ("coordinator", "/{a}/werkbak/zaken/{challenge}"),
    ("coordinator", "/{a}/werkbak/sjablonen"),
    ("griffie", "/{a}/griffie/vergaderingen/nieuw"),
    ("griffie", "/{a}/griffie/vergaderingen/{meeting}"),
    ("griffie", "/{a}/griffie/vergaderingen/{meeting}/bewerken"),
    ("griffie", "/{a}/griffie/agendapunten/{agenda_item}/bewerken"),
    ("griffie", "/{a}/griffie/agendapunten/{agenda_item}/besluit"),
    ("griffie", "/{a}/griffie/zaken/{initiative_submitted}/stap/ontvangst_bevestigen"),
    ("admin", "/{a}/beheer/taken/nieuw"),
    ("admin", "/{a}/beheer/taken/{task}"),
    ("admin", "/{a}/beheer/huisstijl"),
    ("admin", "/{a}/beheer/gebruikers"),
]
# Pages that show stored text back, checked after everything has been posted.
SHOWN_BACK = [
    ("owner", "/{a}/uitdaagrecht/{challenge}"), ("owner", "/{a}/uitdaagrecht/{draft}/stap/7"),
    ("anonymous", "/{a}/initiatieven/{initiative}"), ("owner", "/{a}/initiatieven/{initiative_draft}"),
    ("coordinator", "/{a}/werkbak/zaken/{challenge}"), ("coordinator", "/{a}/werkbak/"),
    ("coordinator", "/{a}/werkbak/sjablonen"), ("griffie", "/{a}/griffie/vergaderingen/{meeting}"),
    ("griffie", "/{a}/griffie/"), ("admin", "/{a}/beheer/taken"), ("anonymous", "/{a}/register"),
    ("anonymous", "/{a}/register/{challenge}"), ("resident", "/account/"),
    ("owner", "/mijn/zaken"), ("owner", "/mijn/meldingen"),
]


def strings_for(index: int) -> list[str]:
    return OWN + BLNS[index::len(PAGES)]


@pytest.mark.parametrize("index", range(len(PAGES)), ids=[p[1] for p in PAGES])
def test_every_form_field_takes_hostile_text(world, index):
    role, template = PAGES[index]
    url = template.format(a=world.a, **world.ids)
    client = world.client(role)
    posted = 0
    for text in strings_for(index):
        page = client.get(url)
        assert_escaped(page, f"GET {url}")
        if page.status_code != 200:
            continue
        for form in forms_on(page.get_data(as_text=True)):
            data = dict(form["fixed"])
            data.update(dict.fromkeys(form["text"], text))
            data.pop("csrf_token", None)
            response = client.post(form["action"], data=data)
            assert_escaped(response, f"POST {form['action']} from {url} as {role}: {text[:40]!r}")
            posted += 1
            if response.status_code in (302, 303) and response.headers["Location"].startswith("/"):
                assert_escaped(client.get(response.headers["Location"]),
                               f"after POST {form['action']}")
        # Logged-out pages (login/registration) stay logged out; the others must keep working.
    assert posted, f"no form found on {url} as {role}"


def test_stored_text_is_shown_escaped(world):
    for role, template in SHOWN_BACK:
        url = template.format(a=world.a, **world.ids)
        response = world.client(role).get(url)
        assert_escaped(response, f"GET {url} as {role}")


QUERY_PAGES = [
    ("anonymous", "/register", ("q", "type", "status", "jaar", "uitkomst", "organisatie", "pagina",
                                "page")),
    ("anonymous", "/{a}/register", ("q", "type", "status", "jaar", "uitkomst", "pagina", "page")),
    ("anonymous", "/api/v1/zaken", ("q", "organisatie", "type", "status", "jaar", "uitkomst",
                                    "page", "page_size")),
    ("anonymous", "/api/v1/besluiten", ("organisatie", "page", "page_size", "q")),
    ("anonymous", "/api/ori/v2/vergaderingen", ("organisatie", "page", "gewijzigdSinds")),
    ("anonymous", "/api/ori/v2/agendapunten", ("organisatie", "page", "gewijzigdSinds")),
    ("anonymous", "/api/ori/v2/besluiten", ("organisatie", "page", "gewijzigdSinds")),
    ("anonymous", "/open-data/verzoeken.csv", ("q", "type", "status", "jaar")),
    ("anonymous", "/{a}/initiatieven/", ("pagina",)),
    ("anonymous", "/account/inloggen", ("next",)),
    ("coordinator", "/{a}/werkbak/", ("q", "state", "assignee", "type", "overdue", "pagina")),
    ("griffie", "/{a}/griffie/vergaderingen/", ("pagina", "q")),
]


@pytest.mark.parametrize("role, template, params", QUERY_PAGES, ids=[q[1] for q in QUERY_PAGES])
def test_every_query_parameter_takes_hostile_text(world, role, template, params):
    url = template.format(a=world.a, **world.ids)
    client = world.client(role)
    for number, text in enumerate(OWN + BLNS[::7]):
        # One parameter at a time, then all together.
        name = params[number % len(params)]
        for query in ({name: text}, dict.fromkeys(params, text)):
            response = client.get(url + "?" + urlencode(query))
            assert_escaped(response, f"GET {url}?{name}={text[:40]!r} as {role}")


def test_the_api_search_takes_the_whole_corpus(world):
    client = world.client("anonymous")
    for text in BLNS:
        response = client.get("/api/v1/zaken?" + urlencode({"q": text}))
        assert response.status_code in (200, 400), (text, response.status_code)
        assert response.is_json


HYPOTHESIS = settings(max_examples=25, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)


@HYPOTHESIS
@given(q=ANY_TEXT)
def test_register_search_never_fails(world, q):
    response = world.client("anonymous").get(f"/{world.a}/register?" + urlencode({"q": q}))
    assert response.status_code in (200, 400)
    assert_escaped(response, repr(q))


@HYPOTHESIS
@given(q=ANY_TEXT, page=st.one_of(st.integers(-10**20, 10**20).map(str), ANY_TEXT))
def test_api_search_and_paging_never_fail(world, q, page):
    response = world.client("anonymous").get("/api/v1/zaken?" + urlencode({"q": q, "page": page}))
    assert response.status_code in (200, 400)
    body = response.get_json()
    assert ("results" in body) if response.status_code == 200 else ("fouten" in body)


@HYPOTHESIS
@given(body=ANY_TEXT)
def test_comment_body_is_stored_or_refused_and_shown_escaped(world, body):
    client = world.client("resident")
    url = f"/{world.a}/initiatieven/{world.ids['initiative']}"
    response = client.post(url + "/reacties", data={"body": body})
    assert response.status_code in (303, 422)
    page = client.get(url)
    assert_escaped(page, repr(body))


def test_sanitizer_allowlist():
    dirty = ('<p onclick="x" hx-get="/pwned-hx" data-hx-post="/a" style="color:red">Hallo '
             '<strong>wereld</strong><script>alert(1)</script> <a href="javascript:alert(1)">a</a>'
             ' <a href="https://example.nl" target="_blank">b</a> <a href="mailto:x@y.nl">c</a>'
             '<img src=x onerror=alert(1)><iframe src="/"></iframe></p>')
    cleaned = str(clean_html(dirty))
    assert cleaned == ('<p>Hallo <strong>wereld</strong>alert(1) <a>a</a> '
                       '<a href="https://example.nl">b</a> <a href="mailto:x@y.nl">c</a></p>')
    assert str(clean_html("<blockquote><ul><li><em>x</em><br></li></ul></blockquote>")) == \
        "<blockquote><ul><li><em>x</em><br></li></ul></blockquote>"
    assert plain("a\u202eb\x00c\x1b") == "abc"


def test_user_html_filter_is_registered(app):
    with app.app_context():
        template = app.jinja_env.from_string("{{ text|user_html }}|{{ text }}")
        rendered = template.render(text='<em hx-get="/pwned-hx">hoi</em>')
    html, escaped = rendered.split("|")
    assert html == "<em>hoi</em>"
    assert escaped == "&lt;em hx-get=&#34;/pwned-hx&#34;&gt;hoi&lt;/em&gt;"


@HYPOTHESIS
@given(text=ANY_TEXT)
def test_clean_html_output_has_no_active_content(text):
    cleaned = str(clean_html(text)).lower()
    assert "<script" not in cleaned and "<iframe" not in cleaned
    assert not re.search(r'href="\s*(javascript|data|vbscript):', cleaned)
    assert not re.search(r"<[^>]+\s(on\w+|hx-[\w:-]+|data-hx-[\w:-]+|style)\s*=", cleaned)


@pytest.mark.parametrize("text", ["⁰⁴⁵₀₁₂", "١٢٣", "99999999999999999999999", "-1", "0x10", " 7"])
def test_numbers_that_are_not_plain_digits(world, text):
    """Superscript digits pass str.isdigit() but not int(): they once gave a 500."""
    client = world.client("coordinator")
    for url in (f"/register?pagina={text}", f"/{world.a}/register?jaar={text}",
                f"/api/v1/zaken?page={text}&page_size={text}", f"/api/v1/besluiten?page={text}",
                f"/api/ori/v2/vergaderingen?page={text}", (f"/{world.a}/werkbak/?pagina={text}"
                f"&assignee={text}")):
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_huge_ids_in_urls_are_not_found(world, number):
    for role, url in [("anonymous", f"/{world.a}/register/{number}"),
                      ("anonymous", f"/{world.a}/initiatieven/{number}"),
                      ("anonymous", f"/api/v1/zaken/{world.a}/{number}"),
                      ("anonymous", f"/api/ori/v2/vergaderingen/{number}"),
                      ("owner", f"/{world.a}/uitdaagrecht/{number}"),
                      ("coordinator", f"/{world.a}/werkbak/zaken/{number}"),
                      ("griffie", f"/{world.a}/griffie/vergaderingen/{number}"),
                      ("admin", f"/{world.a}/beheer/taken/{number}")]:
        assert world.client(role).get(url).status_code == 404, (role, url)


@pytest.mark.parametrize("segment", ["%00", "a%00b", "%E2%80%AE", "%C0%AF", "..%2F..%2Fetc"])
def test_hostile_path_segments_are_not_found(world, segment):
    cases = [("anonymous", f"/{segment}/"), ("anonymous", f"/{segment}/register"),
             ("anonymous", f"/account/bevestigen/{segment}"),
             ("anonymous", f"/account/wachtwoord-herstellen/{segment}"),
             ("anonymous", f"/api/v1/zaken/{segment}/1"), ("anonymous", f"/lang/{segment}"),
             ("anonymous", f"/feeds/{segment}/besluiten.atom"),
             ("anonymous", f"/open-data/{segment}/verzoeken.csv"),
             ("admin", f"/{world.a}/beheer/procedures/{segment}/nieuw"),
             ("griffie", f"/{world.a}/griffie/zaken/{world.ids['initiative']}/stap/{segment}")]
    for role, url in cases:
        response = world.client(role).get(url)
        assert response.status_code in (400, 404), (role, url, response.status_code)
    response = world.client("coordinator").post(
        f"/{world.a}/werkbak/zaken/{world.ids['challenge']}/stappen/{segment}")
    assert response.status_code in (400, 404)


def test_control_characters_in_requests_are_replaced_not_removed(app):
    with app.test_request_context("/?q=ad%00min&r=a%09b", method="POST",
                                  data={"naam": "x\x00y\x1bz", "tekst": "regel\r\nregel\t"}):
        from flask import request

        assert request.args["q"] == "ad\ufffdmin"  # not "admin"
        assert request.args["r"] == "a\tb"
        assert request.form["naam"] == "x\ufffdy\ufffdz"
        assert request.form["tekst"] == "regel\r\nregel\t"
