"""Who opened or clicked: a coarse client name, and whether it was a machine.

Machine opens and clicks are counted apart from people's (docs/analytics.md,
"Machine opens"). The heuristics, in order:

1. ``provider``: the provider says so (SendGrid's ``sg_machine_open``).
2. ``head_request``: a ``HEAD`` request; mail clients fetch images and follow links
   with ``GET``, link checkers probe with ``HEAD``.
3. ``apple_privacy_proxy``: the user agent is exactly ``Mozilla/5.0``, as Apple Mail
   Privacy Protection's prefetching proxy sends it (Apple Mail itself sends a full
   WebKit string). MPP loads every image of every message when it is delivered,
   read or not.
4. ``scanner``: a user agent of a security gateway, a link-preview bot or an HTTP
   library (Barracuda, Mimecast, Proofpoint, Microsoft Safe Links, curl, python-requests,
   headless browsers, crawlers...), or no user agent at all.
5. ``too_fast``: within ``ENGAGEX_MACHINE_SECONDS`` (5) of the message being sent:
   gateways scan a message as it arrives, before anyone could read it.
6. ``click_burst``: a recipient "clicking" three or more different links within two
   seconds: scanners follow every link; people do not.

Google's and Yahoo's image proxies fetch when the person opens the message, so their
opens are human (and named "Gmail image proxy" / "Yahoo image proxy").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Protocol

APPLE_PROXY = "Mozilla/5.0"
BURST_LINKS = 3
BURST_SECONDS = 2.0

_SCANNER = re.compile(
    r"bot\b|bot/|crawler|spider|scanner|preview|python-|python/|curl/|wget/|go-http-client|"
    r"java/|okhttp|libwww|httpclient|http_request|axios|node-fetch|guzzle|headless|phantomjs|"
    r"barracuda|mimecast|proofpoint|symantec|messagelabs|trendmicro|forcepoint|fortinet|"
    r"ironport|cisco|sophos|zscaler|safelinks|protocol discovery|existence discovery|skypeuripreview|"
    r"facebookexternalhit|slackbot|discordbot|whatsapp|telegrambot|linkedinbot|"
    r"twitterbot|validator|monitor|checker|urlscan|virustotal",
    re.IGNORECASE,
)

_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"GoogleImageProxy|ggpht\.com", "Gmail image proxy"),
        (r"YahooMailProxy", "Yahoo image proxy"),
        (r"Thunderbird", "Thunderbird"),
        (r"Microsoft Outlook|MSOffice|Outlook-Express|ms-outlook", "Outlook"),
        (r"Edg/|Edge/", "Edge"),
        (r"OPR/|Opera", "Opera"),
        (r"Firefox/", "Firefox"),
        (r"Chrome/|CriOS/", "Chrome"),
        (r"Version/[\d.]+.*Safari/", "Safari"),
        (r"AppleWebKit/.*\(KHTML, like Gecko\)(?!.*Safari)", "Apple Mail"),
    )
)

_SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"iPhone|iPad|iPod", "iOS"),
        (r"Android", "Android"),
        (r"Windows", "Windows"),
        (r"Macintosh|Mac OS X", "macOS"),
        (r"CrOS", "ChromeOS"),
        (r"Linux", "Linux"),
    )
)


@lru_cache(maxsize=4096)
def client_of(user_agent: str | None) -> tuple[str, str | None]:
    """``(coarse client name, machine reason or None)`` of a user agent string."""
    ua = (user_agent or "").strip()
    if not ua:
        return "Unknown", "scanner"
    if ua == APPLE_PROXY:
        return "Apple Mail privacy proxy", "apple_privacy_proxy"
    for pattern, name in _FAMILIES[:2]:
        if pattern.search(ua):
            return name, None
    if _SCANNER.search(ua):
        return "Scanner or bot", "scanner"
    family = next((name for pattern, name in _FAMILIES[2:] if pattern.search(ua)), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(ua)), None)
    if family and system:
        return f"{family} on {system}", None
    return family or system or "Other", None


class Hit(Protocol):
    """What the timing heuristics need of an open or a click."""

    type: str
    recipient_id: int
    link_index: int | None
    occurred_at: datetime
    machine_reason: str | None


def too_fast(occurred_at: datetime, sent_at: datetime | None, seconds: float) -> bool:
    if sent_at is None or seconds <= 0:
        return False
    return (occurred_at - sent_at).total_seconds() < seconds


def click_bursts(hits: Iterable[Hit]) -> set[int]:
    """``id()``s of the clicks that belong to a burst (``BURST_LINKS`` different links
    of one recipient within ``BURST_SECONDS``)."""
    by_recipient: dict[int, list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.type == "click" and hit.link_index is not None:
            by_recipient[hit.recipient_id].append(hit)
    burst: set[int] = set()
    for clicks in by_recipient.values():
        if len({c.link_index for c in clicks}) < BURST_LINKS:
            continue
        clicks.sort(key=lambda c: c.occurred_at)
        start = 0
        for end in range(len(clicks)):
            while (
                clicks[end].occurred_at - clicks[start].occurred_at
            ).total_seconds() > BURST_SECONDS:
                start += 1
            window = clicks[start : end + 1]
            if len({c.link_index for c in window}) >= BURST_LINKS:
                burst.update(id(c) for c in window)
    return burst
