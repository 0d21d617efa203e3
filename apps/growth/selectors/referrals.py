"""The referral program as users and the bot see it: the settings row, a user's link and their counts."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from apps.growth.models import Referral, ReferralProgram


@dataclass(frozen=True)
class ReferralInvite:
    code: str
    link: str
    program_active: bool
    reward_kind: str
    reward_amount: int
    joined: int  # friends who arrived through the link
    rewarded: int  # of them, those whose first message brought a reward


def referral_program_current() -> ReferralProgram | None:
    """The settings row (a data migration creates it); None reads as "the program is off"."""
    return ReferralProgram.objects.order_by("pk").first()


def referral_link(code: str) -> str:
    return f"https://t.me/{settings.TELEGRAM_BOT_USERNAME}?start={code}"


def referral_invite(*, user_id: int, code: str) -> ReferralInvite:
    program = referral_program_current()
    counts = Referral.objects.filter(referrer_id=user_id).aggregate(
        joined=Count("id"), rewarded=Count("id", filter=Q(rewarded_at__isnull=False))
    )
    return ReferralInvite(
        code=code,
        link=referral_link(code),
        program_active=bool(program and program.is_active),
        reward_kind=program.reward_kind if program else ReferralProgram.Reward.BONUS_MESSAGES,
        reward_amount=program.reward_amount if program else 0,
        **counts,
    )
