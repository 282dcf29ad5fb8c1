"""The installation's own administration: the organisations it serves. Outside any
organisation's URL space, for users with is_installation_admin."""
from flask import Blueprint

bp = Blueprint("installation", __name__, url_prefix="/beheer/organisaties")

from participation.installation import views  # noqa: E402,F401  (registers the routes)
from participation.installation.logins import bp as logins_bp  # noqa: E402

bp.record_once(lambda state: state.app.register_blueprint(logins_bp))
