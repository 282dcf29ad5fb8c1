"""Routes of this area."""
from participation.initiatives import bp  # noqa: F401
