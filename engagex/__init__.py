"""EngageX core: the framework every domain in ``blueprints/`` builds on."""

from engagex.app import create_app

__all__ = ["create_app"]
