"""Analytics: tracking, unsubscribe, provider events, bounces, statistics, the complaint
guard and outgoing webhooks (see docs/analytics.md).

Other domains may connect to ``blueprints.analytics.signals``; segments gain the
``opened`` and ``clicked`` conditions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from engagex.api import Api


def init_app(app: Flask, api: Api) -> None:
    from blueprints.analytics import api as analytics_api
    from blueprints.analytics import (
        api_webhooks,
        engagement,
        privacy,
        public,
        receivers,
        tracking,
    )
    from blueprints.campaigns import signals as campaign_signals
    from blueprints.contacts import privacy as contact_privacy
    from blueprints.contacts import segments
    from blueprints.contacts.signals import contact_erased

    api.register_blueprint(analytics_api.blp)
    api.register_blueprint(api_webhooks.blp)
    app.register_blueprint(public.bp)
    # Opens and clicks are answered below Flask's request cycle (see ``tracking``).
    app.wsgi_app = tracking.TrackingMiddleware(app.wsgi_app, app)  # type: ignore[method-assign]

    segments.register_condition("opened", engagement.OPENED)
    segments.register_condition("clicked", engagement.CLICKED)
    # Erasure anonymises events in the same transaction; exports list them.
    contact_erased.connect(privacy.on_contact_erased, weak=False)
    contact_privacy.register_data_section("engagement", privacy.data_section)
    for kind, receiver in receivers.RECEIVERS.items():
        getattr(campaign_signals, f"campaign_{kind}").connect(receiver, weak=False)
