"""Fixtures for the admin pages: an organisation with a logged-in admin."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class AdminSetup:
    org: Any
    admin: Any

    @property
    def base(self) -> str:
        return f"/{self.org.slug}/beheer"


@pytest.fixture()
def admin_setup(create_org, create_user, login) -> AdminSetup:
    org = create_org(slug="zonnedal", name="Gemeente Zonnedal")
    admin = create_user(org=org, role="admin", name="Anna Beheer", email="anna@zonnedal.nl")
    login(admin)
    return AdminSetup(org=org, admin=admin)
