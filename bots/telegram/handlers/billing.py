"""/subscribe and /subscription: plans, the public offer, the YooKassa payment link, status and auto-renew."""

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)

from bots.telegram import billing_facade, facade, texts
from bots.telegram.callbacks import AutoRenewOff, OfferAccept, PlanChoose
from bots.telegram.facade import UserView

OFFER_PREVIEW_CHARS = 3500  # the offer's text and the question fit one message


def make_router() -> Router:
    router = Router(name="billing")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_subscribe, Command("subscribe"))
    router.message.register(on_subscription, Command("subscription"))
    router.callback_query.register(on_plan, PlanChoose.filter())
    router.callback_query.register(on_offer_accept, OfferAccept.filter())
    router.callback_query.register(on_auto_renew_off, AutoRenewOff.filter())
    router.pre_checkout_query.register(on_pre_checkout)
    router.message.register(on_stars_paid, F.successful_payment)
    return router


async def on_subscribe(message: Message, user: UserView) -> None:
    await facade.paywall_shown(user.id, "command")
    await send_paywall(message, user)


async def send_paywall(message: Message, user: UserView, *, lead: str = "") -> None:
    """The plans with a button each; `lead` says why they are shown (a limit reached, say)."""
    entitlement = await billing_facade.entitlement(user.id)
    plans = await billing_facade.plans(user.language)
    parts = [lead] if lead else []
    if entitlement.plan_code:
        parts.append(texts.pro_active(user, entitlement.period_end))
    parts.append(texts.plans_intro(user))
    parts += [f"<b>{escape(plan.title)}</b> — {texts.rubles(plan.price)}\n{escape(plan.description)}" for plan in plans]
    rows = []
    for plan in plans:
        price = texts.rubles(plan.price)
        row = [InlineKeyboardButton(text=f"{plan.title} — {price}", callback_data=PlanChoose(code=plan.code).pack())]
        if plan.stars_price:
            stars = PlanChoose(code=plan.code, provider="stars").pack()
            row.append(InlineKeyboardButton(text=f"⭐ {plan.stars_price}", callback_data=stars))
        rows.append(row)
    await message.answer("\n\n".join(parts)[:4096], reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_plan(callback: CallbackQuery, callback_data: PlanChoose, user: UserView) -> None:
    stars = callback_data.provider == "stars"
    if not stars and not billing_facade.payments_enabled():
        await callback.answer(texts.payments_off(user), show_alert=True)
        return
    offer = await billing_facade.offer_missing(user.id)
    if offer is not None:  # the public offer is accepted before paying
        await callback.answer()
        body = escape(offer.body if len(offer.body) <= OFFER_PREVIEW_CHARS else offer.body[:OFFER_PREVIEW_CHARS] + "…")
        accept = OfferAccept(plan=callback_data.code, document=offer.id, provider=callback_data.provider).pack()
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=texts.offer_accept_button(user), callback_data=accept)]]
        )
        await callback.message.answer(f"<b>{escape(offer.title)}</b>\n\n{body}", reply_markup=markup)
        return
    await (_pay_stars if stars else _pay)(callback, user, callback_data.code)


async def on_offer_accept(callback: CallbackQuery, callback_data: OfferAccept, user: UserView) -> None:
    await facade.accept_documents(user_id=user.id, document_ids=[callback_data.document])
    if await billing_facade.offer_missing(user.id) is not None:  # a newer version was published meanwhile
        await callback.answer(texts.offer_changed(user), show_alert=True)
        return
    await callback.message.edit_reply_markup(reply_markup=None)
    await (_pay_stars if callback_data.provider == "stars" else _pay)(callback, user, callback_data.plan)


async def _pay(callback: CallbackQuery, user: UserView, plan_code: str) -> None:
    payment = await billing_facade.start_payment(user.id, plan_code)
    await callback.answer()
    button = InlineKeyboardButton(text=texts.pay_button(user, payment.amount), url=payment.confirmation_url)
    await callback.message.answer(
        texts.pay_prompt(user, payment.plan_title, payment.amount),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
    )


async def _pay_stars(callback: CallbackQuery, user: UserView, plan_code: str) -> None:
    invoice = await billing_facade.stars_invoice(user.id, plan_code)
    await callback.answer()
    await callback.bot.send_invoice(
        chat_id=callback.message.chat.id,
        title=invoice.title,
        description=invoice.description,
        payload=invoice.payload,
        currency="XTR",
        prices=[LabeledPrice(label=invoice.title, amount=invoice.amount)],
        provider_token="",  # Stars need none
    )


async def on_pre_checkout(query: PreCheckoutQuery) -> None:
    """Telegram asks before charging Stars: only a pending invoice of this user at its price may be paid."""
    language = "en" if (query.from_user.language_code or "").startswith("en") else "ru"
    problem = await billing_facade.stars_check(
        query.invoice_payload, query.from_user.id, query.total_amount, query.currency, language
    )
    await query.answer(ok=not problem, error_message=problem or None)


async def on_stars_paid(message: Message, user: UserView) -> None:
    paid = message.successful_payment
    until = await billing_facade.stars_paid(
        paid.invoice_payload, message.from_user.id, paid.total_amount, paid.currency, paid.telegram_payment_charge_id
    )
    await message.answer(texts.pro_is_on(user, until))


async def on_subscription(message: Message, user: UserView) -> None:
    entitlement = await billing_facade.entitlement(user.id)
    if not entitlement.plan_code:
        await message.answer(texts.free_tier_status(user, entitlement.messages_left))
        return
    markup = None
    if entitlement.auto_renew:
        off = AutoRenewOff(confirm=0).pack()
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=texts.auto_renew_off_button(user), callback_data=off)]]
        )
    await message.answer(texts.subscription_status(user, entitlement), reply_markup=markup)


async def on_auto_renew_off(callback: CallbackQuery, callback_data: AutoRenewOff, user: UserView) -> None:
    if not callback_data.confirm:
        await callback.answer()
        yes = AutoRenewOff(confirm=1).pack()
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=texts.auto_renew_confirm_button(user), callback_data=yes)]]
        )
        await callback.message.answer(texts.auto_renew_off_question(user), reply_markup=markup)
        return
    await billing_facade.auto_renew_off(user.id)
    entitlement = await billing_facade.entitlement(user.id)
    await callback.answer()
    await callback.message.edit_reply_markup(reply_markup=None)
    await callback.message.answer(texts.auto_renew_is_off(user, entitlement.period_end))
