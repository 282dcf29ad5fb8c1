"""Guard rails for templates and static files, and the behaviour of the shared layout and macros."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template_string
from jinja2 import nodes
from wtforms import BooleanField, Form, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
ALL_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.html"))
# An HTML email is not a web page: no CSP applies, and mail clients drop <style> elements, so
# its styles are inline attributes. Every other template is served under the CSP.
WEB_TEMPLATES = [p for p in ALL_TEMPLATES if "emails" not in p.relative_to(TEMPLATES).parts]

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def _rel(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def _parsed(app, path: Path):
    return app.jinja_env.parse(path.read_text(encoding="utf-8"))


def _extends_base(tree) -> bool:
    extends = tree.find(nodes.Extends)
    return extends is not None and isinstance(extends.template, nodes.Const) \
        and extends.template.value == "base.html"


def test_there_are_templates_to_check():
    assert TEMPLATES / "base.html" in ALL_TEMPLATES and len(ALL_TEMPLATES) > 5


@pytest.mark.parametrize("path", WEB_TEMPLATES, ids=_rel)
def test_no_inline_script_or_style(path):
    # The CSP forbids inline code: it would silently not run or not apply.
    source = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(source), "inline <script> (use a file in static/js)"
    assert not STYLE_ATTRIBUTE.search(source), "style= attribute (use a class in static/css)"
    assert not STYLE_ELEMENT.search(source), "<style> element (use static/css)"


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=_rel)
def test_fragments_do_not_extend_base_and_pages_have_a_title(app, path):
    tree = _parsed(app, path)
    if path.name.startswith("_") or "_macros" in path.parts:
        assert not _extends_base(tree), "a fragment or macro file must not extend base.html"
    elif _extends_base(tree):
        blocks = {block.name for block in tree.find_all(nodes.Block)}
        assert "title" in blocks, "a page must set {% block title %}"
        assert "content" in blocks


def _vendored_htmx() -> list[Path]:
    return sorted((STATIC / "vendor").glob("htmx-*.min.js"))


def test_one_vendored_htmx_2_0_x_and_base_uses_it():
    files = _vendored_htmx()
    assert len(files) == 1, files
    version = re.fullmatch(r"htmx-(\d+\.\d+\.\d+)\.min\.js", files[0].name).group(1)
    assert re.fullmatch(r"2\.0\.\d+", version), "stay on htmx 2.0.x (4.x changes inheritance)"
    assert f'version:"{version}"' in files[0].read_text(encoding="utf-8"), "file name and contents differ"
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert f"vendor/{files[0].name}" in base


def test_every_static_file_in_base_exists_and_nothing_comes_from_a_cdn():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    referenced = re.findall(r"url_for\('static',\s*filename='([^']+)'\)", base)
    assert len(referenced) >= 4  # the NL Design System subset, app.css, htmx, app.js
    for name in referenced:
        assert (STATIC / name).is_file(), name
    for path in ALL_TEMPLATES:
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", path.read_text(encoding="utf-8")), path


def test_vendored_css_has_its_licence_next_to_it():
    for css in (STATIC / "vendor").glob("*/*.css"):
        assert any(css.parent.glob("LICENSE*")), css.parent


# --- The layout as a visitor sees it -------------------------------------------------------


def test_layout_has_skip_link_live_region_and_theme(client, create_org):
    org = create_org(slug="zonnedal", name="Gemeente Zonnedal", phone="14 0999",
                     address="Raadhuisplein 1, 9991 AA Zonnedal")
    html = client.get(f"/{org.slug}/").get_data(as_text=True)
    assert re.search(r'<a class="utrecht-skip-link[^"]*" href="#main">', html)
    assert '<main id="main"' in html
    assert re.search(r'<div id="live-region" class="visually-hidden" aria-live="polite"', html)
    assert f'href="/{org.slug}/theme.css"' in html
    # Contact details of the organisation in the footer.
    footer = html.split("<footer", 1)[1]
    assert "Raadhuisplein 1, 9991 AA Zonnedal" in footer and 'href="tel:140999"' in footer


def _nav_labels(html: str) -> list[str]:
    nav = html.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'class="utrecht-nav-list__link[^"]*" href="[^"]+"[^>]*>([^<]+)</a>', nav)


def test_navigation_shows_sections_by_role(client, create_org, create_user, login):
    org = create_org()
    assert _nav_labels(client.get(f"/{org.slug}/").get_data(as_text=True)) == [
        "Uitdaagrecht", "Initiatieven", "Register"]

    login(create_user(org=org, role="griffie"))
    labels = _nav_labels(client.get(f"/{org.slug}/").get_data(as_text=True))
    assert labels == ["Uitdaagrecht", "Initiatieven", "Register", "Werkbak", "Griffie"]


def test_navigation_marks_the_current_section(client, create_org):
    org = create_org()
    html = client.get(f"/{org.slug}/bestaat-niet").get_data(as_text=True)
    assert 'aria-current="page"' not in html
    html = client.get(f"/{org.slug}/register").get_data(as_text=True)
    if "Hoofdmenu" in html:  # the register page exists once its blueprint is in
        assert re.search(rf'href="/{org.slug}/register" aria-current="page"', html)


def test_no_navigation_outside_an_organisation(client):
    assert 'aria-label="Hoofdmenu"' not in client.get("/").get_data(as_text=True)


# --- Form macros -----------------------------------------------------------------------------


class ExampleForm(Form):
    title = StringField("Titel", validators=[DataRequired("Vul een titel in.")])
    summary = TextAreaField("Samenvatting", validators=[Length(max=5, message="Maximaal 5 tekens.")])
    who = RadioField("Wie dient in?", choices=[SelectChoice("me", "Ik"), SelectChoice("org", "Een organisatie")],
                     validators=[DataRequired("Kies wie het verzoek indient.")])
    agree = BooleanField("Ik ga akkoord")


MACROS = ('{% from "_macros/forms.html" import field, error_summary, submit, csrf %}'
          "{{ error_summary(form) }}{{ field(form.title, hint='Kort en duidelijk.', autocomplete='off') }}"
          "{{ field(form.summary) }}{{ field(form.who) }}{{ field(form.agree) }}"
          "{{ submit('Versturen') }}{{ submit('Concept opslaan', name='action', value='draft', secondary=True) }}")


def _render_form(app, data):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context("/"):
        form = ExampleForm(MultiDict(data))
        if data:
            form.validate()
        return render_template_string(MACROS, form=form)


def test_valid_form_has_no_summary_and_marks_required_fields(app):
    html = _render_form(app, {})
    assert "Controleer de volgende punten" not in html and 'aria-invalid' not in html
    assert re.search(r'<label class="utrecht-form-label" for="title">Titel <span[^>]*>\(verplicht\)</span>', html)
    assert re.search(r'<label class="utrecht-form-label" for="summary">Samenvatting</label>', html)
    # The hint is linked to the input; the server, not the browser, checks required fields.
    title_input = re.search(r"<input[^>]*id=\"title\"[^>]*>", html).group(0)
    assert 'aria-describedby="title-hint"' in title_input and 'autocomplete="off"' in title_input
    assert 'aria-required="true"' in title_input and " required" not in title_input
    assert 'class="utrecht-button utrecht-button--submit utrecht-button--primary-action"' in html
    assert re.search(r'utrecht-button--secondary-action"\s+name="action" value="draft">Concept opslaan', html)


def test_invalid_form_links_summary_to_fields_and_keeps_input(app):
    html = _render_form(app, {"title": "", "summary": "te lange tekst"})
    summary = re.search(r'<div class="error-summary[^"]*"[^>]*role="alert"[^>]*>(.*?)</div>\s*</div>',
                        html, re.S).group(1)
    assert "Controleer de volgende punten" in summary
    assert re.findall(r'href="#([^"]+)"', summary) == ["title", "summary", "who-0"]
    # Focus starts at the summary (GOV.UK pattern): focusable, and focused on load by the
    # browser itself (autofocus), so also without JavaScript; app.js does it after an htmx swap.
    opening = re.search(r'<div class="error-summary[^>]*>', html).group(0)
    assert 'tabindex="-1"' in opening and " autofocus" in opening
    assert html.count(" autofocus") == 1

    title_input = re.search(r"<input[^>]*id=\"title\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in title_input
    assert 'aria-describedby="title-hint title-error"' in title_input
    assert re.search(r'id="title-error">\s*<span class="visually-hidden">Fout: </span>Vul een titel in.</p>', html)

    textarea = re.search(r"<textarea[^>]*>[^<]*</textarea>", html).group(0)
    assert 'aria-invalid="true"' in textarea and "te lange tekst" in textarea

    group = re.search(r'<fieldset[^>]*id="who"[^>]*>', html).group(0)
    assert 'role="radiogroup"' in group and 'aria-invalid="true"' in group
    assert 'aria-describedby="who-error"' in group
    # Individual radios carry no aria-invalid/aria-required (not allowed on role radio).
    for radio in re.findall(r'<input[^>]*type="radio"[^>]*>', html):
        assert "aria-" not in radio and " required" not in radio


def test_csrf_macro_uses_the_session_token(app):
    with app.test_request_context("/"):
        html = render_template_string('{% from "_macros/forms.html" import csrf %}{{ csrf() }}')
    assert re.fullmatch(r'<input type="hidden" name="csrf_token" value="[^"]{20,}">', html.strip())


def test_ui_macros(app):
    source = ('{% from "_macros/ui.html" import status_badge, alert, progress_bar, pagination %}'
              "{{ status_badge('Toegekend', 'success') }}|{{ alert('Opgeslagen.', 'success') }}|"
              "{{ progress_bar(620, 500, 'Steunbetuigingen', id='steun') }}|{{ pagination(one, url) }}|"
              "{{ pagination(many, url) }}")

    class Page:
        def __init__(self, page, pages):
            self.page, self.pages = page, pages
            self.has_prev, self.prev_num = page > 1, page - 1
            self.has_next, self.next_num = page < pages, page + 1

        def iter_pages(self, **_):
            return [n for n in range(1, self.pages + 1)]

    with app.test_request_context("/"):
        badge, alert, progress, single, paged = render_template_string(
            source, one=Page(1, 1), many=Page(2, 3), url=lambda n: f"?pagina={n}").split("|")
    assert 'utrecht-status-badge--safe">Toegekend<' in badge
    assert "utrecht-alert--ok" in alert and "Opgeslagen." in alert
    # More signatures than needed: the bar is full, the text tells the real count.
    assert re.search(r'<label class="progress__label" for="steun">Steunbetuigingen</label>', progress)
    assert 'value="500" max="500"' in progress and "620 van 500" in progress
    assert single.strip() == ""
    assert 'rel="prev" href="?pagina=1"' in paged and 'rel="next" href="?pagina=3"' in paged
    assert re.search(r'aria-current="page" href="\?pagina=2"', paged)
