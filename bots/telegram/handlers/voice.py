"""Voice messages and video notes: downloaded, transcribed off the event loop, answered like text."""

import asyncio

from aiogram import F, Router
from aiogram.types import Message
from aiogram.utils.chat_action import ChatActionSender
from django.conf import settings
from django.utils import translation

from apps.conversations.turns import TurnBoard
from apps.core.exceptions import InvalidInput
from apps.inference.capacity import CapacityGate
from apps.inference.exceptions import BackendUnavailable
from apps.inference.types import Embedder, TextGenerator, Transcriber
from bots.telegram import facade, texts
from bots.telegram.abuse import FLAG, VOICE
from bots.telegram.facade import UserView
from bots.telegram.handlers.chat import answer

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the public Bot API serves bots files up to 20 MB


def make_router() -> Router:
    router = Router(name="voice")
    router.message.filter(F.chat.type == "private")
    router.message.register(on_voice, F.voice | F.video_note, flags={FLAG: VOICE})
    return router


async def on_voice(
    message: Message,
    user: UserView,
    generator: TextGenerator,
    embedder: Embedder | None,
    transcriber: Transcriber | None,
    turns: TurnBoard,
    capacity: CapacityGate | None = None,
) -> None:
    media = message.voice or message.video_note
    if (media.duration or 0) > settings.VOICE_MAX_SECONDS:
        await message.answer(texts.voice_too_long(user, int(settings.VOICE_MAX_SECONDS)))
        return
    if (media.file_size or 0) > DOWNLOAD_LIMIT:
        await message.answer(texts.voice_too_large(user))
        return
    if transcriber is None:
        await message.answer(texts.voice_unavailable(user))
        return
    async with ChatActionSender.typing(bot=message.bot, chat_id=message.chat.id):
        audio = (await message.bot.download(media.file_id)).read()
        # The user's own language only: detection between ru and en misjudged short Russian phrases, and
        # skipping it saves an encoder pass. /language switches it.
        try:
            transcript = await asyncio.to_thread(transcriber.transcribe, audio, languages=(user.language,))
        except InvalidInput as error:
            with translation.override(user.language):
                await message.answer(str(error.message))
            return
        except BackendUnavailable:
            await message.answer(texts.voice_unavailable(user))
            return
        if not transcript.text.strip():
            await message.answer(texts.voice_silent(user))
            return
        await facade.voice_received(user.id, transcript.duration_seconds)
    if settings.VOICE_ECHO_TRANSCRIPT:
        await message.reply(texts.transcript_echo(user, transcript.text)[:4096])
    await answer(
        message,
        user,
        transcript.text,
        generator=generator,
        embedder=embedder,
        turns=turns,
        capacity=capacity,
        from_voice=True,
    )
