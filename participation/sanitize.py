"""User text in pages: the one place that decides which HTML a user may write.

Everything users type is escaped by Jinja by default. Where formatted user text is
wanted, templates use the `user_html` filter, which goes through `clean_html`: a small
allowlist, links with http/https/mailto only, and no event handlers or htmx attributes
(an `hx-get` in user text would otherwise make the page fetch and swap content).
This is the only module that imports bleach.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import bleach
from flask import Request
from markupsafe import Markup, escape
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
MAX_LENGTH = 50_000

# Bidirectional overrides and isolates can make text read differently from what it is
# ("Trojan Source"); the zero-width characters are kept (they are needed in some scripts).
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    # Only a link's target survives; bleach checks its protocol against ALLOWED_PROTOCOLS.
    # Event handlers (on*), htmx (hx-*, data-hx-*), style and everything else are dropped.
    return tag == "a" and name == "href"


def _strip_controls(text: str) -> str:
    return _CONTROL.sub("", text).translate(_BIDI_CONTROLS)


def plain(text: Any) -> str:
    """User text as plain text: control characters and bidi overrides removed, Unicode
    normalised (NFC). The caller still escapes it when it goes into HTML."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", _strip_controls(str(text)))


def clean_html(text: Any) -> Markup:
    """User HTML reduced to the allowlist, safe to place in a page."""
    if text is None:
        return Markup("")
    raw = plain(text)[:MAX_LENGTH]
    cleaned = bleach.clean(raw, tags=ALLOWED_TAGS, attributes=_attribute_allowed,
                           protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True)
    return Markup(cleaned)  # bleach has just reduced it to the allowlist


def user_text(text: Any) -> Markup:
    """Plain user text, escaped, with its line breaks kept as <br>."""
    escaped = escape(plain(text))
    return Markup("<br>\n").join(escaped.split("\n"))


class CleanMultiDict(ImmutableMultiDict):
    """Form fields and query parameters with every control character (except tab and line
    breaks) replaced by U+FFFD. PostgreSQL refuses NUL in text, and no field has a use for
    the others. Replaced, not removed: "ad\x00min" must not turn into "admin", and a
    garbled filter value stays an unknown value (400), not an absent one."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = ((k, v) for k, values in mapping.items()
                     for v in (values if isinstance(values, (list, tuple)) else [values]))
        else:
            pairs = mapping
        super().__init__([(_replace_controls(k), _replace_controls(v)) for k, v in pairs])


def _replace_controls(value: Any) -> Any:
    return _CONTROL.sub("\ufffd", value) if isinstance(value, str) else value


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict
