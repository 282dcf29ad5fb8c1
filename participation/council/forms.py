"""Griffie forms. Labels and messages are Dutch msgids."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from participation.domain import grounds
from participation.services.council import PARTY_CHOICES, RESULTS, result_label

PARTY_ROWS = 10
MAX_PARTY_ROWS = 60


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), str(label)) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _DutchParse:
    """WTForms' own conversion messages are English; ours say what to type."""

    parse_message = ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            raise ValueError(str(self.parse_message)) from None


class WholeNumberField(_DutchParse, IntegerField):
    parse_message = _l("Vul een heel getal in, bijvoorbeeld 12.")


class DutchDateField(_DutchParse, DateField):
    parse_message = _l("Vul een geldige datum in, bijvoorbeeld 14-05-2026.")


class DutchTimeField(_DutchParse, TimeField):
    parse_message = _l("Vul een geldige tijd in, bijvoorbeeld 19:30.")


class MarkRequired:
    """Marks a field as required in the label without checking it (the service does)."""

    field_flags = {"required": True}  # noqa: RUF012  (WTForms reads this class attribute)

    def __call__(self, form, field) -> None:
        return None


class CouncilForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for f in self:
            if isinstance(f.errors, list):
                f.errors = [str(e) if not isinstance(e, (dict, list)) else e for e in f.errors]
        return valid

    def add_errors(self, errors: dict[str, str]) -> None:
        """Service messages next to the matching field; others above the form."""
        for name, message in errors.items():
            target = getattr(self, name, None)
            if target is not None and hasattr(target, "errors") and isinstance(target.errors, list):
                target.errors = list(target.errors) + [message]
            else:
                self.form_errors.append(message)


def meeting_type_choices(tier: str) -> list[tuple[str, str]]:
    return [(code, grounds.label(grounds.ORI_VERGADERINGSTYPE, code))
            for code in grounds.TIERS[tier].vergaderingstypes]


class MeetingForm(CouncilForm):
    title = StringField(_l("Naam van de vergadering"), filters=[_strip],
                        validators=[InputRequired(_l("Vul de naam van de vergadering in.")),
                                    Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))])
    meeting_type = SelectField(_l("Soort vergadering"), validate_choice=False,
                               validators=[InputRequired(_l("Kies de soort vergadering."))])
    gremium = StringField(_l("Commissie of gremium"), filters=[_strip],
                          description=_l("Alleen invullen als een commissie vergadert, "
                                         "bijvoorbeeld Commissie Ruimte."),
                          validators=[Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))])
    day = DutchDateField(_l("Datum"), validators=[InputRequired(_l("Vul de datum in."))],
                         format=["%Y-%m-%d", "%d-%m-%Y"],
                         description=_l("Bijvoorbeeld 01-09-2026."))
    time = DutchTimeField(_l("Begintijd"), description=_l("Nederlandse tijd, bijvoorbeeld 19:30."),
                          validators=[InputRequired(_l("Vul de begintijd in."))])
    location = StringField(_l("Plaats"), filters=[_strip],
                           validators=[Length(max=100,
                                              message=_l("Gebruik hoogstens 100 tekens."))])
    status = SelectField(_l("Status"), validate_choice=False)

    def __init__(self, *args, tier: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_type.choices = choices([("", _("Kies een soort"))]
                                            + meeting_type_choices(tier))
        self.status.choices = choices((code, grounds.label(grounds.ORI_VERGADERSTATUS, code))
                                      for code in grounds.ORI_VERGADERSTATUS)


class AgendaItemForm(CouncilForm):
    position = WholeNumberField(_l("Volgnummer"), validators=[
        Optional(), NumberRange(min=1, max=999, message=_l("Kies een nummer van 1 tot 999."))],
        description=_l("Leeg laten: het punt komt onderaan de agenda."))
    title = StringField(_l("Titel van het agendapunt"), filters=[_strip],
                        validators=[InputRequired(_l("Vul de titel in.")),
                                    Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))])
    reference = StringField(_l("Kenmerk"), filters=[_strip],
                            description=_l("Bijvoorbeeld het nummer van het raadsvoorstel."),
                            validators=[Length(max=20, message=_l("Gebruik hoogstens 20 tekens."))])
    description = TextAreaField(_l("Omschrijving"), filters=[_strip])


class PlaceCaseForm(CouncilForm):
    case_id = SelectField(_l("Initiatief of verzoek"), coerce=str, validate_choice=False,
                          validators=[InputRequired(_l("Kies wat u wilt agenderen."))])


class PartyVoteForm(Form):
    party = StringField(_l("Partij"), filters=[_strip],
                        validators=[Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))])
    choice = SelectField(_l("Stem"), validate_choice=False)
    seats = WholeNumberField(_l("Zetels"), validators=[
        Optional(), NumberRange(min=0, max=999, message=_l("Vul 0 of een hoger getal in."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = choices([("", _("Kies")), ("voor", _("Voor")),
                                       ("tegen", _("Tegen")), ("verdeeld", _("Verdeeld"))])


def _count(label):
    return WholeNumberField(label, validators=[
        Optional(), NumberRange(min=0, max=9999, message=_l("Vul 0 of een hoger getal in."))])


class CouncilDecisionForm(CouncilForm):
    lock_version = HiddenField()
    result = RadioField(_l("Uitslag"), validate_choice=False,
                        validators=[InputRequired(_l("Kies de uitslag."))])
    hamerstuk = BooleanField(_l("Hamerstuk: aangenomen zonder stemming"))
    votes_for = _count(_l("Stemmen voor"))
    votes_against = _count(_l("Stemmen tegen"))
    votes_abstained = _count(_l("Onthoudingen"))
    note = TextAreaField(_l("Toelichting op het besluit"), filters=[_strip],
                         description=_l("Bijvoorbeeld welke wijzigingen (amendementen) zijn "
                                        "aangenomen. Deze tekst wordt openbaar."))
    parties = FieldList(FormField(PartyVoteForm), min_entries=PARTY_ROWS,
                        max_entries=MAX_PARTY_ROWS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = choices((code, result_label(code)) for code in RESULTS)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.result.data and self.result.data not in RESULTS:
            self.result.errors = list(self.result.errors) + [_("Kies de uitslag.")]
            valid = False
        incomplete = False
        for row in self.parties:
            party, choice = row.form.party.data, row.form.choice.data
            filled = bool(party) or bool(choice) or row.form.seats.data is not None
            if filled and not party:
                row.form.party.errors = list(row.form.party.errors) + [_("Vul de partij in.")]
                incomplete = True
            if choice and choice not in PARTY_CHOICES:
                row.form.choice.errors = list(row.form.choice.errors) + [
                    _("Kies hoe deze partij stemde.")]
                incomplete = True
            elif filled and not choice:
                row.form.choice.errors = list(row.form.choice.errors) + [
                    _("Kies hoe deze partij stemde.")]
                incomplete = True
            if row.form.seats.errors:
                incomplete = True
            row.form.seats.errors = [str(e) for e in row.form.seats.errors]
        if incomplete:
            self.form_errors.append(_("Vul bij elke partij de naam en de stem in, of laat de "
                                      "hele regel leeg."))
        return valid and not incomplete

    def party_votes(self):
        from participation.services.council import PartyVote

        return [PartyVote(row.form.party.data, row.form.choice.data, row.form.seats.data)
                for row in self.parties if row.form.party.data]


def exclusion_choices(codes) -> list[SelectChoice]:
    return choices((code, f"{code}: {grounds.label(grounds.EXCLUSIONS, code)}")
                   for code in codes)


def transition_form(workflow, transition, *, meeting_options, formdata=None, prefix: str = ""):
    """A form with a field for every input of `transition` the griffie fills in;
    `meeting_options` from meeting_options()."""

    class TransitionForm(CouncilForm):
        lock_version = HiddenField()

    wanted = list(transition.inputs) + [k for k in transition.optional_inputs]
    required = set(transition.inputs)

    def validators(kind):
        # The workflow checks the inputs and words the messages; this only marks the label.
        return [MarkRequired()] if kind in required else []

    for kind in wanted:
        if kind == "question":
            setattr(TransitionForm, kind, TextAreaField(
                _l("Wat moet de indiener herstellen?"), filters=[_strip],
                validators=validators(kind)))
        elif kind == "answer":
            setattr(TransitionForm, kind, TextAreaField(
                _l("Wat heeft de indiener hersteld?"), filters=[_strip],
                validators=validators(kind)))
        elif kind == "reason":
            setattr(TransitionForm, kind, TextAreaField(
                _l("Toelichting") if kind not in required else _l("Motivering"),
                filters=[_strip], validators=validators(kind)))
        elif kind in ("term_days", "extension_days"):
            setattr(TransitionForm, kind, WholeNumberField(
                _l("Termijn in dagen"), description=_l("Leeg laten: de standaardtermijn."),
                validators=[Optional(), NumberRange(min=1, max=365, message=_l(
                    "Kies een termijn van 1 tot 365 dagen."))]))
        elif kind == "exclusions":
            setattr(TransitionForm, kind, SelectMultipleField(
                _l("Waarom is het initiatief niet toegelaten?"),
                choices=exclusion_choices(workflow.exclusions),
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(), validate_choice=False, validators=validators(kind)))
        elif kind == "meeting":
            options = [("", _("Nog geen vergadering"))] if kind not in required else [
                ("", _("Kies een vergadering"))]
            options += meeting_options
            setattr(TransitionForm, kind, SelectField(_l("Vergadering"), choices=choices(options),
                                                      validate_choice=False,
                                                      validators=validators(kind)))
    form = TransitionForm(formdata=formdata, prefix=prefix)
    form.kinds = [k for k in wanted if hasattr(form, k)]
    return form


def meeting_options(meetings) -> list[tuple[int, str]]:
    """(id, label) per meeting, made once: the desk builds a form for every step of every
    case, and formatting the dates again for each was most of its time."""
    return [(m.id, meeting_label(m)) for m in meetings]


def meeting_label(meeting) -> str:
    from flask_babel import format_datetime

    return _("%(title)s, %(when)s", title=meeting.title,
             when=format_datetime(meeting.starts_at, "d MMMM y HH:mm"))
