"""What the bot says outside the persona's own words, in the user's language (Django i18n)."""

from html import escape

from django.utils import translation
from django.utils.translation import gettext as _

from bots.telegram.facade import UserView


def consent_prompt(user: UserView) -> str:
    with translation.override(user.language):
        parts = [
            _("Hi! I'm Sputnik, a companion you can talk to about anything."),
            _("Before we start, please read and accept these documents:"),
        ]
        parts += [f"<b>{escape(document.title)}</b>\n{escape(document.body)}" for document in user.missing_documents]
        parts.append(_("I am not a medical or psychological service."))
        return "\n\n".join(parts)[:4096]


def consent_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("✅ I accept")


def consent_reminder(user: UserView) -> str:
    with translation.override(user.language):
        return _("Please accept the privacy policy and the terms first — then we can talk.")


def menu_title(user: UserView) -> str:
    with translation.override(user.language):
        return _("Who would you like to talk to?")


def module_empty(user: UserView) -> str:
    with translation.override(user.language):
        return _("Nobody is here yet — please look in again soon.")


def busy(user: UserView | None) -> str:
    with translation.override(user.language if user else "ru"):
        return _("I'm a little busy right now — please write again in a moment.")


def failure(user: UserView | None) -> str:
    with translation.override(user.language if user else "ru"):
        return _("Something went wrong on my side. Please try again.")


def locked(user: UserView, reason_text: str) -> str:
    with translation.override(user.language):
        return _("This one is locked for now: %(reason)s") % {"reason": reason_text}


def private_only(language: str) -> str:
    with translation.override(language):
        return _("I talk in private chats only — write to me directly.")


def help_text(user: UserView) -> str:
    with translation.override(user.language):
        return "\n".join(
            [
                _("I'm Sputnik — write to me about anything, or send a voice message."),
                "",
                _("/menu — choose who to talk to"),
                _("/new — start the conversation afresh (I keep what I remember)"),
                _("/cancel — stop the answer I'm writing"),
                _("/memory — what I remember about you; delete any of it"),
                _("/subscribe — PRO: more messages, photos and personas"),
                _("/subscription — your PRO and auto-renew"),
                _("/invite — invite friends and get a reward"),
                _("/privacy — your data and consents"),
                _("/language — Русский / English"),
                _("/feedback — write to the team"),
                _("/help — this message"),
                "",
                _("Ask me for a photo any time. Under my answers: 👍 👎 and «another answer»."),
            ]
        )


def new_dialogue(user: UserView) -> str:
    with translation.override(user.language):
        return _("A fresh start. I still remember what you told me.")


def memory_title(user: UserView) -> str:
    with translation.override(user.language):
        return _("Here is what I remember about you:")


def memory_empty(user: UserView) -> str:
    with translation.override(user.language):
        return _("I don't remember anything about you yet.")


def memory_clear_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("Forget everything")


def memory_forgotten(user: UserView) -> str:
    with translation.override(user.language):
        return _("Forgotten.")


def language_prompt(user: UserView) -> str:
    with translation.override(user.language):
        return _("Choose the language:")


def language_changed(language: str) -> str:
    with translation.override(language):
        return _("Done! I'll write in English now.")


def thanks(user: UserView) -> str:
    with translation.override(user.language):
        return _("Thank you!")


def cannot_read(user: UserView) -> str:
    with translation.override(user.language):
        return _("I can't look at that yet — tell me in words or with a voice message?")


def voice_too_long(user: UserView, limit: int) -> str:
    with translation.override(user.language):
        return _("That voice message is too long for me: up to %(limit)d seconds, please.") % {"limit": limit}


def voice_too_large(user: UserView) -> str:
    with translation.override(user.language):
        return _("That file is too large for me to download (20 MB at most).")


def voice_unavailable(user: UserView) -> str:
    with translation.override(user.language):
        return _("I can't listen to voice messages right now — could you write it in text?")


def voice_silent(user: UserView) -> str:
    with translation.override(user.language):
        return _("I couldn't make out any words — could you say it again or write it?")


def age_question(user: UserView) -> str:
    with translation.override(user.language):
        return _("This persona talks about adult topics. Please confirm that you are 18 or older.")


def age_yes(user: UserView) -> str:
    with translation.override(user.language):
        return _("I am 18 or older")


def age_no(user: UserView) -> str:
    with translation.override(user.language):
        return _("No")


def age_declined(user: UserView) -> str:
    with translation.override(user.language):
        return _("All right — we'll keep to safe topics. Choose another persona in /menu.")


def scenes_offer(user: UserView) -> str:
    with translation.override(user.language):
        return _("Or start a scene together:")


def privacy_status(user: UserView, consents) -> str:
    with translation.override(user.language):
        lines = [_("You accepted:")]
        lines += [f"• {escape(item.title)} v{item.version} — {item.accepted_at}" for item in consents]
        lines += [
            "",
            _("Your messages and memories are stored encrypted. /memory shows what I remember and deletes it."),
        ]
        return "\n".join(lines)


def another_answer(user: UserView) -> str:
    with translation.override(user.language):
        return _("🔄 Another answer")


def still_writing(user: UserView) -> str:
    with translation.override(user.language):
        return _("I'm still writing — one moment.")


def turn_cancelled(user: UserView) -> str:
    with translation.override(user.language):
        return _("Stopped. I won't answer that — write whenever you like.")


def cancelled(user: UserView) -> str:
    with translation.override(user.language):
        return _("Cancelled.")


def nothing_to_cancel(user: UserView) -> str:
    with translation.override(user.language):
        return _("There is nothing to cancel — I'm not writing anything right now.")


def channel_required(user: UserView, channel_title: str) -> str:
    with translation.override(user.language):
        return _("To talk with me, please join our channel %(channel)s — news and new personas appear there first.") % {
            "channel": escape(channel_title)
        }


def channel_open_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("📢 Open the channel")


def channel_joined_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("✅ I have subscribed")


def channel_not_yet(user: UserView) -> str:
    with translation.override(user.language):
        return _("I don't see you in the channel yet — join it and press the button again.")


def feedback_prompt(user: UserView) -> str:
    with translation.override(user.language):
        return _("Write what you'd like to tell the team — ideas, problems, anything. /cancel to change your mind.")


def feedback_thanks(user: UserView) -> str:
    with translation.override(user.language):
        return _("Thank you! The team will read it.")


def feedback_text_only(user: UserView) -> str:
    with translation.override(user.language):
        return _("Please write your feedback as text, or /cancel.")


def photos_used_up(user: UserView) -> str:
    with translation.override(user.language):
        return _("That's all my photos for today — more tomorrow. PRO gives more photos: /subscribe")


def edited_noticed(user: UserView) -> str:
    with translation.override(user.language):
        return _("I saw you edited a message — I answer new messages only, so send it again if it matters.")


def transcript_echo(user: UserView, transcript: str) -> str:
    with translation.override(user.language):
        return _("🎙 I heard: %(text)s") % {"text": f"<i>{escape(transcript)}</i>"}


def rubles(amount) -> str:
    value = f"{amount:,.2f}".replace(",", " ").removesuffix(".00")
    return f"{value} ₽"


def _date(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%d.%m.%Y") if moment else ""


def plans_intro(user: UserView) -> str:
    with translation.override(user.language):
        return _("Sputnik PRO: more messages and photos, PRO personas, 18+ conversations after age confirmation.")


def pro_active(user: UserView, until) -> str:
    with translation.override(user.language):
        return _("Your PRO is on until %(date)s. Paying now adds to it.") % {"date": _date(until)}


def payments_off(user: UserView) -> str:
    with translation.override(user.language):
        return _("Payments are not available right now — please try again later.")


def offer_accept_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("✅ I accept the offer — to payment")


def offer_changed(user: UserView) -> str:
    with translation.override(user.language):
        return _("The offer has just been updated — please read the new version.")


def pay_button(user: UserView, amount) -> str:
    with translation.override(user.language):
        return _("💳 Pay %(amount)s") % {"amount": rubles(amount)}


def pay_prompt(user: UserView, plan_title: str, amount) -> str:
    with translation.override(user.language):
        return _(
            "%(plan)s — %(amount)s. Pay on YooKassa's page; I'll write to you as soon as the payment arrives. "
            "The subscription renews automatically — you can turn that off in /subscription."
        ) % {"plan": escape(plan_title), "amount": rubles(amount)}


def free_tier_status(user: UserView, messages_left) -> str:
    with translation.override(user.language):
        left = _("unlimited") if messages_left is None else str(messages_left)
        return _("You're on the free plan. Messages left today: %(left)s. More with PRO: /subscribe") % {"left": left}


def subscription_status(user: UserView, entitlement) -> str:
    with translation.override(user.language):
        lines = [_("PRO until %(date)s.") % {"date": _date(entitlement.period_end)}]
        if entitlement.status == "past_due":
            lines.append(
                _("The last renewal did not go through; I'll try again. Access stays until %(date)s.")
                % {"date": _date(entitlement.grace_until)}
            )
        elif entitlement.auto_renew:
            lines.append(_("Next charge: %(date)s (auto-renew is on).") % {"date": _date(entitlement.period_end)})
        else:
            lines.append(_("Auto-renew is off: PRO ends on %(date)s.") % {"date": _date(entitlement.period_end)})
        return "\n".join(lines)


def auto_renew_off_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("Turn off auto-renew")


def auto_renew_off_question(user: UserView) -> str:
    with translation.override(user.language):
        return _("Turn off auto-renew? PRO stays until the end of the paid period.")


def auto_renew_confirm_button(user: UserView) -> str:
    with translation.override(user.language):
        return _("Yes, turn it off")


def auto_renew_is_off(user: UserView, until) -> str:
    with translation.override(user.language):
        return _("Auto-renew is off. PRO stays until %(date)s.") % {"date": _date(until)}


def pro_is_on(user: UserView, until) -> str:
    with translation.override(user.language):
        return _("🎉 PRO is on until %(date)s. Thank you!") % {"date": _date(until)}
