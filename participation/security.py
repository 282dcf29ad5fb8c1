"""Security headers, set in one place for every response."""
from __future__ import annotations

from flask import Flask, Response, current_app
from werkzeug.routing import IntegerConverter, UnicodeConverter

CSP: dict[str, str] = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
}

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def csp_header() -> str:
    return "; ".join(f"{name} {value}" for name, value in CSP.items())


# Files handed out for download never run anything, even when opened in the browser.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def strict_headers(*, hsts: bool) -> dict[str, str]:
    """Headers every response carries, pages and static files alike."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return headers


def set_security_headers(response: Response) -> Response:
    # A view may set a stricter policy of its own (attachment downloads are sandboxed).
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        response.headers.setdefault("Content-Security-Policy", DOWNLOAD_CSP)
    response.headers.setdefault("Content-Security-Policy", csp_header())
    response.headers.update(strict_headers(hsts=bool(current_app.config.get("HSTS"))))
    return response


class BoundedInt(IntegerConverter):
    """<int:...> in URLs, at most the largest id a database column holds: a longer number
    is simply not found (404), instead of overflowing the database driver (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PrintableString(UnicodeConverter):
    """<name> in URLs without control characters: a slug or token with NUL in it is not
    found (404), instead of reaching PostgreSQL, which refuses NUL in text (500)."""

    def __init__(self, map, minlength=1, maxlength=None, length=None) -> None:
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)


def init_app(app: Flask) -> None:
    # Before the blueprints add their rules: the rules look their converters up when added.
    app.url_map.converters["int"] = BoundedInt
    app.url_map.converters["default"] = app.url_map.converters["string"] = PrintableString
    from participation.sanitize import CleanRequest  # form and query values without NUL etc.

    app.request_class = CleanRequest
    app.after_request(set_security_headers)
