"""Templates: email templates, revisions, sandboxed rendering, preview and test sends."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.templates import api as templates_api

    api.register_blueprint(templates_api.blp)
