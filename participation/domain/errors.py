"""The one base class for a refusal a user can act on.

A service (or the domain) raises a Refusal when it will not do what was asked; nothing has
been written and the view turns it into a message: `errors` maps a form field to a Dutch
message (next to that field), `message_nl` is the whole refusal in one text (a flash or the
top of the form). `status` is the HTTP status a page shows it with: 422 for input the user
can correct, 409 when the case changed under them (services.cases.Conflict).
"""
from __future__ import annotations

from collections.abc import Mapping


class Refusal(Exception):
    status = 422

    def __init__(self, message_nl: str = "", errors: Mapping[str, str] | None = None, *,
                 log: str | None = None) -> None:
        self.errors = dict(errors or {})
        self.message_nl = message_nl or " ".join(self.errors.values())
        # str() is for logs; subclasses with an English text pass it as `log`.
        super().__init__(log or self.message_nl)
