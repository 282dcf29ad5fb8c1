"""The installation's own administration: the organisations it serves. Outside any
organisation's URL space, for users with is_installation_admin."""
from flask import Blueprint

bp = Blueprint("installation", __name__, url_prefix="/beheer/organisaties")

from participation.installation import views  # noqa: F401  (registers the routes)
