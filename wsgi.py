"""WSGI entry point: ``gunicorn wsgi:app``."""

from engagex import create_app

app = create_app()
