"""What the bot says about inviting friends, surveys and interviews, in the user's language (Django i18n)."""

from html import escape
from urllib.parse import quote

from django.utils import translation
from django.utils.translation import gettext as _

from apps.growth.rewards import reward_phrase
from apps.growth.selectors.referrals import ReferralInvite
from bots.telegram.facade import UserView


def invite_text(user: UserView, invite: ReferralInvite) -> str:
    with translation.override(user.language):
        lines = [_("Invite friends to Sputnik with your personal link:"), escape(invite.link), ""]
        if invite.program_active:
            reward = reward_phrase(invite.reward_kind, invite.reward_amount)
            lines.append(
                _("When a friend joins through it and writes their first message, you get %(reward)s.")
                % {"reward": reward}
            )
        lines.append(
            _("Friends joined: %(joined)d. Rewards received: %(rewarded)d.")
            % {"joined": invite.joined, "rewarded": invite.rewarded}
        )
        return "\n".join(lines)


def invite_share_url(user: UserView, invite: ReferralInvite) -> str:
    """Telegram's own share screen: the user picks a chat, the link and a line of text are prefilled."""
    with translation.override(user.language):
        text = _("Talk to Sputnik, an AI companion — try it with me!")
    return f"https://t.me/share/url?url={quote(invite.link, safe='')}&text={quote(text, safe='')}"


def invite_share_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("📨 Share with a friend")


def survey_already_scored(user: UserView) -> str:
    with translation.override(user.language):
        return _("You have already answered this one — thank you!")


def survey_follow_up(user: UserView, question: str) -> str:
    with translation.override(user.language):
        return f"{escape(question)}\n\n" + _("Write a few words, or /cancel to skip.")


def survey_answer_thanks(user: UserView) -> str:
    with translation.override(user.language):
        return _("Thank you! The team reads every answer.")


def survey_text_only(user: UserView) -> str:
    with translation.override(user.language):
        return _("Please answer in text, or /cancel to skip.")


def interview_question(user: UserView) -> str:
    with translation.override(user.language):
        return _("May the team message you here in Telegram for a short interview about Sputnik?")


def interview_yes(user: UserView) -> str:
    with translation.override(user.language):
        return _("Yes, write to me")


def interview_no(user: UserView) -> str:
    with translation.override(user.language):
        return _("No, thanks")


def interview_agreed(user: UserView) -> str:
    with translation.override(user.language):
        return _("Thank you! Someone from the team will write to you soon.")


def interview_declined(user: UserView) -> str:
    with translation.override(user.language):
        return _("All right — we won't write. Thank you anyway!")
