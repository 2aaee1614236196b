"""Accounts: organizations, users, memberships, invitations, API keys, the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.accounts import api as accounts_api

    api.register_blueprint(accounts_api.blp)
