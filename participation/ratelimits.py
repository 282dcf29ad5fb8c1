"""Rate limits for the actions a script would repeat: filing a request and signing.

Accounts, login and password reset are limited per client address in participation/auth.
Filing and signing happen logged in, so they are counted per account: residents behind
one address (a library, an office) do not share a budget, and a script cannot escape the
limit by changing address. The storage is Flask-Limiter's: in memory by default, Redis in
production through RATELIMIT_STORAGE_URI.
"""
from __future__ import annotations

from flask_limiter.util import get_remote_address
from flask_login import current_user

# A resident files a few requests a year; twenty an hour is far beyond honest use.
FILING_LIMIT = "20 per hour"
# Uploads by one account: a real request has a handful of files; this stops filling a disk.
UPLOAD_LIMIT = "60 per hour"
# Signing is one click per initiative; thirty a minute still lets someone work down a list.
SIGNING_LIMIT = "30 per minute"


def account_or_address() -> str:
    if current_user.is_authenticated:
        return f"account:{current_user.get_id().split(':', 1)[0]}"
    return get_remote_address() or "unknown"
