"""Growth's background work: each task loads by id and only calls a service."""

from celery import shared_task

from apps.core.exceptions import ServiceUnavailable
from apps.core.tasks import IDEMPOTENT


# Safe to run twice: the service locks the referral and rewards it once.
@shared_task(name="growth.referral_reward", **IDEMPOTENT)
def referral_reward(referee_id: int) -> bool:
    from apps.growth.services.referrals import referral_reward_grant  # keeps worker start light

    return referral_reward_grant(referee_id=referee_id)


@shared_task(
    name="growth.referral_reward_notify",
    autoretry_for=(ServiceUnavailable,),  # Telegram unreachable or rate-limiting: try again later
    retry_backoff=30,
    max_retries=5,
)
def referral_reward_notify(referral_id: int) -> bool:
    from apps.growth.services.referrals import referral_reward_notify as notify

    return notify(referral_id=referral_id)


# Safe to run twice: a survey response row is created before each message, so nobody is asked twice.
@shared_task(name="growth.surveys_send", **IDEMPOTENT)
def surveys_send() -> int:
    from apps.growth.services.surveys import surveys_send_due

    return surveys_send_due()
