from flask import Blueprint

bp = Blueprint("public", __name__)

from participation.public import views  # noqa: E402,F401  (registers the routes)
