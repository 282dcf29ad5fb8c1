"""The council's monitor of its participation regulation: public figures per year and per
procedure, one organisation's and all organisations' side by side."""
from flask import Blueprint

bp = Blueprint("monitor", __name__)

from participation.monitor import views  # noqa: F401  (registers the routes)
