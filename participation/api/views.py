"""Routes of this area."""
from participation.api import bp  # noqa: F401
