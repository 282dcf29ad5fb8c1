import pytest

from participation import config as config_module
from participation import create_app


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["engine"] in {"sqlite", "postgresql"}


@pytest.mark.parametrize("secret", ["", "dev", "short-secret", "changeme"])
def test_production_refuses_weak_secret(secret):
    with pytest.raises(config_module.ConfigError, match="SECRET_KEY"):
        config_module.load({"APP_ENV": "production", "SECRET_KEY": secret})


PRODUCTION_KEYS = {"AUDIT_KEY": "a" * 40,
                   "TRANSPARENCY_LOG_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                   "IDENTITY_HASH_KEY": "i" * 40}


@pytest.mark.parametrize(("keys", "named"), [
    ({}, "AUDIT_KEY"), ({"AUDIT_KEY": "short"}, "AUDIT_KEY"),
    ({"AUDIT_KEY": "x" * 40}, "AUDIT_KEY"),  # the same as the SECRET_KEY
    ({"AUDIT_KEY": "a" * 40}, "TRANSPARENCY_LOG_KEY"),
    ({**PRODUCTION_KEYS, "IDENTITY_HASH_KEY": ""}, "IDENTITY_HASH_KEY"),
    ({**PRODUCTION_KEYS, "IDENTITY_HASH_KEY": "a" * 40}, "IDENTITY_HASH_KEY"),  # = AUDIT_KEY
])
def test_production_needs_its_own_audit_and_log_keys(keys, named):
    with pytest.raises(config_module.ConfigError, match=named):
        config_module.load({"APP_ENV": "production", "SECRET_KEY": "x" * 40, **keys})


def test_production_accepts_strong_secret_and_secures_cookies():
    settings = config_module.load({"APP_ENV": "production", "SECRET_KEY": "x" * 40,
                                   **PRODUCTION_KEYS})
    assert settings["SESSION_COOKIE_SECURE"] and settings["HSTS"]
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_is_normalised_for_psycopg():
    assert config_module.database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config_module.database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config_module.database_url(None).startswith("sqlite:///")


def test_create_app_fails_fast_in_production_without_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config_module.ConfigError):
        create_app()


def test_passwords_use_strong_argon2id_outside_tests(app):
    from argon2 import extract_parameters

    from participation.services import accounts

    with app.app_context():
        app.config["PASSWORD_HASH_CHEAP"] = False
        try:
            params = extract_parameters(accounts.hash_password("een-lang-wachtwoord-123"))
        finally:
            app.config["PASSWORD_HASH_CHEAP"] = True
    assert params.type.name == "ID" and params.memory_cost >= 65536 and params.time_cost >= 3
