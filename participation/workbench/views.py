"""Routes of this area."""
from participation.workbench import bp  # noqa: F401
