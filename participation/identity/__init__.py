from flask import Blueprint

bp = Blueprint("identity", __name__, url_prefix="/account")

from participation.identity import views  # noqa: F401  (registers the routes)
