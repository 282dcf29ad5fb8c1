"""Forms of the initiatives area. Messages are Dutch msgids."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    MultipleFileField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Lazy messages become text: the shared form macros show only strings.
        for f in self:
            f.errors = [str(error) for error in f.errors]
        return valid

    def add_error(self, field_name: str | None, message: str) -> None:
        target = getattr(self, field_name, None) if field_name else None
        if target is None:
            self.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


class InitiativeForm(BaseForm):
    title = StringField(
        _l("Titel"), description=_l("Kort en duidelijk, bijvoorbeeld: Meer bankjes in het park."),
        validators=[DataRequired(_l("Vul een titel in.")),
                    Length(max=200, message=_l("De titel mag niet langer zijn dan 200 tekens."))],
        filters=[_strip])
    summary = TextAreaField(
        _l("Korte samenvatting"),
        description=_l("In een paar zinnen: wat wilt u dat de raad besluit? Deze tekst staat in "
                       "de lijst met initiatieven."),
        validators=[DataRequired(_l("Vul een korte samenvatting in.")),
                    Length(max=500, message=_l("De samenvatting mag niet langer zijn dan 500 "
                                               "tekens."))],
        filters=[_strip])
    proposal = TextAreaField(
        _l("Voorstel"),
        description=_l("Wat moet de raad besluiten? Schrijf het liefst als een besluit: "
                       "'De raad besluit ...'."),
        validators=[DataRequired(_l("Vul uw voorstel in.")),
                    Length(max=20000, message=_l("Het voorstel mag niet langer zijn dan 20.000 "
                                                 "tekens."))],
        filters=[_strip])
    motivation = TextAreaField(
        _l("Toelichting"),
        description=_l("Waarom is dit nodig? Wat levert het op?"),
        validators=[DataRequired(_l("Vul een toelichting in.")),
                    Length(max=20000, message=_l("De toelichting mag niet langer zijn dan "
                                                 "20.000 tekens."))],
        filters=[_strip])
    deputy_name = StringField(
        _l("Naam van de plaatsvervanger"),
        description=_l("U bent de contactpersoon. De plaatsvervanger is een tweede "
                       "initiatiefnemer die u kan vervangen."),
        validators=[DataRequired(_l("Vul de naam van de plaatsvervanger in.")),
                    Length(max=120, message=_l("De naam mag niet langer zijn dan 120 tekens."))],
        filters=[_strip], render_kw={"autocomplete": "off"})
    deputy_email = EmailField(
        _l("E-mailadres van de plaatsvervanger"),
        validators=[DataRequired(_l("Vul het e-mailadres van de plaatsvervanger in.")),
                    Email(message=_l("Vul een geldig e-mailadres in, bijvoorbeeld "
                                     "naam@voorbeeld.nl.")),
                    Length(max=254, message=_l("Dit e-mailadres is te lang."))],
        filters=[_strip], render_kw={"autocomplete": "off", "spellcheck": "false"})
    financial_consequences = TextAreaField(
        _l("Wat kost het?"),
        description=_l("Niet verplicht. Schrijf hier wat uw voorstel ongeveer kost, als u dat "
                       "weet."),
        validators=[Optional(), Length(max=5000, message=_l("Deze tekst mag niet langer zijn "
                                                            "dan 5.000 tekens."))],
        filters=[_strip])
    attachments = MultipleFileField(
        _l("Bijlagen"), description=_l("Niet verplicht. Bijvoorbeeld een tekening of een "
                                       "berekening (PDF of afbeelding)."))
    names_public = BooleanField(
        _l("Mijn naam mag openbaar zijn"),
        description=_l("Als u dit niet aanvinkt, staat er alleen 'Initiatiefnemers' bij het "
                       "initiatief."))
    not_excluded = BooleanField(
        _l("Ik verklaar dat mijn onderwerp niet bij de uitgesloten onderwerpen hoort"),
        validators=[DataRequired(_l("Verklaar dat het onderwerp niet is uitgesloten."))])
    lock_version = HiddenField()

    def __init__(self, *args, contact=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._contact = contact

    def validate_deputy_email(self, field) -> None:
        contact = self._contact
        if contact is not None and field.data \
                and field.data.strip().lower() == contact.email.strip().lower():
            raise ValidationError(_l("De plaatsvervanger moet iemand anders zijn dan de "
                                     "contactpersoon. Vul een ander e-mailadres in."))

    def validate_deputy_name(self, field) -> None:
        contact = self._contact
        if contact is not None and field.data \
                and field.data.strip().lower() == contact.name.strip().lower():
            raise ValidationError(_l("De plaatsvervanger moet iemand anders zijn dan de "
                                     "contactpersoon. Vul een andere naam in."))


class VersionForm(BaseForm):
    """A button that moves the initiative on; the version catches a stale page."""

    lock_version = HiddenField()


class SignForm(BaseForm):
    birth_date = DateField(
        _l("Uw geboortedatum"),
        description=_l("Bijvoorbeeld 01-09-1990. Wij vragen dit één keer, om te controleren of "
                       "u oud genoeg bent om te steunen."),
        validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"],
        render_kw={"autocomplete": "bday"})

    def validate_birth_date(self, field) -> None:
        if field.raw_data and field.raw_data[0] and field.data is None:
            raise ValidationError(_l("Vul een geldige geboortedatum in."))

    postcode = StringField(
        _l("Uw postcode"),
        description=_l("Bijvoorbeeld 9991 AB. Alleen inwoners kunnen steunen; wij vragen dit "
                       "één keer."),
        validators=[Optional(), Length(max=10)], filters=[_strip],
        render_kw={"autocomplete": "postal-code"})


class QuestionForm(BaseForm):
    body = TextAreaField(
        _l("Uw vraag of reactie"),
        description=_l("Uw naam wordt niet getoond. Houd het vriendelijk: reacties die "
                       "kwetsen, worden verborgen."),
        validators=[DataRequired(_l("Vul uw vraag in.")),
                    Length(max=2000, message=_l("Uw vraag mag niet langer zijn dan 2.000 tekens."))],
        filters=[_strip])


class AnswerForm(BaseForm):
    body = TextAreaField(
        _l("Antwoord van de organisatie"),
        validators=[DataRequired(_l("Vul een antwoord in.")),
                    Length(max=5000, message=_l("Het antwoord mag niet langer zijn dan 5.000 "
                                                "tekens."))],
        filters=[_strip])


class HideForm(BaseForm):
    reason = StringField(
        _l("Reden om te verbergen"),
        description=_l("Deze reden is voor iedereen zichtbaar."),
        validators=[DataRequired(_l("Vul een reden in.")),
                    Length(max=300, message=_l("De reden mag niet langer zijn dan 300 tekens."))],
        filters=[_strip])
