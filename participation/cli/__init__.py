"""`flask --app wsgi <command>`: every module in this package registers its own commands."""
from __future__ import annotations

import importlib
import pkgutil

from flask import Flask


def register(app: Flask) -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        module.register(app)
