"""Account forms. Messages are Dutch msgids; passwords are never sent back to the browser."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from participation.domain.second_factor import normal_recovery_code, normal_totp_code

MIN_PASSWORD_LENGTH = 12


class AccountForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Lazy messages become text: the shared form macros show only strings.
        for field in self:
            field.errors = [str(error) for error in field.errors]
        return valid


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email_field(description=None) -> EmailField:
    return EmailField(
        _l("E-mailadres"),
        description=description,
        validators=[DataRequired(message=_l("Vul uw e-mailadres in.")),
                    Email(message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")),
                    Length(max=254, message=_l("Dit e-mailadres is te lang."))],
        filters=[_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is not good enough, in words for the user; None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Kies een wachtwoord van minstens 12 tekens."))
    if password.isdigit():
        return str(_l("Een wachtwoord van alleen cijfers is te makkelijk te raden. Gebruik ook letters."))
    if email and password.strip().lower() == email.strip().lower():
        return str(_l("Uw wachtwoord mag niet hetzelfde zijn als uw e-mailadres."))
    return None


def _new_password(label) -> PasswordField:
    return PasswordField(
        label,
        description=_l("Minstens 12 tekens. Een zin van een paar woorden is sterk en makkelijk "
                       "te onthouden."),
        validators=[InputRequired(message=_l("Kies een wachtwoord."))],
        render_kw={"autocomplete": "new-password"},
    )


def _password_repeat(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(message=_l("Vul het wachtwoord nog een keer in.")),
                    EqualTo("password", message=_l("De wachtwoorden zijn niet hetzelfde."))],
        render_kw={"autocomplete": "new-password"},
    )


class NewPasswordRules:
    """Checks `password` against the rules; the form says which email it may not equal."""

    def email_for_password_check(self) -> str:
        return ""

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "", self.email_for_password_check())
        if problem:
            raise ValidationError(problem)


class RegisterForm(NewPasswordRules, AccountForm):
    name = StringField(
        _l("Naam"),
        description=_l("Uw voornaam en achternaam."),
        validators=[DataRequired(message=_l("Vul uw naam in.")),
                    Length(max=120, message=_l("Uw naam mag maximaal 120 tekens lang zijn."))],
        filters=[_strip],
        render_kw={"autocomplete": "name"},
    )
    email = _email_field(_l("Hier sturen wij een link naartoe om uw e-mailadres te bevestigen."))
    password = _new_password(_l("Wachtwoord"))
    password_repeat = _password_repeat(_l("Herhaal het wachtwoord"))
    accept_privacy = BooleanField(
        _l("Ik heb de privacyverklaring gelezen"),
        validators=[DataRequired(message=_l("Lees de privacyverklaring en vink het vakje aan."))],
    )

    def email_for_password_check(self) -> str:
        return self.email.data or ""


class LoginForm(AccountForm):
    email = _email_field()
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[InputRequired(message=_l("Vul uw wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class EmailOnlyForm(AccountForm):
    """Forgotten password and sending the confirmation link again."""

    email = _email_field()


class ResetPasswordForm(NewPasswordRules, AccountForm):
    password = _new_password(_l("Nieuw wachtwoord"))
    password_repeat = _password_repeat(_l("Herhaal het nieuwe wachtwoord"))

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def email_for_password_check(self) -> str:
        return self._email


class ChangePasswordForm(NewPasswordRules, AccountForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[InputRequired(message=_l("Vul uw huidige wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password(_l("Nieuw wachtwoord"))
    password_repeat = _password_repeat(_l("Herhaal het nieuwe wachtwoord"))

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def email_for_password_check(self) -> str:
        return self._email


LANGUAGE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


class ProfileForm(AccountForm):
    name = StringField(
        _l("Naam"),
        validators=[DataRequired(message=_l("Vul uw naam in.")),
                    Length(max=120, message=_l("Uw naam mag maximaal 120 tekens lang zijn."))],
        filters=[_strip],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(
        _l("Taal"),
        description=_l("De taal van de website en van de e-mails die wij u sturen."),
        choices=LANGUAGE_CHOICES,
        validators=[InputRequired(message=_l("Kies een taal."))],
    )


class DeleteAccountForm(AccountForm):
    password = PasswordField(_l("Uw wachtwoord"), validators=[InputRequired(_l("Vul uw wachtwoord in."))])
    confirm = BooleanField(
        _l("Ik begrijp dat mijn account en mijn persoonsgegevens worden verwijderd"),
        validators=[InputRequired(_l("Vink aan dat u uw account wilt verwijderen."))])


# --- Second factor ----------------------------------------------------------------------------


def _code_field(label, description, *, digits_only: bool) -> StringField:
    render_kw = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}
    if digits_only:
        render_kw["inputmode"] = "numeric"
    return StringField(label, description=description,
                       validators=[DataRequired(message=_l("Vul de code in."))],
                       filters=[_strip], render_kw=render_kw)


class AppCodeForm(AccountForm):
    """Confirming the set-up: the six digits the authenticator app shows."""

    code = _code_field(_l("Code uit de app"),
                       _l("De 6 cijfers die de app nu toont voor dit platform."), digits_only=True)

    def validate_code(self, field) -> None:
        if normal_totp_code(field.data or "") is None:
            raise ValidationError(_l("Vul de 6 cijfers in die de app nu toont."))


class LoginCodeForm(AccountForm):
    """The second step of logging in: a code from the app or a recovery code."""

    code = _code_field(
        _l("Code"),
        _l("De 6 cijfers die uw authenticator-app nu toont. Heeft u uw telefoon niet bij de "
           "hand? Vul dan een van uw herstelcodes in."), digits_only=False)

    def validate_code(self, field) -> None:
        text = field.data or ""
        if normal_totp_code(text) is None and normal_recovery_code(text) is None:
            raise ValidationError(_l("Vul de 6 cijfers uit de app in, of een herstelcode zoals "
                                     "abcde-fghjk."))


class PasswordCheckForm(AccountForm):
    """Making new recovery codes: only the account's owner, so the password again."""

    password = PasswordField(_l("Uw wachtwoord"),
                             validators=[InputRequired(message=_l("Vul uw wachtwoord in."))],
                             render_kw={"autocomplete": "current-password"})


class DisableSecondFactorForm(PasswordCheckForm):
    code = _code_field(_l("Code uit de app of een herstelcode"),
                       _l("De 6 cijfers die de app nu toont, of een van uw herstelcodes."),
                       digits_only=False)

    def validate_code(self, field) -> None:
        LoginCodeForm.validate_code(self, field)
