"""Forms of logging in through a provider."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from participation.auth.forms import AccountForm, _email_field, _strip


class NewAccountForm(AccountForm):
    name = StringField(
        _l("Naam"),
        description=_l("Uw voornaam en achternaam, of de naam van uw organisatie. DigiD geeft "
                       "ons alleen uw burgerservicenummer, niet uw naam."),
        validators=[DataRequired(message=_l("Vul uw naam in.")),
                    Length(max=120, message=_l("Uw naam mag maximaal 120 tekens lang zijn."))],
        filters=[_strip], render_kw={"autocomplete": "name"})
    email = _email_field(_l("Hier sturen wij berichten over uw verzoeken naartoe, en eerst een "
                            "link om het adres te bevestigen."))


class UnlinkForm(AccountForm):
    """Only the CSRF token: unlinking is a POST."""
