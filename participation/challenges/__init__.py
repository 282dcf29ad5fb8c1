from flask import Blueprint

bp = Blueprint("challenges", __name__, url_prefix="/<org>/uitdaagrecht")

from participation.challenges import views  # noqa: F401  (registers the routes)
