"""Rendering bound WTForms forms with the same markup, faster: WTForms writes every HTML
attribute through Markup.format() (a string.Formatter run) and every option through its own
Choice and html_params() call, and a lazy label is translated each time it is looked at.
Pages with many forms (the work queue, an official's case page, the council desk) call
fast_render() on their bound forms; tests/unit/test_formrender.py holds the output equal to
WTForms' own."""
from __future__ import annotations

import copy
from typing import Any
from weakref import WeakKeyDictionary

import flask_babel
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from wtforms import SelectChoice, SelectField
from wtforms.fields import FieldList, FormField
from wtforms.form import BaseForm
from wtforms.widgets import Input, Select, TextArea, html_params
from wtforms.widgets.core import clean_key

from participation.extensions import translations


def fast_html_params(**kwargs: Any) -> Markup:
    """wtforms.widgets.html_params, the same output, without its Markup.format() (a
    string.Formatter run) per attribute: a case page with its step forms has some 350."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is False:
            continue
        name = escape(clean_key(key))
        if value is True:
            params.append(str(name))
        else:
            params.append(f'{name}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


class PlainSelect(Select):
    """WTForms' Select, the same markup, with the options written in a plain loop: its own
    path builds a Choice and an html_params() call per option, which was most of the work
    queue's form cost (a few hundred options per request)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        choices = field.choices
        if self.multiple or not isinstance(choices, list) or not all(
                type(c) is SelectChoice and not c.render_kw and c.optgroup is None
                for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = vars(field.flags)
        for key in self.validation_attrs:
            if key in flags and key not in kwargs:
                kwargs[key] = flags[key]
        html = [f"<select {fast_html_params(name=field.name, **kwargs)}>"]
        data = field.data
        coerce = field.coerce
        for choice in choices:
            selected = " selected" if coerce(choice.value) == data else ""
            html.append(f'<option{selected} value="{escape(choice.value)}">'
                        f"{escape(choice.label or choice.value)}</option>")
        html.append("</select>")
        return Markup("".join(html))


class FastTextArea(TextArea):
    """WTForms' TextArea with fast_html_params."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        flags = vars(field.flags)
        for key in self.validation_attrs:
            if key in flags and key not in kwargs:
                kwargs[key] = flags[key]
        return Markup(f"<textarea {fast_html_params(name=field.name, **kwargs)}>\r\n"
                      f"{escape(field._value())}</textarea>")


_FAST: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()
_AS_IS = object()


def _translated(text: LazyString) -> Markup:
    """Markup(text), the same translation: a lazy_gettext string straight from the request's
    catalogue (flask_babel's gettext looks its context up four times per string, which was
    half of a case page's form preparation); any other lazy string the usual way."""
    if getattr(text, "_func", None) is flask_babel.gettext and len(text._args) == 1:
        found = translations().ugettext(text._args[0])
        return Markup(found % text._kwargs if text._kwargs else found)
    return Markup(text)


def _fast_widget(widget: Any) -> Any:
    """The widget with the same output made with fast_html_params (made once per widget:
    a field class shares its widget), or _AS_IS."""
    fast = _FAST.get(widget)
    if fast is None:
        if type(widget) is TextArea:
            fast = FastTextArea()
        elif type(widget) is Select and not widget.multiple:
            fast = PlainSelect()
        elif isinstance(widget, Input) and type(widget).html_params is html_params:
            fast = copy.copy(widget)  # keeps its settings (input type, multiple)
            fast.html_params = fast_html_params
        else:
            fast = _AS_IS
        _FAST[widget] = fast
    return fast


def fast_render(*forms: BaseForm | None) -> None:
    """Make bound forms quicker to render, with the same output (the forms of other modules
    too, such as the agreement's): widgets that skip WTForms' slow attribute writing, and
    labels and hints translated once. A lazy string is translated each time it is looked at,
    and the field macro looks at a hint up to five times; Markup, because a lazy string goes
    into a template unescaped (its __html__) and so must its translation."""
    for form in forms:
        for field in form or ():
            _fast_field(field)


def _fast_field(field: Any) -> None:
    if isinstance(field.description, LazyString):
        field.description = _translated(field.description)
    if isinstance(field.label.text, LazyString):
        field.label.text = _translated(field.label.text)
    for name in ("widget", "option_widget"):
        widget = getattr(field, name, None)
        if widget is not None and (fast := _fast_widget(widget)) is not _AS_IS:
            setattr(field, name, fast)
    if isinstance(field, FieldList):
        for entry in field.entries:
            _fast_field(entry)
    elif isinstance(field, FormField):
        fast_render(field.form)


def plain_select(label: Any, **kwargs: Any) -> SelectField:
    return SelectField(label, choices=[], widget=PlainSelect(), **kwargs)
