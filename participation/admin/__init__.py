from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/<org>/beheer")
# Public branding assets (the logo) live outside /beheer: anyone may fetch them.
branding_bp = Blueprint("branding", __name__, url_prefix="/<org>")
bp.record_once(lambda state: state.app.register_blueprint(branding_bp))

from participation.admin import identity_views, views  # noqa: E402,F401  (registers the routes)
