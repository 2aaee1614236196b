"""Accounts: organizations, users, memberships and API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.accounts import api as accounts_api

    accounts_api.init_app(app)
    api.register_blueprint(accounts_api.blp)
