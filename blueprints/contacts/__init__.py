"""Contacts: custom fields, groups, segments, suppression, import and export."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.contacts import api as contacts_api
    from blueprints.contacts import api_imports, api_lists

    api.register_blueprint(contacts_api.blp)
    api.register_blueprint(api_imports.blp)
    api.register_blueprint(api_lists.groups)
    api.register_blueprint(api_lists.segments)
    api.register_blueprint(api_lists.suppressions)
