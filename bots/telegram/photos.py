"""A persona photo after a reply: when the user asked for one, or the talk clearly fits one."""

import logging

from aiogram.types import BufferedInputFile, Message

from apps.conversations.services import ReplyResult
from apps.inference.types import Embedder
from bots.telegram import facade, texts
from bots.telegram.facade import UserView

logger = logging.getLogger(__name__)


async def send_photo_if_fits(
    message: Message, user: UserView, result: ReplyResult, *, embedder: Embedder | None
) -> None:
    if result.safety:
        return  # crisis, refusal or a replaced reply: no pictures
    decision = await facade.photo_decision(user, result, embedder)
    if decision.quota_exhausted:
        await facade.paywall_shown(user.id, "photo_quota")
        await message.answer(texts.photos_used_up(user))
        return
    if decision.photo is None:
        return
    try:
        content = await facade.read_media_async(decision.photo.image_name)
    except OSError:
        logger.warning("persona photo %s is missing from storage", decision.photo.id)
        return
    await message.answer_photo(BufferedInputFile(content, "photo.png"))
    await facade.photo_delivered(user.id, decision.photo.id, result.dialogue_id, decision.trigger)
