"""Settings from the environment, converted explicitly.

Every setting has an embedded default so that `make run` needs no `.env`:
SQLite under instance/, mail written to the log, rate limits in memory.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# Keys that look like secrets but are not; refused in production.
WEAK_SECRETS = {"", "dev", "development", "secret", "changeme", "change-me", "insecure-dev-key"}
DEV_SECRET = "insecure-dev-key"
# Development only: the audit key and the transparency log's signing key (32 bytes, base64).
DEV_AUDIT_KEY = "insecure-dev-audit-key"
DEV_LOG_KEY = "ZGV2ZWxvcG1lbnQtbG9nLWtleS1ub3QtZm9yLXByb2Q="
DEV_IDENTITY_KEY = "insecure-dev-identity-key"


class ConfigError(RuntimeError):
    """The app must not start with this configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"expected a whole number, got {value!r}") from exc


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL; PostgreSQL URLs use the psycopg 3 driver."""
    if not raw:
        INSTANCE.mkdir(exist_ok=True)
        return f"sqlite:///{INSTANCE / 'participation.sqlite'}"
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://"):]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def _audit_keys(env: Mapping[str, str], secret: str, production: bool) -> tuple[str, str]:
    """The audit chains' key and the transparency log's signing key; both required in
    production, and the audit key must not be the SECRET_KEY."""
    audit_key = env.get("AUDIT_KEY", "")
    log_key = env.get("TRANSPARENCY_LOG_KEY", "")
    if production and (len(audit_key) < 32 or audit_key == secret):
        raise ConfigError(
            "AUDIT_KEY must be set in production: a random value of at least 32 characters, "
            "not the SECRET_KEY (it keys the audit chains; keep it out of the database backup)")
    if production and not log_key:
        raise ConfigError(
            "TRANSPARENCY_LOG_KEY must be set in production: the base64 of 32 random bytes "
            "(python -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())')")
    return audit_key, log_key


def _identity_key(env: Mapping[str, str], others: set[str], production: bool) -> str:
    """The key of the hashes that stand for a BSN; its own, required in production."""
    key = env.get("IDENTITY_HASH_KEY", "")
    if production and (len(key) < 32 or key in others):
        raise ConfigError(
            "IDENTITY_HASH_KEY must be set in production: a random value of at least 32 "
            "characters, not the SECRET_KEY or AUDIT_KEY (it keys the hashes that stand for a "
            "BSN; losing it means a person can sign an initiative again)")
    return key


def _mail(env: Mapping[str, str], production: bool) -> dict[str, Any]:
    """Mail: "console" writes messages to the log; "smtp" sends them."""
    return {
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "smtp" if production else "console"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int(env.get("MAIL_PORT"), 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_TIMEOUT": _int(env.get("MAIL_TIMEOUT"), 10),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "noreply@participatie.example"),
    }


def load(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "development").strip().lower()
    production = app_env == "production"
    secret = env.get("SECRET_KEY", "")
    if production and (secret in WEAK_SECRETS or len(secret) < 32):
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    audit_key, log_key = _audit_keys(env, secret, production)
    identity_key = _identity_key(env, {secret, audit_key}, production)
    uri = database_url(env.get("DATABASE_URL"))
    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if uri.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 30}}
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret or DEV_SECRET,
        "AUDIT_KEY": audit_key or DEV_AUDIT_KEY,
        "TRANSPARENCY_LOG_KEY": log_key or DEV_LOG_KEY,
        "IDENTITY_HASH_KEY": identity_key or DEV_IDENTITY_KEY,
        # Seconds of clock difference allowed when checking an ID token's times.
        "OIDC_CLOCK_LEEWAY": _int(env.get("OIDC_CLOCK_LEEWAY"), 60),
        # The name a checkpoint carries (RFC 9162 log identity); the base URL by default.
        "TRANSPARENCY_LOG_ORIGIN": env.get("TRANSPARENCY_LOG_ORIGIN", ""),
        "SQLALCHEMY_DATABASE_URI": uri,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        **_mail(env, production),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many proxies (nginx) in front set X-Forwarded-*; 0 trusts none of them.
        "TRUSTED_PROXIES": _int(env.get("TRUSTED_PROXIES"), 0),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: count in this process's memory meanwhile (Flask-Limiter logs the switch)
        # instead of failing every limited request; short timeouts so a dead Redis costs
        # half a second, not a hung worker.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(INSTANCE / "uploads")),
        "MAX_UPLOAD_MB": _int(env.get("MAX_UPLOAD_MB"), 10),
        "MAX_CONTENT_LENGTH": (_int(env.get("MAX_UPLOAD_MB"), 10) + 1) * 1024 * 1024,
        "SESSION_COOKIE_SECURE": production or _bool(env.get("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_SECURE": production or _bool(env.get("SESSION_COOKIE_SECURE")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "HSTS": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        # Retention periods in days per record type (AVG storage limitation); see retention run.
        "RETENTION_DAYS": {
            "drafts": _int(env.get("RETENTION_DRAFTS_DAYS"), 180),
            "outbox": _int(env.get("RETENTION_OUTBOX_DAYS"), 90),
            "notifications": _int(env.get("RETENTION_NOTIFICATIONS_DAYS"), 365),
            "signatures": _int(env.get("RETENTION_SIGNATURES_DAYS"), 365),
            "agreement_contacts": _int(env.get("RETENTION_AGREEMENT_CONTACTS_DAYS"), 365),
        },
        # Whole public pages for anonymous visitors (participation.pagecache); 0 turns it off.
        "PAGE_CACHE_SECONDS": _int(env.get("PAGE_CACHE_SECONDS"), 30),
        "PAGE_CACHE_MB": _int(env.get("PAGE_CACHE_MB"), 32),
        # Encrypts the TOTP secrets and keys the recovery codes' hashes; SECRET_KEY when unset.
        # Changing it switches every second factor off in effect (see services/second_factor.py).
        "TOTP_KEY": env.get("TOTP_KEY", ""),
        "LOGIN_MAX_FAILURES": _int(env.get("LOGIN_MAX_FAILURES"), 5),
        "LOGIN_LOCK_MINUTES": _int(env.get("LOGIN_LOCK_MINUTES"), 15),
    }
