"""The public transparency factories (cases, decisions, meetings) for the monitor's tests."""
from tests.functional.public.conftest import (  # noqa: F401
    add_event,
    make_case,
    make_decision,
    make_meeting,
)
