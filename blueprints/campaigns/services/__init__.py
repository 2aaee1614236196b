"""Business logic of campaigns, shared by the API, the CLI and the jobs.

Services take the actor explicitly (None: the system), check permissions, flush and
never commit: the boundary owns the transaction. The pipeline (``pipeline``) is the
exception that proves it: it *is* a boundary, a job that commits per batch.
"""

from blueprints.campaigns.services import dispatch
from blueprints.campaigns.services.campaigns import (
    CONTENT_FIELDS,
    MAX_SEEDS,
    NotEditable,
    create_campaign,
    delete_campaign,
    duplicate_campaign,
    get_campaign,
    list_campaigns,
    list_recipients,
    resolve_groups,
    resolve_segments,
    resolve_template,
    revision_for,
    sender_of,
    set_seed_list,
    update_campaign,
)
from blueprints.campaigns.services.lifecycle import (
    SendingBlocked,
    cancel_campaign,
    check_gates,
    counts,
    due_campaigns,
    fail_campaign,
    finish_campaign,
    pause_automatically,
    pause_campaign,
    prepare,
    restart_stalled,
    resume_campaign,
    schedule_campaign,
    send_campaign,
    set_schedule,
    stalled_campaigns,
    start_due,
    unschedule_campaign,
)
from blueprints.campaigns.services.messages import get_message, list_messages, send_message
from blueprints.campaigns.services.progress import stats
from blueprints.campaigns.services.review import review_campaign
from blueprints.campaigns.services.testing import MAX_TEST_RECIPIENTS, send_test

__all__ = [
    "CONTENT_FIELDS",
    "MAX_SEEDS",
    "MAX_TEST_RECIPIENTS",
    "NotEditable",
    "SendingBlocked",
    "cancel_campaign",
    "check_gates",
    "counts",
    "create_campaign",
    "delete_campaign",
    "dispatch",
    "due_campaigns",
    "duplicate_campaign",
    "fail_campaign",
    "finish_campaign",
    "get_campaign",
    "get_message",
    "list_campaigns",
    "list_messages",
    "list_recipients",
    "pause_automatically",
    "pause_campaign",
    "prepare",
    "resolve_groups",
    "resolve_segments",
    "resolve_template",
    "restart_stalled",
    "resume_campaign",
    "review_campaign",
    "revision_for",
    "schedule_campaign",
    "send_campaign",
    "send_message",
    "send_test",
    "sender_of",
    "set_schedule",
    "set_seed_list",
    "stalled_campaigns",
    "start_due",
    "stats",
    "unschedule_campaign",
    "update_campaign",
]
