"""How a referral reward reads, in the active language: shared by the bot's /invite and the worker's notice."""

from django.utils.translation import ngettext

from apps.growth.models import ReferralProgram


def reward_phrase(kind: str, amount: int) -> str:
    if kind == ReferralProgram.Reward.PRO_DAYS:
        return ngettext("%(count)d day of PRO", "%(count)d days of PRO", amount) % {"count": amount}
    return ngettext("%(count)d bonus message", "%(count)d bonus messages", amount) % {"count": amount}
