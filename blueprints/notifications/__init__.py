"""Notifications: in-app and email, decided by type, role and per-user preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.notifications import api as notifications_api
    from blueprints.notifications import receivers

    api.register_blueprint(notifications_api.blp)
    receivers.connect()
