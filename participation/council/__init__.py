from flask import Blueprint

bp = Blueprint("council", __name__, url_prefix="/<org>/griffie")

from participation.council import views  # noqa: E402,F401  (registers the routes)
