"""Routes of this area."""
from participation.admin import bp  # noqa: F401
