"""Billing errors with stable codes (HTTP status 402 for every plan limit)."""

from __future__ import annotations

from engagex.errors import AppError


class PlanLimitExceeded(AppError):
    """A plan limit refuses the operation; ``details`` carry the numbers."""

    status = 402
    code = "plan_limit_exceeded"


class QuotaExceeded(PlanLimitExceeded):
    """Not enough monthly email quota left: details ``limit, used, requested, remaining``."""

    code = "quota_exceeded"


class ContactLimitExceeded(PlanLimitExceeded):
    """The contact limit would be passed: details ``limit, held, adding, remaining``."""

    code = "contact_limit_exceeded"


class SeatLimitExceeded(PlanLimitExceeded):
    """Every seat of the plan is taken: details ``limit, used, adding``."""

    code = "seat_limit_exceeded"


class FeatureNotInPlan(PlanLimitExceeded):
    code = "feature_not_in_plan"


class SendingPaused(AppError):
    """A payment is overdue past the grace period: nothing is sent until it is paid."""

    status = 402
    code = "sending_paused"


class BillingNotConfigured(AppError):
    status = 503
    code = "billing_not_configured"


class StripeUnavailable(AppError):
    """Stripe could not be reached or answered with an error of its own."""

    status = 502
    code = "stripe_error"
