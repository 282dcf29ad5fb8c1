"""People and an organisation for the workflow service's integration tests."""
from __future__ import annotations

import pytest


@pytest.fixture()
def org(create_org):
    return create_org()


@pytest.fixture()
def resident(create_user):
    return create_user(name="Sanne de Vries")


@pytest.fixture()
def coordinator(create_user, org):
    return create_user(org=org, role="coordinator")
