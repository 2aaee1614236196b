"""Campaigns and the delivery pipeline: snapshot, batches, workers, progress, messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.campaigns import api as campaigns_api
    from blueprints.campaigns import audience
    from blueprints.contacts import privacy
    from blueprints.contacts.signals import contact_erased

    api.register_blueprint(campaigns_api.blp)
    api.register_blueprint(campaigns_api.messages_blp)
    # Erasure of an address anonymises its recipients and messages in the same
    # transaction; exports of an address list what was sent to it.
    contact_erased.connect(audience.on_contact_erased, weak=False)
    privacy.register_data_section("campaigns", audience.data_section)
