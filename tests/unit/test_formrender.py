"""The workbench's quick widgets write exactly what WTForms' own widgets write."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import html_params

from participation.formrender import fast_html_params, fast_render
from participation.workbench.forms import CheckboxGroupField, choices

ATTRIBUTES = [
    {"name": "a", "id": "b", "class_": "c d"},
    {"value": 'x "y" & <z>', "data_test_id": "1", "aria_describedby": "h e"},
    {"checked": True, "disabled": False, "required": False, "value": None},
    {"value": Markup('<b title="q">'), "for_": "f", "rows": 3, "step": 0.5},
    {"aria-invalid": "true", "aria-required": "true", "maxlength": 10, "min": date(2026, 1, 2)},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_fast_html_params_writes_what_html_params_writes(attributes) -> None:
    assert fast_html_params(**attributes) == html_params(**attributes)


class Everything(Form):
    text = StringField("Tekst", validators=[DataRequired(), Length(max=20)],
                       description=_l("Kort."))
    area = TextAreaField("Lang", validators=[Length(min=2, max=5000)])
    number = IntegerField("Getal")
    day = DateField("Dag")
    upload = FileField("Bestand")
    check = BooleanField("Vink")
    choice = SelectField("Keuze", choices=choices([("", "Kies"), ("a", 'A & "b"'), ("c", "<c>")]))
    radio = RadioField("Rondje", choices=choices([("x", "X"), ("y", "Y")]))
    group = CheckboxGroupField("Groep", choices=choices([("1", "Een"), ("2", "Twee")]))


FORMDATA = {"text": 'a "quoted" <b>', "area": "x & y", "number": "3", "day": "2026-09-01",
            "check": "y", "choice": "a", "radio": "y", "group": ["2"]}


@pytest.mark.parametrize("formdata", [None, FORMDATA])
def test_fast_render_keeps_every_field_as_it_was(app, formdata) -> None:
    from werkzeug.datastructures import MultiDict

    with app.test_request_context("/"):
        data = MultiDict(formdata) if formdata else None
        plain, quick = Everything(formdata=data), Everything(formdata=data)
        plain.validate(), quick.validate()
        fast_render(quick)
        assert quick.area.widget is not plain.area.widget  # the quick ones are in use
        assert quick.choice.widget is not plain.choice.widget
        for name in plain._fields:
            before, after = plain[name], quick[name]
            assert str(after(class_="k", aria_describedby="d")) == str(
                before(class_="k", aria_describedby="d")), name
            assert str(after.label.text) == str(before.label.text)
            assert str(after.description) == str(before.description)
            if name in ("radio", "group", "choice"):
                assert [str(o()) for o in after] == [str(o()) for o in before], name


@pytest.mark.parametrize("language", ["nl", "en"])
def test_fast_render_translates_labels_and_hints_as_the_page_would(app, language) -> None:
    from participation.workbench.forms import MessageForm, NoteForm

    with app.test_request_context("/", headers={"Accept-Language": language}):
        for form_class in (NoteForm, MessageForm):
            plain, quick = form_class(formdata=None), form_class(formdata=None)
            fast_render(quick)
            assert isinstance(quick.body.label.text, Markup)
            assert str(quick.body.label.text) == str(plain.body.label.text)
            assert str(quick.body.description) == str(plain.body.description)
        if language == "en":
            assert str(quick.body.label.text) != "Bericht aan de aanvrager"  # translated
