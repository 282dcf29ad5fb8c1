from flask import Blueprint

bp = Blueprint("challenges", __name__, url_prefix="/<org>/uitdaagrecht")

from participation.challenges import views  # noqa: E402,F401  (registers the routes)
