"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask CLI (`flask --app wsgi ...`)."""
from participation import create_app

app = create_app()
