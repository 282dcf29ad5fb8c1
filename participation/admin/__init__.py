from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/<org>/beheer")

from participation.admin import views  # noqa: E402,F401  (registers the routes)
