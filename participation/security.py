"""Security headers, set in one place for every response."""
from __future__ import annotations

from flask import Flask, Response, current_app

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


def set_security_headers(response: Response) -> Response:
    # A view may set a stricter policy of its own (attachment downloads are sandboxed).
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        response.headers.setdefault("Content-Security-Policy", DOWNLOAD_CSP)
    response.headers.setdefault("Content-Security-Policy", csp_header())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("HSTS"):
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
