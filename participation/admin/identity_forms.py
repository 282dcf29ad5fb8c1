"""The admin's form for a login provider (DigiD, eHerkenning, staff SSO)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from participation.admin.forms import AdminForm, _strip
from participation.domain import assurance

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ProviderForm(AdminForm):
    issuer = StringField(
        _l("Issuer-URL van de makelaar of IdP"),
        description=_l("Bijvoorbeeld https://login.makelaar.nl. Wij lezen de instellingen uit "
                       "/.well-known/openid-configuration op dat adres."),
        validators=[DataRequired(message=_l("Vul de issuer-URL in.")),
                    Length(max=300, message=_l("Deze URL is te lang."))], filters=[_strip])
    client_id = StringField(
        _l("Client-ID"), validators=[DataRequired(message=_l("Vul de client-ID in.")),
                                     Length(max=200, message=_l("Deze client-ID is te lang."))],
        filters=[_strip])
    client_secret = PasswordField(
        _l("Client-secret"),
        description=_l("Laat leeg om het huidige geheim te houden, of om het uit de omgeving te "
                       "lezen (%(name)s). Een opgeslagen geheim tonen wij nooit terug."),
        validators=[Length(max=300, message=_l("Dit geheim is te lang."))])
    scope = StringField(_l("Scopes"), validators=[
        DataRequired(message=_l("Vul de scopes in, bijvoorbeeld 'openid'.")),
        Length(max=300, message=_l("Te lang."))], filters=[_strip])
    enabled = BooleanField(_l("Ingeschakeld"))
    service = StringField(
        _l("Dienst (eHerkenning)"),
        description=_l("De dienst waarvoor iemand gemachtigd moet zijn, zoals de makelaar hem in "
                       "de claim 'dienst' doorgeeft. Leeg: elke dienst die de makelaar toelaat."),
        validators=[Length(max=200, message=_l("Te lang."))], filters=[_strip])
    role_claim = StringField(
        _l("Claim met groepen"), description=_l("Meestal 'groups' (Azure AD, Keycloak)."),
        validators=[Length(max=60, message=_l("Te lang."))], filters=[_strip])
    role_map = TextAreaField(
        _l("Groepen en rollen"),
        description=_l("Eén regel per groep: groep = rol. Rollen: official, coordinator, "
                       "griffie, admin. Rollen volgen de IdP bij elke login."),
        validators=[Length(max=4000, message=_l("Te lang."))])

    def validate_issuer(self, field) -> None:
        parts = urlsplit(field.data or "")
        secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
        if not secure or not parts.netloc or parts.query or parts.fragment:
            raise ValidationError(_l("Vul een https-adres in, zonder ? of #, bijvoorbeeld "
                                     "https://login.makelaar.nl."))

    def validate_role_map(self, field) -> None:
        try:
            assurance.parse_role_map(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Deze regel klopt niet: '%(line)s'. Schrijf: groep = rol "
                                     "(official, coordinator, griffie of admin).",
                                     line=str(exc))) from exc
