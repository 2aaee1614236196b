"""Authentication: passwords, server-side sessions, single sign-on, MFA, rate limits.

Registers flask-login's request loader (bearer API keys and session cookies) and the
/api/v1/auth routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.auth import api as auth_api
    from blueprints.auth import boundary, public

    boundary.init_app(app)
    api.register_blueprint(public.blp)
    api.register_blueprint(auth_api.blp)
