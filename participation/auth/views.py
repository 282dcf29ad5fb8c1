"""Routes of this area."""
from participation.auth import bp  # noqa: F401
