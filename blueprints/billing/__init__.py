"""Billing: plans, subscriptions through Stripe, usage metering and plan enforcement.

Other domains call ``blueprints.billing.services`` (see docs/billing.md) and may connect
to the signals in ``blueprints.billing.signals``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.billing import api as billing_api
    from blueprints.billing import public

    api.register_blueprint(billing_api.blp)
    app.register_blueprint(public.bp)
