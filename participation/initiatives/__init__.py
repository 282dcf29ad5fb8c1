from flask import Blueprint

bp = Blueprint("initiatives", __name__, url_prefix="/<org>/initiatieven")

from participation.initiatives import views  # noqa: E402,F401  (registers the routes)
