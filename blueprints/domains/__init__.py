"""Sending domains: DNS verification (ownership, SPF, DKIM, DMARC), DKIM signing and the
gate that refuses mail from unverified domains (``services.assert_sender_allowed``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.domains import api as domains_api
    from blueprints.domains.signing import sign_message
    from engagex.mail import register_signer

    register_signer(sign_message)
    api.register_blueprint(domains_api.blp)
