"""Admin forms. Messages are Dutch msgids; numbers are read the Dutch way (1.234,56)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from participation.domain import residence
from participation.services.accounts import ROLE_LABELS
from participation.services.admin import GRANTABLE_ROLES, MIN_CONTRAST, contrast_with_white

MAX_BUDGET = Decimal("9999999999.99")  # Numeric(12, 2)
MAX_COUNT = 100_000_000


class AdminForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Lazy messages become text: the shared form macros show only strings.
        for f in self:
            f.errors = [str(error) for error in f.errors]
        return valid


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


# --- Roles ---------------------------------------------------------------------------------


def account_email_field(label: Any, description: Any) -> EmailField:
    """The address of someone who already has an account (to give them a role)."""
    return EmailField(
        label, description=description,
        validators=[DataRequired(message=_l("Vul het e-mailadres in.")),
                    Email(message=_l("Vul een geldig e-mailadres in, bijvoorbeeld "
                                     "naam@voorbeeld.nl.")),
                    Length(max=254, message=_l("Dit e-mailadres is te lang."))],
        filters=[_strip], render_kw={"autocomplete": "off", "spellcheck": "false"})


class GrantRoleForm(AdminForm):
    email = account_email_field(_l("E-mailadres"),
                                _l("Het e-mailadres waarmee deze persoon een account heeft."))
    role = SelectField(_l("Rol"),
                       choices=[SelectChoice(r, ROLE_LABELS[r]) for r in GRANTABLE_ROLES],
                       validators=[DataRequired(message=_l("Kies een rol."))],
                       validate_choice=False)

    def validate_role(self, field) -> None:
        if field.data not in GRANTABLE_ROLES:
            raise ValidationError(_("Kies een rol uit de lijst."))


class ConfirmForm(AdminForm):
    """Only the CSRF token: a POST that confirms."""


# --- Task catalogue ------------------------------------------------------------------------


def parse_euro(text: str | None) -> Decimal | None:
    """'1.234,56', '1234.56', '€ 1 234' -> Decimal; '' -> None; ValueError when not a sum."""
    raw = (text or "").replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    if not raw:
        return None
    if "," in raw:  # Dutch: dots group thousands, the comma separates the cents
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
        raw = raw.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", raw):
        raise ValueError(raw)
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc


class TaskForm(AdminForm):
    code = StringField(
        _l("Code"), description=_l("Een korte, unieke code, bijvoorbeeld GR-04 of "
                                   "groen.onderhoud. Letters, cijfers, punt, streepje."),
        validators=[DataRequired(message=_l("Vul een code in.")),
                    Length(max=40, message=_l("De code mag maximaal 40 tekens zijn."))],
        filters=[_strip], render_kw={"autocomplete": "off", "spellcheck": "false"})
    title = StringField(
        _l("Naam van de taak"),
        validators=[DataRequired(message=_l("Vul de naam van de taak in.")),
                    Length(max=200, message=_l("De naam mag maximaal 200 tekens zijn."))],
        filters=[_strip])
    policy_area = StringField(
        _l("Beleidsterrein"), description=_l("Bijvoorbeeld: groen, sport, welzijn."),
        validators=[Optional(),
                    Length(max=80, message=_l("Het beleidsterrein mag maximaal 80 tekens zijn."))],
        filters=[_strip])
    description = TextAreaField(
        _l("Omschrijving"), description=_l("Wat houdt de taak in? Inwoners lezen dit."),
        validators=[Length(max=5000, message=_l("De omschrijving mag maximaal 5000 tekens "
                                                "zijn."))],
        filters=[_strip])
    current_budget = StringField(
        _l("Huidig budget per jaar (euro)"),
        description=_l("Niet verplicht. Bijvoorbeeld 12.500,00."),
        filters=[_strip], render_kw={"inputmode": "decimal", "autocomplete": "off"})

    def validate_code(self, field) -> None:
        if field.data and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", field.data):
            raise ValidationError(_("Gebruik in de code alleen letters, cijfers, een punt of "
                                    "een streepje, zonder spaties."))

    def validate_current_budget(self, field) -> None:
        try:
            amount = parse_euro(field.data)
        except ValueError:
            raise ValidationError(_("Vul een bedrag in euro in, bijvoorbeeld 12.500,00.")) from None
        if amount is None:
            return
        if amount < 0:
            raise ValidationError(_("Het budget kan niet negatief zijn."))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_("Gebruik hoogstens twee cijfers achter de komma."))
        if amount > MAX_BUDGET:
            raise ValidationError(_("Dit bedrag is te hoog."))

    @property
    def budget(self) -> Decimal | None:
        amount = parse_euro(self.current_budget.data)
        return None if amount is None else amount.quantize(Decimal("0.01"))


# --- Branding ------------------------------------------------------------------------------


def _whole_number(label_error: str):
    def check(form, field) -> None:
        if not field.data:
            return
        raw = field.data.replace(".", "").replace(" ", "")
        if not (raw.isascii() and raw.isdecimal() and len(raw) < 10) or int(raw) > MAX_COUNT:
            raise ValidationError(label_error)
    return check


def parse_count(text: str | None) -> int | None:
    raw = (text or "").replace(".", "").replace(" ", "").strip()
    return int(raw) if raw else None


class BrandingForm(AdminForm):
    name = StringField(
        _l("Naam van de organisatie"),
        validators=[DataRequired(message=_l("Vul de naam van de organisatie in.")),
                    Length(max=120, message=_l("De naam mag maximaal 120 tekens zijn."))],
        filters=[_strip])
    email = EmailField(
        _l("E-mailadres voor inwoners"),
        validators=[Optional(), Email(message=_l("Vul een geldig e-mailadres in, bijvoorbeeld "
                                                 "info@gemeente.nl.")),
                    Length(max=200, message=_l("Dit e-mailadres is te lang."))],
        filters=[_strip])
    phone = StringField(
        _l("Telefoonnummer"),
        validators=[Length(max=40, message=_l("Het telefoonnummer mag maximaal 40 tekens "
                                              "zijn."))],
        filters=[_strip], render_kw={"autocomplete": "off", "inputmode": "tel"})
    address = StringField(
        _l("Bezoekadres"), description=_l("Bijvoorbeeld: Stadhuisplein 1, 1234 AB Plaats."),
        validators=[Length(max=300, message=_l("Het adres mag maximaal 300 tekens zijn."))],
        filters=[_strip])
    website = StringField(
        _l("Website"), description=_l("Het volledige adres, beginnend met https://."),
        validators=[Length(max=300, message=_l("Het webadres mag maximaal 300 tekens zijn."))],
        filters=[_strip], render_kw={"inputmode": "url", "spellcheck": "false"})
    primary_color = StringField(
        _l("Huisstijlkleur"),
        description=_l("Als #rrggbb, bijvoorbeeld #01689b. De kopregel toont witte tekst op "
                       "deze kleur, dus de kleur moet donker genoeg zijn: een contrast van "
                       "minstens 4,5 : 1."),
        validators=[DataRequired(message=_l("Vul een kleur in, bijvoorbeeld #01689b."))],
        filters=[_lower], render_kw={"autocomplete": "off", "spellcheck": "false"})
    inhabitants = StringField(
        _l("Aantal inwoners"),
        description=_l("Nodig om de drempel voor steunbetuigingen te berekenen."),
        validators=[_whole_number(_l("Vul het aantal inwoners in als heel getal."))],
        filters=[_strip], render_kw={"inputmode": "numeric"})
    electorate = StringField(
        _l("Aantal kiesgerechtigden"),
        description=_l("Nodig als de drempel een percentage van de kiesgerechtigden is."),
        validators=[_whole_number(_l("Vul het aantal kiesgerechtigden in als heel getal."))],
        filters=[_strip], render_kw={"inputmode": "numeric"})
    postcode_areas = StringField(
        _l("Postcodegebied"),
        description=_l("De postcodes (vier cijfers) van uw gebied, bijvoorbeeld 9990-9999, 9801. "
                       "Alleen wie daar woont, kan een initiatief steunen. Leeg: geen "
                       "postcodecontrole."),
        validators=[Length(max=300)], filters=[_strip])

    def validate_postcode_areas(self, field) -> None:
        try:
            residence.parse_ranges(field.data or "")
        except ValueError as exc:
            raise ValidationError(_("'%(part)s' is geen postcode of postcodereeks. Schrijf "
                                    "bijvoorbeeld 9990-9999, 9801.", part=str(exc))) from exc

    def validate_website(self, field) -> None:
        if field.data and not re.fullmatch(r"https?://[^\s/$.?#][^\s]*\.[^\s]+", field.data):
            raise ValidationError(_("Vul een volledig webadres in, beginnend met https://."))

    def validate_primary_color(self, field) -> None:
        if not re.fullmatch(r"#[0-9a-f]{6}", field.data or ""):
            raise ValidationError(_("Vul de kleur in als # met zes tekens (0-9, a-f), "
                                    "bijvoorbeeld #01689b."))
        ratio = contrast_with_white(field.data)
        if ratio < MIN_CONTRAST:
            raise ValidationError(_(
                "Deze kleur is te licht voor witte tekst: het contrast is %(ratio)s : 1 en moet "
                "minstens 4,5 : 1 zijn. Kies een donkerdere kleur.", ratio=format_ratio(ratio)))


def format_ratio(ratio: float) -> str:
    """4.5 -> '4,5' (Dutch decimal comma); rounded down so 4.49 never shows as 4,5."""
    shown = int(ratio * 10) / 10
    return f"{shown:.1f}".replace(".", ",")


class LogoForm(AdminForm):
    logo = FileField(_l("Logo"), description=_l("Een PNG- of JPEG-bestand van maximaal 1 MB. "
                                                "Het logo staat op een gekleurde balk: kies "
                                                "een versie die daarop goed leesbaar is."),
                     render_kw={"accept": "image/png,image/jpeg"})


# --- Procedures ----------------------------------------------------------------------------


class ProcedureUploadForm(AdminForm):
    file = FileField(_l("Bestand met de procedure (.toml)"),
                     description=_l("Kies een bestand, of plak de tekst hieronder."),
                     render_kw={"accept": ".toml,text/plain"})
    source = TextAreaField(_l("Tekst van de procedure"),
                           render_kw={"rows": 24, "spellcheck": "false"})
    note = StringField(_l("Wat is er veranderd?"),
                       description=_l("Een korte toelichting bij deze versie, bijvoorbeeld "
                                      "'Intaketermijn naar 3 weken'."),
                       validators=[DataRequired(message=_l("Schrijf kort op wat er veranderd "
                                                           "is.")),
                                   Length(max=300, message=_l("De toelichting mag maximaal 300 "
                                                              "tekens zijn."))],
                       filters=[_strip])


class PresetForm(AdminForm):
    """Start a new version from the shipped preset: only the CSRF token."""


# --- Letter templates ----------------------------------------------------------------------


class LetterTemplateForm(AdminForm):
    body = TextAreaField(
        _l("Tekst van de brief"),
        description=_l("Gewone tekst. Een lege regel begint een nieuwe alinea, een regel die "
                       "begint met ‘# ’ is een kopje en een regel die begint met ‘- ’ een "
                       "opsomming. Velden zet u tussen dubbele accolades, bijvoorbeeld "
                       "{{ aanvrager }}."),
        filters=[lambda v: v.replace("\r\n", "\n") if isinstance(v, str) else v],
        validators=[DataRequired(_l("Schrijf de tekst van de brief.")),
                    Length(max=20_000, message=_l("Gebruik hoogstens 20.000 tekens."))],
        render_kw={"rows": 28, "spellcheck": "true"})


class CertificateForm(AdminForm):
    certificate = FileField(
        _l("Certificaat (PKCS#12)"),
        description=_l("Een .p12- of .pfx-bestand met de sleutel en de certificaatketen, van "
                       "hoogstens 100 kB. Het wachtwoord zet de systeembeheerder in de "
                       "omgeving van de server, niet hier."),
        render_kw={"accept": ".p12,.pfx,application/x-pkcs12"})
