"""The referral program: personal codes, attributing a new user to the friend who invited them, and the reward
once the invited user writes their first message."""

import logging
import secrets
import string

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from apps.accounts.models import TelegramUser
from apps.analytics.services import event_track
from apps.billing.services.bonuses import bonus_messages_grant, subscription_gift_days
from apps.core.exceptions import Forbidden, InvalidInput
from apps.core.queue import task_enqueue_on_commit
from apps.core.telegram import telegram_send_message
from apps.growth.models import Referral, ReferralCode, ReferralProgram
from apps.growth.models.hypotheses import REFERRAL_PREFIX
from apps.growth.rewards import reward_phrase
from apps.growth.selectors.referrals import referral_program_current

logger = logging.getLogger(__name__)
CODE_ALPHABET = string.ascii_letters + string.digits + "_-"  # what a Telegram start payload may hold
CODE_LENGTH = 10
GENERATION_ATTEMPTS = 5
REWARD_NOTICE = gettext_noop(
    "🎁 A friend you invited has started talking to Sputnik. Your reward: {reward}. Thank you!"
)


@transaction.atomic
def referral_code_get_or_create(*, user_id: int) -> ReferralCode:
    """The user's personal code ("ref-" and 10 random characters), made on first request."""
    existing = ReferralCode.objects.filter(user_id=user_id).first()
    if existing is not None:
        return existing
    for _attempt in range(GENERATION_ATTEMPTS):
        code = REFERRAL_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                referral_code = ReferralCode(user_id=user_id, code=code)
                referral_code.full_clean(validate_unique=False)
                referral_code.save()
            return referral_code
        except IntegrityError:
            # Either the user's own code was made a moment ago by a concurrent request, or (rarely) the random
            # code is taken: the first is returned, the second tried again.
            existing = ReferralCode.objects.filter(user_id=user_id).first()
            if existing is not None:
                return existing
    raise RuntimeError("could not generate a free referral code")


@transaction.atomic
def referral_attribute(*, referee_id: int, code: str) -> Referral | None:
    """Record that a user who has just registered came through `code`. Called only when the user is created
    (accounts' first touch), so an existing user opening a link changes nothing; an unknown code is ignored."""
    referral_code = ReferralCode.objects.filter(code=code).first()
    if referral_code is None or referral_code.user_id == referee_id:
        return None
    if Referral.objects.filter(referee_id=referee_id).exists():
        return None
    referral = Referral(referrer_id=referral_code.user_id, referee_id=referee_id)
    referral.full_clean()
    referral.save()
    event_track(
        name="referral_joined", user_id=referee_id, properties={"referrer_id": referral.referrer_id}, source="bot"
    )
    return referral


def referral_first_message_check(*, user_id: int) -> None:
    """Called for every message a user sends to a persona: when they were invited and have not written before,
    the reward is decided by a task after the message commits. One indexed look-up for everyone else.

    A task rather than inline: the reward writes the referrer's billing rows and tells them in Telegram, and
    neither may fail or slow down the invited user's own message."""
    if not Referral.objects.filter(referee_id=user_id, activated_at__isnull=True).exists():
        return
    from apps.growth.tasks import referral_reward  # tasks import services

    # Robust: in eager mode (no broker) the task runs right here, and its failure must not fail the message.
    task_enqueue_on_commit(referral_reward, user_id)


@transaction.atomic
def referral_reward_grant(*, referee_id: int) -> bool:
    """Decide the reward for the friend who invited `referee_id`, once: the first call marks the referral
    activated and, when the program is on, gives the referrer what the program promises now. True when this
    call gave a reward; repeated and concurrent calls give nothing more (the referral row is locked)."""
    referral = Referral.objects.select_for_update().filter(referee_id=referee_id).first()
    if referral is None or referral.activated_at is not None or referral.rewarded_at is not None:
        return False
    now = timezone.now()
    referral.activated_at = now
    program = referral_program_current()
    referrer_erased = TelegramUser.objects.filter(pk=referral.referrer_id, erased_at__isnull=False).exists()
    if program is None or not program.is_active or referrer_erased:  # an erased referrer is nobody to reward
        referral.save(update_fields=["activated_at", "updated_at"])
        return False
    if program.reward_kind == ReferralProgram.Reward.PRO_DAYS:
        subscription_gift_days(user_id=referral.referrer_id, days=program.reward_amount, reason="referral")
    else:
        bonus_messages_grant(user_id=referral.referrer_id, amount=program.reward_amount, reason="referral")
    referral.rewarded_at = now
    referral.reward_kind = program.reward_kind
    referral.reward_amount = program.reward_amount
    referral.full_clean()
    referral.save()
    event_track(
        name="referral_rewarded",
        user_id=referral.referrer_id,
        properties={"referee_id": referee_id, "reward_kind": program.reward_kind, "amount": program.reward_amount},
        source="worker",
    )
    from apps.growth.tasks import referral_reward_notify

    task_enqueue_on_commit(referral_reward_notify, referral.pk)
    return True


def referral_reward_notify(*, referral_id: int) -> bool:
    """Tell the referrer in Telegram, in their language, what they got; True when sent. Raises
    ServiceUnavailable when Telegram cannot take it now (the task retries)."""
    if not settings.TELEGRAM_BOT_TOKEN:
        logger.info("no TELEGRAM_BOT_TOKEN: referral %s is not announced", referral_id)
        return False
    referral = Referral.objects.select_related("referrer").filter(pk=referral_id, rewarded_at__isnull=False).first()
    if referral is None:
        return False
    referrer: TelegramUser = referral.referrer
    with translation.override(referrer.language):
        text = gettext(REWARD_NOTICE).format(reward=reward_phrase(referral.reward_kind, referral.reward_amount))
    try:
        telegram_send_message(chat_id=referrer.telegram_id, text=text)
    except Forbidden:
        from apps.accounts.services import telegram_user_mark_blocked  # accounts calls this module

        telegram_user_mark_blocked(telegram_id=referrer.telegram_id)
        return False
    except InvalidInput as error:  # a chat Telegram does not know: a retry would not help
        logger.warning("referral %s not announced: %s", referral_id, error.code)
        return False
    return True
