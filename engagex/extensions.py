"""Bare extension instances; ``create_app`` binds them to an app."""

from flask_login import LoginManager
from flask_migrate import Migrate

from engagex.api import Api
from engagex.db import db

migrate = Migrate()
api = Api()
login_manager = LoginManager()

__all__ = ["api", "db", "login_manager", "migrate"]
