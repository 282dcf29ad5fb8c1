from flask import Blueprint

# Install-wide pages of a resident: their cases and notifications across organisations.
bp = Blueprint("residents", __name__, url_prefix="/mijn")

from participation.residents import views  # noqa: F401  (registers the routes)
