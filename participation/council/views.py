"""Routes of this area."""
from participation.council import bp  # noqa: F401
