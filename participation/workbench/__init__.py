from flask import Blueprint

bp = Blueprint("workbench", __name__, url_prefix="/<org>/werkbak")

from participation.workbench import views  # noqa: F401  (registers the routes)
