"""The retention policy (off by default): old messages are deleted, long-inactive people are erased."""

import logging
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from apps.accounts.privacy import ACTOR_RETENTION, user_data_erase
from apps.accounts.selectors import users_inactive_since
from apps.conversations.services.erasure import messages_delete_older_than
from apps.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)
ERASURES_PER_RUN = 500  # each is its own transaction; the rest wait for tomorrow's run


def retention_run(*, at: datetime | None = None, erasures_limit: int = ERASURES_PER_RUN) -> dict[str, int]:
    """Apply RETENTION_MESSAGES_DAYS and RETENTION_INACTIVE_MONTHS (0 turns either off); returns how many rows
    of each kind went. Each erased person gets their own destruction record (accounts.DataErasure)."""
    at = at or timezone.now()
    report = {"messages": 0, "summaries": 0, "users_erased": 0, "users_failed": 0}
    if settings.RETENTION_MESSAGES_DAYS > 0:
        report |= messages_delete_older_than(before=at - timedelta(days=settings.RETENTION_MESSAGES_DAYS))
    months = settings.RETENTION_INACTIVE_MONTHS
    if months > 0:
        reason = f"inactive for more than {months} months"
        for user_id in users_inactive_since(before=at - relativedelta(months=months), limit=erasures_limit):
            try:
                user_data_erase(user_id=user_id, actor=ACTOR_RETENTION, reason=reason)
            except ApplicationError as error:  # erased a moment ago by someone else, say: the others go on
                logger.warning("retention could not erase user %s: %s", user_id, error.code)
                report["users_failed"] += 1
            else:
                report["users_erased"] += 1
    logger.info("retention removed %s", report)
    return report
