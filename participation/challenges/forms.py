"""The uitdaagrecht request form (procedures.md §2.4) in steps, and the resident's case forms.

Every field is kept as the text the resident typed (StringField), so an invalid step can be
saved as it is and shown back unchanged; validators parse and normalise. A step form knows
the rules that need the organisation (tasks, procedure settings) through `configure(ctx)`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
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
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from participation.domain.grounds import LEGAL_ENTITY_FORMS, LEGAL_FORMS

POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Z]{2}$")
KVK = re.compile(r"^[0-9]{8}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{7,19}$")
BUDGET_ROWS = 8
INDICATOR_ROWS = 3
TOLERANCE = Decimal("1.00")


@dataclass
class StepContext:
    """What the rules of a step need to know besides the typed values."""

    today: date
    settings: dict[str, Any]
    tasks: list[Any] = dc_field(default_factory=list)      # the organisation's active Tasks
    policy_areas: list[str] = dc_field(default_factory=list)
    attachments_by_purpose: dict[str, int] = dc_field(default_factory=dict)
    current_budget: Decimal | None = None  # of the task chosen in step 2, when known

    @property
    def lead_weeks(self) -> int:
        return int(self.settings.get("indienen_voor_start_weken", 0) or 0)

    @property
    def max_months(self) -> int:
        return int(self.settings.get("max_looptijd_maanden", 48) or 48)

    @property
    def min_supporters(self) -> int:
        return int(self.settings.get("min_steunbetuigingen", 0) or 0)

    @property
    def earliest_start(self) -> date:
        return self.today + timedelta(weeks=self.lead_weeks)

    def task(self, task_id: str | None):
        return next((t for t in self.tasks if str(t.id) == str(task_id)), None)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def parse_amount(text: str | None) -> Decimal | None:
    """A euro amount as residents type it: "1250", "1250,50", "1.250,50", "€ 80". None when
    empty. Raises ValueError with the Dutch reason."""
    raw = (text or "").replace("€", "").replace(" ", "").replace("\u00a0", "")
    if not raw:
        return None
    if "," in raw and "." in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif "," in raw:
        raw = raw.replace(",", ".")
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", raw):
        raise ValueError(str(_l("Vul een bedrag in euro's in, bijvoorbeeld 1250,50.")))
    value = Decimal(raw)
    if value < 0:
        raise ValueError(str(_l("Een bedrag kan niet negatief zijn.")))
    if value.as_tuple().exponent < -2:
        raise ValueError(str(_l("Gebruik hoogstens 2 cijfers achter de komma.")))
    return value.quantize(Decimal("0.01"))


def format_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def euro(value: Decimal | None) -> str:
    """€ 1.250,50 — Dutch notation for display."""
    if value is None:
        return ""
    whole, _sep, cents = f"{value:,.2f}".partition(".")
    return "€ " + whole.replace(",", ".") + "," + cents


def parse_whole(text: str | None) -> int | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdecimal() and len(raw) < 10) or len(raw) > 9:
        raise ValueError(str(_l("Vul een heel getal in, bijvoorbeeld 12.")))
    return int(raw)


def parse_date(text: str | None) -> date | None:
    raw = (text or "").strip()
    if not raw:
        return None
    for pattern in (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{1,2})-(\d{1,2})-(\d{4})"):
        match = re.fullmatch(pattern, raw)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if pattern.startswith(r"(\d{4})") else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise ValueError(str(_l("Vul een geldige datum in, bijvoorbeeld 01-09-2026.")))


def normalise_postcode(text: str | None) -> str:
    compact = re.sub(r"\s+", "", (text or "")).upper()
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else (text or "").strip().upper()


def min_chars(count: int, message):
    def check(form, field):
        if field.data and len(field.data.strip()) < count:
            raise ValidationError(str(message) + " " + str(
                _l("U heeft nu %(n)s tekens.", n=len(field.data.strip()))))
    return check


def required(message):
    return DataRequired(message=message)


class StepForm(FlaskForm):
    """Base of the steps: text errors (the macros show strings) and the context."""

    number = 0
    title = ""
    ctx: StepContext | None = None
    file_purposes: ClassVar[dict[str, str]] = {}

    def configure(self, ctx: StepContext) -> StepForm:
        self.ctx = ctx
        return self

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        for f in self:
            if isinstance(f, FieldList):
                f.errors = []  # entry errors live on the entries' own fields
                for entry in f:
                    for sub in entry.form:
                        sub.errors = [str(error) for error in sub.errors]
            else:
                f.errors = [str(error) for error in f.errors]
        self.cross_check()
        return not self.error_list()

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order of the form."""
        found: list[tuple[str, str]] = []
        for f in self:
            if isinstance(f, FieldList):
                for entry in f:
                    found += [(sub.id, message) for sub in entry.form for message in sub.errors]
            elif f.name == "csrf_token":
                if f.errors:
                    found.append(("", str(_l("Het formulier was verlopen. Verstuur het opnieuw."))))
            else:
                target = f"{f.id}-0" if isinstance(f, RadioField) else f.id
                found += [(target, message) for message in f.errors if isinstance(message, str)]
        return found

    def cross_check(self) -> bool:
        return True

    def fail(self, field, message) -> bool:
        field.errors = [*field.errors, str(message)]
        return False

    def data_fields(self):
        for f in self:
            if f.name in ("csrf_token",) or isinstance(f, FileField):
                continue
            yield f

    def typed(self) -> dict[str, Any]:
        """What the resident typed, to save even when it is not valid."""
        return {f.name: f.data for f in self.data_fields()}

    def cleaned(self) -> dict[str, Any]:
        """The normalised values of a valid step (the same keys as typed())."""
        return self.typed()

    def warnings(self) -> list[str]:
        return []


# --------------------------------------------------------------------------- step 1

class WhoForm(StepForm):
    number = 1
    title = _l("Wie zijn jullie")

    naam_initiatief = StringField(
        _l("Naam van uw initiatief"), filters=[strip],
        validators=[required(_l("Vul de naam van uw initiatief in.")),
                    Length(max=200, message=_l("Gebruik hoogstens 200 tekens."))])
    indiener_naam = StringField(
        _l("Naam van de indiener of de organisatie"), filters=[strip],
        validators=[required(_l("Vul de naam van de indiener of de organisatie in.")),
                    Length(max=200, message=_l("Gebruik hoogstens 200 tekens."))])
    adres_straat = StringField(_l("Straat en huisnummer"), filters=[strip],
                               validators=[required(_l("Vul de straat en het huisnummer in.")),
                                           Length(max=200)])
    adres_postcode = StringField(
        _l("Postcode"), description=_l("Bijvoorbeeld 1234 AB."), filters=[strip],
        validators=[required(_l("Vul de postcode in."))], render_kw={"autocomplete": "postal-code"})
    adres_plaats = StringField(_l("Plaats"), filters=[strip],
                               validators=[required(_l("Vul de plaats in.")), Length(max=100)],
                               render_kw={"autocomplete": "address-level2"})
    contact_naam = StringField(_l("Naam contactpersoon"), filters=[strip],
                               validators=[required(_l("Vul de naam van de contactpersoon in.")),
                                           Length(max=120)], render_kw={"autocomplete": "name"})
    contact_email = StringField(
        _l("E-mailadres contactpersoon"), filters=[strip],
        validators=[required(_l("Vul het e-mailadres van de contactpersoon in.")),
                    Email(message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")),
                    Length(max=254)],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"})
    contact_telefoon = StringField(
        _l("Telefoonnummer contactpersoon"), description=_l("Bijvoorbeeld 06 12345678."),
        filters=[strip], validators=[required(_l("Vul het telefoonnummer van de contactpersoon in."))],
        render_kw={"autocomplete": "tel", "type": "tel"})
    rechtsvorm = RadioField(_l("Rechtsvorm"), choices=[SelectChoice(code, entry.label_nl) for code, entry in LEGAL_FORMS.items()],
                            validators=[required(_l("Kies de rechtsvorm."))], validate_choice=False)
    kvk_nummer = StringField(
        _l("KvK-nummer"), description=_l("8 cijfers. Verplicht voor een vereniging, stichting, "
                                         "coöperatie, bv of nv."), filters=[strip],
        validators=[Optional()], render_kw={"inputmode": "numeric"})
    winstoogmerk = RadioField(_l("Wilt u met deze taak winst maken?"),
                              choices=[SelectChoice("nee", _l("Nee")), SelectChoice("ja", _l("Ja"))],
                              validators=[required(_l("Kies ja of nee."))], validate_choice=False)
    winstoogmerk_toelichting = TextAreaField(
        _l("Toelichting op winst"), description=_l("Verplicht als u ja kiest."), filters=[strip],
        validators=[Length(max=2000)])
    samenstelling_groep = TextAreaField(
        _l("Wie zijn jullie en wat is jullie kennis en ervaring?"),
        description=_l("Minstens 200 tekens. Vertel wie er meedoen en wat zij al gedaan hebben."),
        filters=[strip],
        validators=[required(_l("Vertel wie jullie zijn en wat jullie kennis en ervaring is.")),
                    min_chars(200, _l("Schrijf minstens 200 tekens.")), Length(max=10000)])

    def validate_rechtsvorm(self, field):
        if field.data not in LEGAL_FORMS:
            raise ValidationError(str(_l("Kies de rechtsvorm.")))
        if (self.ctx and self.ctx.settings.get("rechtspersoon_vereist_bij") == "indiening"
                and field.data == "informele_groep"):
            raise ValidationError(str(_l("U kunt alleen een verzoek doen als vereniging, stichting, "
                                         "coöperatie of bedrijf. Een groep zonder rechtsvorm kan "
                                         "dat hier niet.")))

    def validate_winstoogmerk(self, field):
        if field.data not in ("ja", "nee"):
            raise ValidationError(str(_l("Kies ja of nee.")))

    def validate_adres_postcode(self, field):
        if field.data and not POSTCODE.match(normalise_postcode(field.data)):
            raise ValidationError(str(_l("Vul een geldige postcode in: 4 cijfers en 2 letters, "
                                         "bijvoorbeeld 1234 AB.")))

    def validate_contact_telefoon(self, field):
        if field.data and not PHONE.match(field.data):
            raise ValidationError(str(_l("Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678.")))

    def validate_kvk_nummer(self, field):
        if field.data and not KVK.match(field.data.replace(" ", "")):
            raise ValidationError(str(_l("Een KvK-nummer bestaat uit 8 cijfers.")))

    def cross_check(self) -> bool:
        ok = True
        if self.rechtsvorm.data in LEGAL_ENTITY_FORMS and not self.kvk_nummer.data:
            ok = self.fail(self.kvk_nummer, _l("Vul het KvK-nummer in. Dat is verplicht voor "
                                               "een %(form)s.",
                                               form=LEGAL_FORMS[self.rechtsvorm.data].label_nl.lower()))
        if self.winstoogmerk.data == "ja" and not self.winstoogmerk_toelichting.data:
            ok = self.fail(self.winstoogmerk_toelichting,
                           _l("Leg uit hoe u winst wilt maken en wat u met de winst doet."))
        return ok

    def cleaned(self) -> dict[str, Any]:
        data = self.typed()
        data["adres_postcode"] = normalise_postcode(self.adres_postcode.data)
        data["kvk_nummer"] = (self.kvk_nummer.data or "").replace(" ", "")
        return data

    def warnings(self) -> list[str]:
        if (self.ctx and self.ctx.settings.get("rechtspersoon_vereist_bij", "overeenkomst")
                == "overeenkomst" and self.rechtsvorm.data == "informele_groep"):
            return [str(_l("U kunt het verzoek doen als groep zonder rechtsvorm. Voor de "
                           "overeenkomst heeft u later wel een rechtsvorm nodig, zoals een "
                           "vereniging of stichting."))]
        return []


# --------------------------------------------------------------------------- step 2

class TaskForm(StepForm):
    number = 2
    title = _l("Welke taak")

    taak_omschrijving = TextAreaField(
        _l("Welke taak (of welk deel van een taak) wilt u overnemen?"),
        description=_l("Minstens 200 tekens. Beschrijf wat de gemeente nu doet en welk deel u "
                       "wilt gaan doen."), filters=[strip],
        validators=[required(_l("Beschrijf de taak die u wilt overnemen.")),
                    min_chars(200, _l("Schrijf minstens 200 tekens.")), Length(max=10000)])
    taak = SelectField(_l("Taak uit de takenlijst"),
                       description=_l("Staat de taak er niet bij? Kies dan \"Een andere taak\"."),
                       validators=[required(_l("Kies een taak uit de lijst, of \"Een andere taak\"."))],
                       validate_choice=False)
    beleidsveld = SelectField(_l("Onderwerp (beleidsveld)"),
                              validators=[required(_l("Kies een onderwerp."))], validate_choice=False)
    gebied = StringField(_l("Wijk of buurt"), description=_l("Niet verplicht."), filters=[strip],
                         validators=[Length(max=200, message=_l("Gebruik hoogstens 200 tekens."))])

    def configure(self, ctx: StepContext) -> TaskForm:
        super().configure(ctx)
        self.taak.choices = ([SelectChoice("", str(_l("Kies een taak")))]
                             + [SelectChoice(str(t.id), t.title) for t in ctx.tasks]
                             + [SelectChoice("anders", str(_l("Een andere taak")))])
        self.beleidsveld.choices = ([SelectChoice("", str(_l("Kies een onderwerp")))]
                                    + [SelectChoice(area, area[:1].upper() + area[1:])
                                       for area in ctx.policy_areas])
        return self

    def validate_taak(self, field):
        if field.data != "anders" and (self.ctx is None or self.ctx.task(field.data) is None):
            raise ValidationError(str(_l("Kies een taak uit de lijst, of \"Een andere taak\".")))

    def validate_beleidsveld(self, field):
        if self.ctx is None or field.data not in self.ctx.policy_areas:
            raise ValidationError(str(_l("Kies een onderwerp uit de lijst.")))
        excluded = [str(x) for x in self.ctx.settings.get("uitgesloten_taken", []) or []]
        if field.data in excluded:
            raise ValidationError(str(_l("Voor dit onderwerp kunt u het uitdaagrecht niet "
                                         "gebruiken. U kunt wel een bewonersinitiatief doen of "
                                         "de gemeente vragen om samen te werken.")))


# --------------------------------------------------------------------------- step 3

class IndicatorForm(Form):
    tekst = StringField(_l("Meetbaar resultaat"), filters=[strip], validators=[Length(max=300)])


class PlanForm(StepForm):
    number = 3
    title = _l("Uw plan")
    file_purposes: ClassVar[dict[str, str]] = {"plan_bijlage": "plan"}

    uitvoeringsplan = TextAreaField(
        _l("Hoe gaat u de taak uitvoeren?"),
        description=_l("Minstens 300 tekens. Wie doet wat, wanneer en met welke middelen?"),
        filters=[strip],
        validators=[required(_l("Beschrijf hoe u de taak gaat uitvoeren.")),
                    min_chars(300, _l("Schrijf minstens 300 tekens.")), Length(max=20000)])
    plan_bijlage = FileField(_l("Plan als bijlage"), description=_l("Niet verplicht. PDF, ODT, DOCX, "
                                                                    "ODS, XLSX, JPG of PNG."))
    beter_goedkoper_motivering = TextAreaField(
        _l("Waarom kunt u het beter of goedkoper?"), filters=[strip],
        validators=[required(_l("Leg uit waarom u het beter of goedkoper kunt.")), Length(max=10000)])
    doelen_resultaten = TextAreaField(
        _l("Wat wilt u bereiken, en voor wie?"),
        description=_l("Uw doelen, de doelgroep en hoeveel mensen u wilt bereiken."), filters=[strip],
        validators=[required(_l("Beschrijf wat u wilt bereiken.")), Length(max=10000)])
    indicatoren = FieldList(FormField(IndicatorForm), min_entries=INDICATOR_ROWS,
                            max_entries=20, label=_l("Meetbare resultaten"))
    startdatum = StringField(_l("Startdatum"), description=_l("Bijvoorbeeld 01-09-2026."),
                             filters=[strip], validators=[required(_l("Vul de startdatum in."))],
                             render_kw={"type": "date"})
    looptijd_maanden = StringField(_l("Looptijd in maanden"), filters=[strip],
                                   validators=[required(_l("Vul de looptijd in maanden in."))],
                                   render_kw={"inputmode": "numeric"})

    def validate_startdatum(self, field):
        try:
            start = parse_date(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if start is not None and self.ctx is not None and start < self.ctx.earliest_start:
            raise ValidationError(str(_l(
                "Kies een startdatum op of na %(date)s. De gemeente wil het verzoek minstens "
                "%(weeks)s weken voor de start ontvangen.",
                date=format_date(self.ctx.earliest_start, "d MMMM yyyy"), weeks=self.ctx.lead_weeks)))

    def validate_looptijd_maanden(self, field):
        try:
            months = parse_whole(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        limit = self.ctx.max_months if self.ctx else 48
        if months is not None and not 1 <= months <= limit:
            raise ValidationError(str(_l("Kies een looptijd van 1 tot en met %(max)s maanden.",
                                         max=limit)))

    def cross_check(self) -> bool:
        if not any((entry.tekst.data or "").strip() for entry in self.indicatoren):
            self.indicatoren.errors = []  # FieldList keeps its errors as a list of entry errors
            first = self.indicatoren.entries[0].tekst
            return self.fail(first, _l("Noem minstens één meetbaar resultaat, bijvoorbeeld "
                                       "\"elke maand 20 bezoekers\"."))
        return True

    def typed(self) -> dict[str, Any]:
        data = super().typed()
        data["indicatoren"] = [e.get("tekst", "") for e in data["indicatoren"]]
        return data

    def cleaned(self) -> dict[str, Any]:
        data = self.typed()
        data["indicatoren"] = [text for text in data["indicatoren"] if text]
        data["startdatum"] = parse_date(self.startdatum.data).isoformat()
        data["looptijd_maanden"] = str(parse_whole(self.looptijd_maanden.data))
        return data


# --------------------------------------------------------------------------- step 4

class SupportForm(StepForm):
    number = 4
    title = _l("Draagvlak")
    file_purposes: ClassVar[dict[str, str]] = {"draagvlak_bijlage": "draagvlak"}

    draagvlak_omschrijving = TextAreaField(
        _l("Wie steunen uw plan, en hoe weet u dat?"),
        description=_l("Vertel hoe u buurtbewoners en andere betrokkenen heeft gevraagd wat zij "
                       "ervan vinden."), filters=[strip],
        validators=[required(_l("Beschrijf wie uw plan steunen.")), Length(max=10000)])
    aantal_steunbetuigingen = StringField(
        _l("Aantal steunbetuigingen"),
        description=_l("Bijvoorbeeld handtekeningen of steunbrieven. Niet nodig als u een bewijs "
                       "als bijlage meestuurt."), filters=[strip], render_kw={"inputmode": "numeric"})
    draagvlak_bijlage = FileField(
        _l("Bewijs van steun"),
        description=_l("Bijvoorbeeld een handtekeningenlijst, het verslag van een bewonersavond of "
                       "steunbrieven. PDF, ODT, DOCX, ODS, XLSX, JPG of PNG."))

    def validate_aantal_steunbetuigingen(self, field):
        try:
            parse_whole(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def cross_check(self) -> bool:
        if self.aantal_steunbetuigingen.errors or self.ctx is None:
            return True
        if self.ctx.attachments_by_purpose.get("draagvlak", 0) > 0:
            return True
        count = parse_whole(self.aantal_steunbetuigingen.data) or 0
        needed = max(self.ctx.min_supporters, 1)
        if count >= needed:
            return True
        if self.ctx.min_supporters > 1:
            message = _l("Stuur een bewijs van steun mee als bijlage, of vul het aantal "
                         "steunbetuigingen in (minstens %(n)s).", n=self.ctx.min_supporters)
        else:
            message = _l("Stuur een bewijs van steun mee als bijlage, of vul het aantal "
                         "steunbetuigingen in.")
        return self.fail(self.draagvlak_bijlage, message)

    def cleaned(self) -> dict[str, Any]:
        data = self.typed()
        count = parse_whole(self.aantal_steunbetuigingen.data)
        data["aantal_steunbetuigingen"] = "" if count is None else str(count)
        return data


# --------------------------------------------------------------------------- step 5

class BudgetLineForm(Form):
    post = StringField(_l("Kostenpost"), filters=[strip], validators=[Length(max=200)])
    bedrag = StringField(_l("Bedrag in euro"), filters=[strip], render_kw={"inputmode": "decimal"})


class BudgetForm(StepForm):
    number = 5
    title = _l("Begroting")

    begroting = FieldList(FormField(BudgetLineForm), min_entries=BUDGET_ROWS, max_entries=60,
                          label=_l("Kosten"))
    eigen_bijdrage_geld = StringField(_l("Eigen bijdrage in geld (euro)"),
                                      description=_l("Vul 0 in als u geen geld bijdraagt."),
                                      filters=[strip],
                                      validators=[required(_l("Vul uw eigen bijdrage in geld in."))],
                                      render_kw={"inputmode": "decimal", "data-budget-own": ""})
    eigen_bijdrage_uren = StringField(_l("Eigen bijdrage in uren vrijwilligerswerk"),
                                      description=_l("Vul 0 in als u geen uren bijdraagt."),
                                      filters=[strip],
                                      validators=[required(_l("Vul het aantal uren in."))],
                                      render_kw={"inputmode": "numeric"})
    # Asked after the costs and the own contribution: it is the one minus the other.
    gevraagd_budget = StringField(
        _l("Gevraagd budget van de gemeente (euro)"),
        description=_l("Uw totale kosten min uw eigen bijdrage in geld."), filters=[strip],
        validators=[required(_l("Vul het bedrag in dat u van de gemeente vraagt."))],
        render_kw={"inputmode": "decimal"})
    budget_toelichting = TextAreaField(
        _l("Toelichting op het gevraagde budget"),
        description=_l("Vraagt u meer dan de gemeente nu aan deze taak uitgeeft? Leg dan uit waarom."),
        filters=[strip], validators=[Length(max=5000)])

    def _amount(self, field) -> Decimal | None:
        try:
            return parse_amount(field.data)
        except ValueError:
            return None

    def validate_gevraagd_budget(self, field):
        try:
            parse_amount(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_eigen_bijdrage_geld(self, field):
        try:
            parse_amount(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_eigen_bijdrage_uren(self, field):
        try:
            parse_whole(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def lines(self) -> list[tuple[str, Decimal | None]]:
        return [(e.post.data or "", self._amount(e.bedrag)) for e in self.begroting]

    def total(self) -> Decimal:
        return sum((amount or Decimal(0) for _post, amount in self.lines()), Decimal(0))

    def amount_to_ask(self) -> str:
        """Costs minus the own contribution in money, as the form stands ('' if unknown)."""
        own = self._amount(self.eigen_bijdrage_geld)
        return euro(self.total() - own) if own is not None else ""

    def cross_check(self) -> bool:
        ok = True
        filled = 0
        for entry in self.begroting:
            post, amount_text = entry.post.data or "", entry.bedrag.data or ""
            if not post and not amount_text:
                continue
            filled += 1
            try:
                parse_amount(amount_text)
            except ValueError as exc:
                ok = self.fail(entry.bedrag, exc)
            if not post:
                ok = self.fail(entry.post, _l("Vul in waar dit bedrag voor is."))
            elif not amount_text:
                ok = self.fail(entry.bedrag, _l("Vul het bedrag in."))
        if filled == 0:
            self.begroting.errors = []
            return self.fail(self.begroting.entries[0].post,
                             _l("Vul minstens één kostenpost met een bedrag in."))
        requested = self._amount(self.gevraagd_budget)
        own = self._amount(self.eigen_bijdrage_geld)
        if ok and requested is not None and own is not None and not self.gevraagd_budget.errors:
            expected = self.total() - own
            if abs(expected - requested) > TOLERANCE:
                ok = self.fail(self.gevraagd_budget, _l(
                    "Het gevraagde budget klopt niet met de begroting. Uw kosten (%(total)s) min "
                    "uw eigen bijdrage (%(own)s) is %(expected)s.",
                    total=euro(self.total()), own=euro(own), expected=euro(expected)))
        return ok

    def typed(self) -> dict[str, Any]:
        data = super().typed()
        data["begroting"] = [{"post": e.get("post", ""), "bedrag": e.get("bedrag", "")}
                             for e in data["begroting"]]
        return data

    def cleaned(self) -> dict[str, Any]:
        data = self.typed()
        data["begroting"] = [{"post": post, "bedrag": format_amount(amount)}
                             for post, amount in self.lines() if post]
        data["gevraagd_budget"] = format_amount(parse_amount(self.gevraagd_budget.data))
        data["eigen_bijdrage_geld"] = format_amount(parse_amount(self.eigen_bijdrage_geld.data))
        data["eigen_bijdrage_uren"] = str(parse_whole(self.eigen_bijdrage_uren.data))
        data["begroting_totaal"] = format_amount(self.total())
        return data

    def warnings(self) -> list[str]:
        """R4 (§2.4 E2): more than the task costs now, without a reason, is not blocked but
        shown to the resident here and flagged for the official."""
        if self.ctx is None or self.ctx.current_budget is None or self.budget_toelichting.data:
            return []
        requested = self._amount(self.gevraagd_budget)
        if requested is None or requested <= self.ctx.current_budget:
            return []
        return [str(_l("U vraagt meer dan de gemeente nu aan deze taak uitgeeft (%(budget)s). "
                       "Leg bij de toelichting uit waarom. Zonder uitleg kan de gemeente uw "
                       "verzoek daarom afwijzen.", budget=euro(self.ctx.current_budget)))]


# --------------------------------------------------------------------------- step 6

class QualityForm(StepForm):
    number = 6
    title = _l("Kwaliteit en ondersteuning")

    maatschappelijke_meerwaarde = TextAreaField(
        _l("Wat levert uw plan de buurt of de samenleving op?"), filters=[strip],
        validators=[required(_l("Beschrijf wat uw plan de buurt of de samenleving oplevert.")),
                    Length(max=10000)])
    kwaliteit_continuiteit = TextAreaField(
        _l("Hoe zorgt u dat het werk goed blijft gaan, ook op lange termijn?"),
        description=_l("Bijvoorbeeld: wie het werk overneemt als iemand stopt, en hoe vrijwilligers "
                       "worden opgeleid."), filters=[strip],
        validators=[required(_l("Beschrijf hoe u de kwaliteit en de continuïteit bewaakt.")),
                    Length(max=10000)])
    veiligheid_risico = TextAreaField(
        _l("Veiligheid, risico's en verzekering"), filters=[strip],
        validators=[required(_l("Beschrijf hoe u zorgt voor veiligheid en hoe u verzekerd bent.")),
                    Length(max=10000)])
    veiligheid_bevestigd = BooleanField(
        _l("Ik verklaar dat wij het werk uitvoeren volgens de veiligheidsregels van de gemeente."),
        validators=[required(_l("Bevestig dat u volgens de veiligheidsregels werkt."))])
    gevraagde_ondersteuning = TextAreaField(
        _l("Welke hulp vraagt u van de gemeente?"),
        description=_l("Niet verplicht. Bijvoorbeeld advies, materiaal of kennis."), filters=[strip],
        validators=[Length(max=5000)])


# --------------------------------------------------------------------------- step 7

class ReviewForm(StepForm):
    number = 7
    title = _l("Controleren en indienen")

    privacyverklaring_gelezen = BooleanField(
        _l("Ik heb de privacyverklaring gelezen."),
        validators=[required(_l("Geef aan dat u de privacyverklaring heeft gelezen."))])
    toestemming_publicatie_naam = BooleanField(
        _l("De gemeente mag de namen van de indieners publiceren."),
        description=_l("Niet verplicht. Zonder toestemming publiceren wij alleen de naam van het "
                       "initiatief."))


STEPS: tuple[type[StepForm], ...] = (WhoForm, TaskForm, PlanForm, SupportForm, BudgetForm,
                                     QualityForm, ReviewForm)
LAST_STEP = len(STEPS)


def step_form(number: int) -> type[StepForm]:
    return STEPS[number - 1]


def to_formdata(values: dict[str, Any]) -> MultiDict:
    """Stored values as the browser would post them (for re-validating a saved step)."""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                pairs.append((name, "y"))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    pairs += [(f"{name}-{index}-{key}", str(v or "")) for key, v in item.items()]
                else:
                    pairs.append((f"{name}-{index}-tekst", str(item or "")))
        elif value is not None:
            pairs.append((name, str(value)))
    return MultiDict(pairs)


def load_step(number: int, stored: dict[str, Any], ctx: StepContext, *, formdata=None,
              extra_rows: int = 0) -> StepForm:
    """The step form, filled from `formdata` (a POST) or from the stored draft."""
    cls = step_form(number)
    if formdata is None:
        form = cls(formdata=to_formdata(stored), meta={"csrf": False})
    else:
        form = cls(formdata=formdata)
    for name in ("begroting", "indicatoren"):
        if name in form._fields:
            rows = form[name]
            for _ in range(extra_rows if name == "begroting" else 0):
                rows.append_entry()
    return form.configure(ctx)


def stored_values_of(number: int, data: dict[str, Any]) -> dict[str, Any]:
    """The part of the draft that belongs to one step."""
    names = [f.name for f in step_form(number)(formdata=None, meta={"csrf": False}).data_fields()]
    return {name: data[name] for name in names if name in data}


class TransitionForm(FlaskForm):
    lock_version = HiddenField()


class AnswerForm(TransitionForm):
    answer = TextAreaField(_l("Uw antwoord"), filters=[strip],
                           validators=[required(_l("Schrijf uw antwoord.")), Length(max=20000)])
    document = FileField(_l("Bijlage"), description=_l("Niet verplicht. PDF, ODT, DOCX, ODS, XLSX, "
                                                       "JPG of PNG."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for f in self:
            f.errors = [str(error) for error in f.errors]
        return valid


class WithdrawForm(TransitionForm):
    reason = TextAreaField(_l("Waarom trekt u uw verzoek in?"), description=_l("Niet verplicht."),
                           filters=[strip], validators=[Length(max=5000)])


class UploadForm(FlaskForm):
    document = FileField(_l("Document"), description=_l("PDF, ODT, DOCX, ODS, XLSX, JPG of PNG."))


class ConfirmForm(FlaskForm):
    """A POST with only the CSRF token (delete a draft)."""


def field_labels() -> dict[str, Any]:
    """The form's (lazily translated) label for every key it stores in case.data, so that
    other pages (the workbench) name the fields exactly as the resident saw them."""
    labels: dict[str, Any] = {}
    for step in STEPS:
        for name in dir(step):
            unbound = getattr(step, name, None)
            if isinstance(unbound, UnboundField):
                label = unbound.kwargs.get("label") or (unbound.args[0] if unbound.args else None)
                if label:
                    labels[name] = label
    return labels
