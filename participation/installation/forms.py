"""The organisation record as the installation administrator fills it in."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, RadioField, StringField
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from participation.admin.forms import AdminForm, _strip, account_email_field
from participation.domain import grounds
from participation.domain import organisations as rules
from participation.workbench.forms import CheckboxGroupField, choices

_COUNT = NumberRange(min=0, max=100_000_000, message=_l("Vul een heel getal in."))


class OrganisationForm(AdminForm):
    name = StringField(_l("Naam"), description=_l("Zoals inwoners haar kennen, bijvoorbeeld "
                                                  "Gemeente Zonnedal."),
                       validators=[DataRequired(message=_l("Vul de naam in.")),
                                   Length(max=120)], filters=[_strip])
    tooi_code = StringField(_l("TOOI-code"),
                            description=_l("De code uit het register van overheidsorganisaties, "
                                           "bijvoorbeeld gm0363, pv27 of ws0155."),
                            validators=[DataRequired(message=_l("Vul de TOOI-code in.")),
                                        Length(max=12)],
                            filters=[lambda v: v.strip().lower() if isinstance(v, str) else v])
    area = StringField(_l("Werkgebied"), description=_l("Bijvoorbeeld de gemeenten waarin een "
                                                        "waterschap werkt."),
                       validators=[Optional(), Length(max=300)], filters=[_strip])
    email = EmailField(_l("E-mailadres voor inwoners"), filters=[_strip],
                       validators=[Optional(), Email(message=_l(
                           "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")),
                                   Length(max=200)])
    phone = StringField(_l("Telefoonnummer"), validators=[Optional(), Length(max=40)],
                        filters=[_strip])
    address = StringField(_l("Postadres"), validators=[Optional(), Length(max=300)],
                          filters=[_strip])
    website = StringField(_l("Website"), filters=[_strip], validators=[
        Optional(), URL(message=_l("Vul een webadres in dat begint met https://.")),
        Length(max=300)])
    inhabitants = IntegerField(_l("Aantal inwoners"), validators=[Optional(), _COUNT],
                               description=_l("Voor de drempels van initiatieven."))
    electorate = IntegerField(_l("Aantal kiesgerechtigden"), validators=[Optional(), _COUNT])


class NewOrganisationForm(OrganisationForm):
    slug = StringField(_l("Webadres"),
                       description=_l("Het deel na de slash: /zonnedal. Kleine letters, cijfers en "
                                      "streepjes. Dit kan later niet meer veranderen."),
                       validators=[DataRequired(message=_l("Vul het webadres in.")),
                                   Length(max=40)],
                       filters=[lambda v: v.strip().lower() if isinstance(v, str) else v])
    tier = RadioField(_l("Soort organisatie"), validators=[DataRequired(message=_l(
        "Kies gemeente, provincie of waterschap."))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.tier.choices = choices((tier.code, grounds.label(grounds.TIERS, tier.code, locale))
                                    for tier in grounds.TIERS.values())


def organisation_form(tier: str, **kwargs) -> OrganisationForm:
    """The edit form of an organisation of `tier`, with the bodies that can decide there."""
    class EditOrganisationForm(OrganisationForm):
        deciding_bodies = CheckboxGroupField(
            _l("Wie besluit hier?"),
            description=_l("De bestuursorganen die in deze organisatie besluiten over "
                           "verzoeken. Alleen deze staan in het besluitformulier."),
            validators=[DataRequired(message=_l("Kies minstens één bestuursorgaan."))])

    form = EditOrganisationForm(**kwargs)
    locale = str(get_locale())
    form.deciding_bodies.choices = choices(
        (body.code, grounds.label(grounds.DECIDING_BODIES, body.code, locale))
        for body in rules.bodies_of_tier(tier))
    return form


class AdminEmailForm(AdminForm):
    email = account_email_field(_l("E-mailadres van de nieuwe beheerder"),
                                _l("Deze persoon heeft al een account op het platform."))
