"""REST adapter of the analytics under /api/v1/analytics: campaign statistics, timeline
and links, the organization's overview, the event log.

``/api/v1/campaigns/{id}/stats`` belongs to the campaigns domain (delivery progress);
engagement lives here.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from blueprints.analytics import stats
from blueprints.analytics.schemas import (
    CampaignStatsSchema,
    EventArgs,
    EventSchema,
    LinksSchema,
    OverviewArgs,
    OverviewSchema,
    TimelineArgs,
    TimelineSchema,
)
from engagex.api import Blueprint, Page, current_actor, page_schema, requires

blp = Blueprint(
    "analytics",
    __name__,
    url_prefix="/api/v1/analytics",
    description="Opens, clicks, bounces, complaints, unsubscriptions: statistics and events",
)

CAMPAIGN = "/campaigns/<id:campaign_id>"


@blp.route(CAMPAIGN)
class CampaignStats(MethodView):
    @requires("analytics:read")
    @blp.response(200, CampaignStatsSchema)
    def get(self, campaign_id: int) -> Any:
        """A campaign's counters and rates (machine opens and clicks apart)."""
        return stats.campaign_stats(current_actor(), campaign_id)


@blp.route(f"{CAMPAIGN}/timeline")
class CampaignTimeline(MethodView):
    @requires("analytics:read")
    @blp.arguments(TimelineArgs, location="query")
    @blp.response(200, TimelineSchema)
    def get(self, args: dict[str, Any], campaign_id: int) -> Any:
        """Hourly counters (UTC), zeros included, at most 62 days."""
        return stats.timeline(
            current_actor(), campaign_id, since=args["since"], until=args["until"]
        )


@blp.route(f"{CAMPAIGN}/links")
class CampaignLinks(MethodView):
    @requires("analytics:read")
    @blp.response(200, LinksSchema)
    def get(self, campaign_id: int) -> Any:
        """Clicks per link of the campaign, most clicked first."""
        return stats.links(current_actor(), campaign_id)


@blp.route("/overview")
class Overview(MethodView):
    @requires("analytics:read")
    @blp.arguments(OverviewArgs, location="query")
    @blp.response(200, OverviewSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The organization's last N days (default 30): per day, totals, campaigns."""
        return stats.overview(current_actor(), days=args["days"])


@blp.route("/events")
class Events(MethodView):
    @requires("analytics:read")
    @blp.arguments(EventArgs, location="query")
    @blp.response(200, page_schema(EventSchema))
    def get(self, args: dict[str, Any]) -> Page:
        """Events, newest first (keyset pagination)."""
        return stats.list_events(current_actor(), **args)
