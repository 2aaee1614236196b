"""Tuning knobs of the sending pipeline, read from ``app.config`` then the environment.

``engagex/config.py`` does not know these names yet, so a value set only in the
environment is read from ``os.environ`` here; a value in ``app.config`` (tests,
``create_app(**overrides)``) wins.

| name | meaning | default |
|---|---|---|
| ``ENGAGEX_CAMPAIGN_BATCH_SIZE`` | recipients per batch (one claim, one usage record, one SendGrid request; what a crash can repeat) | ``1000`` |
| ``ENGAGEX_CAMPAIGN_PARALLELISM`` | runner jobs queued per campaign start (workers that can share it) | ``4`` |
| ``ENGAGEX_CAMPAIGN_LEASE_SECONDS`` | a claimed batch is given up by a worker that stops renewing it for this long | ``60`` |
| ``ENGAGEX_CAMPAIGN_JOB_SECONDS`` | a runner job hands over to a fresh job after this long (at most 3000: the job timeout is an hour) | ``600`` |
| ``ENGAGEX_CAMPAIGN_MAX_ATTEMPTS`` | deliveries tried per recipient before a temporary failure is final | ``5`` |
| ``ENGAGEX_CAMPAIGN_RETRY_SECONDS`` | first back-off after a temporary failure (doubles per attempt, capped at 15 min) | ``30`` |
| ``ENGAGEX_CAMPAIGN_MAX_ERROR_RATE`` | share of failed deliveries (recent window) that pauses a campaign | ``0.2`` |
| ``ENGAGEX_CAMPAIGN_ERROR_WINDOW`` | deliveries the error rate is measured over (and the minimum before it applies) | ``200`` |
| ``ENGAGEX_CAMPAIGN_STALL_SECONDS`` | ``send-due`` restarts runners of a sending campaign idle for this long | ``120`` |
| ``ENGAGEX_SEND_RATE_PER_ORG`` | messages per second per organization (0: unlimited); ``Organization.settings["send_rate_per_second"]`` overrides it | ``0`` |
| ``ENGAGEX_SEND_RATE_PER_BACKEND`` | messages per second through the mail backend, all organizations together (0: unlimited) | ``0`` |
| ``ENGAGEX_UNSUBSCRIBE_MAILTO`` | address for the ``mailto:`` form of ``List-Unsubscribe`` (unset: HTTPS only) | unset |
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import current_app

ORG_RATE_SETTING = "send_rate_per_second"


def _raw(name: str) -> object:
    config = current_app.config
    if name in config and config[name] not in (None, ""):
        return config[name]
    return os.environ.get(name) or None


def _number(name: str, default: float, minimum: float = 0) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    return max(number, minimum)


def text(name: str) -> str | None:
    value = _raw(name)
    return str(value).strip() if value is not None else None


@dataclass(frozen=True)
class PipelineSettings:
    batch_size: int
    parallelism: int
    lease_seconds: float
    job_seconds: float
    max_attempts: int
    retry_seconds: float
    max_error_rate: float
    error_window: int
    stall_seconds: float
    rate_per_org: float
    rate_per_backend: float


def pipeline() -> PipelineSettings:
    """The current settings (read each time: tests change them per test)."""
    return PipelineSettings(
        batch_size=int(min(_number("ENGAGEX_CAMPAIGN_BATCH_SIZE", 1000, 1), 1000)),
        parallelism=int(_number("ENGAGEX_CAMPAIGN_PARALLELISM", 4, 1)),
        lease_seconds=_number("ENGAGEX_CAMPAIGN_LEASE_SECONDS", 60, 1),
        job_seconds=min(_number("ENGAGEX_CAMPAIGN_JOB_SECONDS", 600, 1), 3000.0),
        max_attempts=int(_number("ENGAGEX_CAMPAIGN_MAX_ATTEMPTS", 5, 1)),
        retry_seconds=_number("ENGAGEX_CAMPAIGN_RETRY_SECONDS", 30, 0),
        max_error_rate=min(_number("ENGAGEX_CAMPAIGN_MAX_ERROR_RATE", 0.2, 0), 1.0),
        error_window=int(_number("ENGAGEX_CAMPAIGN_ERROR_WINDOW", 200, 1)),
        stall_seconds=_number("ENGAGEX_CAMPAIGN_STALL_SECONDS", 120, 1),
        rate_per_org=_number("ENGAGEX_SEND_RATE_PER_ORG", 0),
        rate_per_backend=_number("ENGAGEX_SEND_RATE_PER_BACKEND", 0),
    )


def org_rate(settings: dict[str, object] | None) -> float:
    """Messages per second for one organization (its own setting wins; 0: unlimited)."""
    value = (settings or {}).get(ORG_RATE_SETTING)
    if value is not None:
        try:
            return max(float(value), 0.0)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
    return pipeline().rate_per_org
