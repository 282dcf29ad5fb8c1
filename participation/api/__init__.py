from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from participation.api import transparency, views  # noqa: E402,F401  (registers the routes)
