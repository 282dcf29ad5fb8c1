"""Routes of this area."""
from participation.challenges import bp  # noqa: F401
