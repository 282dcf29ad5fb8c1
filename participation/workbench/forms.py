"""Forms of the workbench. A transition's form is built from the inputs the workflow
declares for it, so a procedure change needs no code change."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from participation.domain import grounds
from participation.domain import workflow as wf
from participation.domain.workflow import MAX_INPUT_DAYS
from participation.formrender import plain_select
from participation.models import Meeting, Organisation
from participation.services import cases as case_service


class Needed:
    """Marks a field as required in its label; the workflow service does the checking, so
    that the message is the same with and without this form (and in the bulk action)."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


# A date picker sends 2026-09-01; where a browser shows a plain text box, people type the
# Dutch way. Both are read; the hint shows the typed form.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
DATE_HINT = _l("Bijvoorbeeld 01-09-2026.")


def choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


class CheckboxGroupField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


_DAYS = NumberRange(min=1, max=MAX_INPUT_DAYS,
                    message=_l("Geef een heel getal van 1 tot en met 365."))


def _days_field(label: Any, description: Any, required: bool, default: int | None) -> Any:
    validators = [Needed(), _DAYS] if required else [Optional(), _DAYS]
    return IntegerField(label, validators=validators, description=description, default=default)


class TransitionFormBase(FlaskForm):
    lock_version = HiddenField()


def transition_form(transition: wf.Transition, definition: wf.Workflow, org: Organisation, *,
                    meetings: list[Meeting], today: date, submitted: bool = False) -> FlaskForm:
    """A form with exactly the inputs `transition` takes, prefixed with its name so that
    several forms can share the page. (Fields show in the order they are made.)"""
    required = set(transition.inputs)
    declared = transition.inputs + transition.optional_inputs
    with_decision = "decision" in declared

    def mark(kind: str) -> list[Any]:
        return [Needed()] if kind in required or (kind == "reason" and with_decision) else []

    attrs = _exchange_fields(transition, definition, declared, required, mark)
    attrs.update(_choice_fields(definition, declared, mark, meetings))
    if "reason" in declared or with_decision:
        attrs["reason"] = _reason_field(transition, with_decision, mark)
    if with_decision:
        attrs.update(_decision_record_fields(transition, org, today))
    if "document" in declared:
        attrs["document"] = FileField(
            _l("Document") if not with_decision else _l("Besluitdocument"),
            validators=mark("document"),
            description=_l("PDF, Word, ODT, PNG, JPG of tekst, maximaal 10 MB."))
    if with_decision:
        attrs["confirm"] = _confirmation_field(transition, definition)
    form_class = type(f"TransitionForm_{transition.name}", (TransitionFormBase,), attrs)
    if submitted:  # Flask-WTF reads request.form and request.files
        form = form_class(prefix=transition.name)
    else:
        form = form_class(prefix=transition.name, formdata=None)
    _use_procedure_labels(form, transition)
    return form


def _use_procedure_labels(form: FlaskForm, transition: wf.Transition) -> None:
    """The procedure file may name an input in its own words (a question to an advisory
    group is not a question to the applicant)."""
    locale = str(get_locale())
    for custom in transition.input_labels:
        if custom.kind in form:
            form[custom.kind].label.text = custom.label(locale)
            if custom.help(locale):
                form[custom.kind].description = custom.help(locale)


def _exchange_fields(transition: wf.Transition, definition: wf.Workflow, declared: tuple,
                     required: set[str], mark: Any) -> dict[str, Any]:
    """Asking the applicant, their answer, and the terms that go with it."""
    attrs: dict[str, Any] = {}
    if "question" in declared:
        attrs["question"] = TextAreaField(
            _l("Uw vraag aan de aanvrager"), validators=mark("question"),
            description=_l("De aanvrager krijgt deze vraag per e-mail."))
    if "term_days" in declared:
        target_term = definition.state(transition.target).term
        default = (case_service.DEFAULT_INFORMATION_TERM_DAYS if "term_days" in required
                   else (target_term.days if target_term else None))
        attrs["term_days"] = _days_field(_l("Termijn voor de aanvrager (in dagen)"),
                                         _l("Binnen deze termijn moet de aanvrager reageren."),
                                         "term_days" in required, default)
    if "answer" in declared:
        attrs["answer"] = TextAreaField(_l("Antwoord van de aanvrager"), validators=mark("answer"))
    if "extension_days" in declared:
        allowed = definition.decision_clock.extension_days if definition.decision_clock else 0
        attrs["extension_days"] = _days_field(
            _l("Aantal dagen verlenging"),
            _l("Maximaal %(days)s dagen. De beslistermijn kan maar één keer worden verlengd.",
               days=allowed), "extension_days" in required, allowed or None)
    return attrs


def _choice_fields(definition: wf.Workflow, declared: tuple, mark: Any,
                   meetings: list[Meeting]) -> dict[str, Any]:
    """Refusal grounds, exclusions, the outcome and the meeting, from their code lists."""
    attrs: dict[str, Any] = {}
    if "refusal_grounds" in declared:
        attrs["refusal_grounds"] = CheckboxGroupField(
            _l("Weigeringsgronden"), validators=mark("refusal_grounds"),
            choices=choices((code, f"{code}: {grounds.REFUSAL_GROUNDS[code].label_nl}")
                            for code in definition.refusal_grounds
                            if code in grounds.REFUSAL_GROUNDS),
            description=_l("Kies minstens één grond en leg in de motivering uit waarom "
                           "die geldt."))
    if "exclusions" in declared:
        attrs["exclusions"] = CheckboxGroupField(
            _l("Redenen waarom het onderwerp is uitgesloten"), validators=mark("exclusions"),
            choices=choices((code, f"{code}: {grounds.EXCLUSIONS[code].label_nl}")
                            for code in definition.exclusions if code in grounds.EXCLUSIONS))
    if "outcome" in declared:
        table = (grounds.COUNCIL_OUTCOMES if definition.request_type == "burgerinitiatief"
                 else grounds.OUTCOMES)
        attrs["outcome"] = SelectField(
            _l("Uitkomst"), validators=mark("outcome"),
            choices=choices([("", _l("Kies een uitkomst"))]
                            + [(code, grounds.label(table, code, "nl"))
                               for code in definition.allowed_outcomes]))
    if "meeting" in declared:
        attrs["meeting"] = SelectField(
            _l("Vergadering"), validators=mark("meeting"),
            choices=choices([("", _l("Kies een vergadering"))]
                            + [(m.id, f"{m.title} ({m.starts_at:%d-%m-%Y})") for m in meetings]))
    return attrs


def _reason_field(transition: wf.Transition, with_decision: bool, mark: Any) -> Any:
    if with_decision:
        label = _l("Motivering van het besluit")
        hint = _l("Leg uit waarom dit besluit is genomen. De aanvrager krijgt deze tekst.")
    elif transition.clock is wf.ClockEffect.EXTEND:
        label = _l("Reden van de verlenging")
        hint = _l("De aanvrager krijgt deze reden te zien.")
    else:
        label = _l("Toelichting")
        hint = None
    return TextAreaField(label, validators=mark("reason"), description=hint)


def _decision_record_fields(transition: wf.Transition, org: Organisation,
                            today: date) -> dict[str, Any]:
    """Who decided, when, the number and the objection clause (Awb 3:45)."""
    attrs: dict[str, Any] = {}
    attrs["deciding_body"] = SelectField(
        _l("Wie neemt het besluit?"), validators=[Needed()],
        choices=choices((b.code, b.label_en if str(get_locale()).startswith("en") else b.label_nl)
                        for b in case_service.deciding_bodies(org)),
        default=case_service.default_deciding_body(org))
    attrs["decided_on"] = DateField(_l("Datum van het besluit"), validators=[Needed()],
                                    default=today, format=DATE_FORMATS, description=DATE_HINT)
    if transition.target == "deels_toegekend":
        attrs["partial_subtype"] = SelectField(
            _l("Soort gedeeltelijke toekenning"), validators=[Needed()],
            choices=choices([("", _l("Kies een soort"))]
                            + [(e.code, e.label_nl) for e in grounds.PARTIAL_SUBTYPES.values()]))
    attrs["decision_number"] = StringField(_l("Besluitnummer"),
                                           validators=[Optional(), Length(max=60)],
                                           description=_l("Bijvoorbeeld het nummer op de "
                                                          "besluitenlijst."))
    attrs["legal_remedies"] = TextAreaField(
        _l("Bezwaarclausule"), default=case_service.default_legal_remedies(org),
        description=_l("Deze tekst staat onder het besluit. Pas hem aan als dat nodig is."))
    return attrs


def _confirmation_field(transition: wf.Transition, definition: wf.Workflow) -> BooleanField:
    """A decision cannot be taken back: the official says so in a checkbox that names what
    will happen (checked on the server too, so it holds without JavaScript)."""
    public = definition.state(transition.target).public
    what = (_l("Het besluit wordt vastgelegd en kan niet worden teruggedraaid. De aanvrager "
               "krijgt de besluitbrief per e-mail en in ‘Mijn zaken’, en het besluit komt in "
               "het openbare register.") if public else
            _l("Het besluit wordt vastgelegd en kan niet worden teruggedraaid. De aanvrager "
               "krijgt de besluitbrief per e-mail en in ‘Mijn zaken’."))
    return BooleanField(
        _l("Ik wil dit besluit nemen"), description=what,
        validators=[DataRequired(message=_l("Vink aan dat u dit besluit wilt nemen. Bekijk "
                                            "eerst de brief als u twijfelt."))])


def transition_inputs(form: FlaskForm) -> dict[str, Any]:
    """The workflow inputs from a submitted transition form."""
    inputs: dict[str, Any] = {}
    for kind in ("reason", "question", "answer", "term_days", "extension_days",
                 "refusal_grounds", "exclusions", "outcome", "meeting"):
        if kind in form:
            value = form[kind].data
            if kind == "meeting" and value:
                value = int(value) if (str(value).isascii() and str(value).isdecimal() and len(str(value)) < 10) else value
            inputs[kind] = value
    return inputs


def decision_fields(form: FlaskForm) -> case_service.DecisionFields | None:
    if "deciding_body" not in form:
        return None
    return case_service.DecisionFields(
        deciding_body=form.deciding_body.data or "", decided_on=form.decided_on.data,
        legal_remedies=form.legal_remedies.data or "",
        decision_number=form.decision_number.data or "",
        partial_subtype=form.partial_subtype.data if "partial_subtype" in form else "")


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    type = plain_select(_l("Soort"))
    state = plain_select(_l("Fase"))
    assignee = plain_select(_l("Behandelaar"))
    overdue = BooleanField(_l("Alleen verlopen termijnen"))
    q = StringField(_l("Zoek op titel of zaaknummer"))


class BulkForm(FlaskForm):
    transition = plain_select(_l("Stap"))
    template = plain_select(_l("Sjabloon"))
    text = TextAreaField(_l("Tekst (als u geen sjabloon kiest)"), validators=[Optional()])
    term_days = IntegerField(_l("Termijn in dagen (bij een vraag aan de aanvrager)"),
                             validators=[Optional(), _DAYS])
    assignee = plain_select(_l("Toewijzen aan"))


class AssignForm(FlaskForm):
    assignee = plain_select(_l("Behandelaar"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Interne notitie"), validators=[Needed(), Length(max=10000)],
                         description=_l("Alleen medewerkers zien deze notitie. De aanvrager "
                                        "en het publiek zien haar nooit."))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Bericht aan de aanvrager"), validators=[Needed(), Length(max=10000)],
                         description=_l("De aanvrager krijgt dit bericht ook per e-mail."))


class TemplateForm(FlaskForm):
    title = StringField(_l("Naam"), validators=[Needed(), Length(max=120)])
    transition = SelectField(_l("Voor de stap"), choices=[])
    body = TextAreaField(_l("Tekst"), validators=[Needed(), Length(max=10000)])


class CorrectionForm(FlaskForm):
    """A correction of a recorded decision: a new letter goes out, the old one is kept."""

    reasons = TextAreaField(_l("Motivering van het besluit"),
                            validators=[Needed(), Length(max=20000)])
    decision_number = StringField(_l("Besluitnummer"), validators=[Optional(), Length(max=60)])
    legal_remedies = TextAreaField(_l("Bezwaarclausule"), validators=[Optional(),
                                                                      Length(max=5000)])
    note = TextAreaField(
        _l("Wat is er verbeterd, en waarom?"), validators=[Needed(), Length(max=2000)],
        description=_l("Dit staat in de geschiedenis van de zaak en in het bericht aan de "
                       "aanvrager."))
    confirm = BooleanField(
        _l("Ik wil de verbeterde brief versturen"),
        description=_l("De aanvrager krijgt de verbeterde brief per e-mail en in ‘Mijn zaken’. "
                       "De eerdere brief blijft bewaard."),
        validators=[DataRequired(message=_l("Vink aan dat u de verbeterde brief wilt "
                                            "versturen."))])
