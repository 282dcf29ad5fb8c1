"""Forms of the agreement after a grant, for both sides: the official's agreement, review,
release and outcome, the challenger's agreement, progress report and evaluation (the same
evaluation form for both). The services check the content; these read the fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from participation.domain import agreements as rules

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
DATE_HINT = _l("Bijvoorbeeld 01-09-2026.")
RESULT_ROWS = 5
INSTALMENT_ROWS = 4

REPORT_STATUS_LABELS = {"started": _l("Begonnen"), "in_progress": _l("Halverwege"),
                        "delivered": _l("Opgeleverd")}
RESULT_STATUS_LABELS = {"planned": _l("Nog niet begonnen"), **REPORT_STATUS_LABELS,
                        "accepted": _l("Geaccepteerd door de gemeente")}
REVIEW_LABELS = {"pending": _l("Wacht op beoordeling"), "accepted": _l("Geaccepteerd"),
                 "more_needed": _l("Meer gevraagd")}
DELIVERED_LABELS = {"yes": _l("Ja"), "partly": _l("Deels"), "no": _l("Nee")}
OUTCOME_LABELS = {"continue": _l("Voortzetten"), "adjust": _l("Voortzetten met aanpassingen"),
                  "stop": _l("Stoppen: de taak is klaar"),
                  "take_back": _l("De gemeente neemt de taak terug")}


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _date(label, hint=DATE_HINT):
    return DateField(label, validators=[Optional()], format=DATE_FORMATS, description=hint)


class ResultRow(Form):
    title = StringField(_l("Resultaat"), validators=[Optional(), Length(max=300)],
                        description=_l("Meetbaar: wat is er klaar, en hoeveel?"))
    target_date = _date(_l("Streefdatum"))


class InstalmentRow(Form):
    amount = StringField(_l("Bedrag (euro)"), validators=[Optional(), Length(max=20)])
    planned_on = _date(_l("Geplande datum"))
    condition = StringField(_l("Na acceptatie van resultaat (nummers)"),
                            validators=[Optional(), Length(max=40)],
                            description=_l("Bijvoorbeeld 1, 2. Leeg: zonder voorwaarde "
                                           "(een voorschot)."))


class AgreementForm(FlaskForm):
    task = TextAreaField(_l("Taak"), validators=[Length(max=10000)],
                         description=_l("Wat nemen de uitdagers over?"))
    scope = TextAreaField(_l("Omvang en kwaliteitseisen"), validators=[Length(max=10000)],
                          description=_l("Waar, hoe vaak, en welk niveau (minstens het "
                                         "huidige)."))
    budget = StringField(_l("Budget (euro)"), validators=[Length(max=20)],
                         description=_l("Bijvoorbeeld 12.500,00."))
    budget_line = StringField(_l("Begrotingspost"), validators=[Optional(), Length(max=60)])
    start_date = _date(_l("Startdatum"))
    end_date = _date(_l("Einddatum"))
    evaluation_date = _date(_l("Datum van de evaluatie"))
    results = FieldList(FormField(ResultRow), min_entries=RESULT_ROWS, max_entries=RESULT_ROWS)
    instalments = FieldList(FormField(InstalmentRow), min_entries=INSTALMENT_ROWS,
                            max_entries=INSTALMENT_ROWS)
    contact_persons = TextAreaField(
        _l("Contactpersonen"), validators=[Optional(), Length(max=2000)],
        description=_l("Eén per regel: naam, rol en e-mailadres. Niet openbaar."))
    document = FileField(_l("Getekende overeenkomst"),
                         description=_l("PDF, maximaal 10 MB. Leeg: het document van de "
                                        "vorige versie blijft."))


class ReviewForm(FlaskForm):
    decision = RadioField(_l("Beoordeling"), choices=choices([
        ("accepted", _l("Accepteren")), ("more_needed", _l("Meer vragen"))]),
        validators=[Optional()])
    note = TextAreaField(_l("Bericht aan de uitdager"), validators=[Optional(),
                                                                    Length(max=5000)],
                         description=_l("Verplicht als u meer vraagt. De uitdager krijgt dit "
                                        "per e-mail."))


class ReleaseForm(FlaskForm):
    pass


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Uitkomst"), choices=choices([("", _l("Kies een uitkomst"))] + [
        (code, label) for code, label in OUTCOME_LABELS.items()]), validators=[Optional()])
    decided_on = _date(_l("Datum van het besluit"))
    reasons = TextAreaField(_l("Motivering"), validators=[Length(max=10000)])
    public_summary = TextAreaField(
        _l("Openbare samenvatting"), validators=[Length(max=5000)],
        description=_l("Komt op de openbare pagina. Zonder namen of andere persoonsgegevens."))


class AgreeForm(FlaskForm):
    version = HiddenField()


class ProgressReportForm(FlaskForm):
    result_key = SelectField(_l("Resultaat"), choices=[], validators=[Optional()])
    status = SelectField(_l("Hoe ver is het?"), choices=choices([("", _l("Kies"))] + [
        (code, REPORT_STATUS_LABELS[code]) for code in rules.REPORT_STATUSES]),
        validators=[Optional()])
    text = TextAreaField(_l("Wat is er gedaan?"), validators=[Length(max=10000)])
    spent = StringField(_l("Uitgegeven bedrag (euro)"), validators=[Optional(), Length(max=20)],
                        description=_l("Sinds uw vorige verslag. Bijvoorbeeld 1.250,00."))
    files = MultipleFileField(_l("Foto's of documenten"),
                              description=_l("PDF, JPG, PNG, ODT of DOCX, maximaal 10 MB per "
                                             "bestand."))


class EvaluationForm(FlaskForm):
    results_delivered = RadioField(_l("Zijn de resultaten geleverd?"), choices=choices([
        (code, DELIVERED_LABELS[code]) for code in rules.DELIVERED_ANSWERS]),
        validators=[Optional()])
    own_cost = StringField(_l("Wat zou de gemeente er zelf aan kwijt zijn (euro)?"),
                           validators=[Optional(), Length(max=20)])
    cost_comparison = TextAreaField(_l("Kosten vergeleken met de eigen kosten van de gemeente"),
                                    validators=[Optional(), Length(max=5000)])
    quality = TextAreaField(_l("Kwaliteit"), validators=[Length(max=5000)])
    to_continue = TextAreaField(_l("Wat moet doorgaan, wat moet anders?"),
                                validators=[Optional(), Length(max=5000)])
