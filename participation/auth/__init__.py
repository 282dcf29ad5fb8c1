from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from participation.auth import second_factor, views  # noqa: E402,F401  (registers the routes)
