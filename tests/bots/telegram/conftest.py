import asyncio
import contextlib

import pytest

from apps.inference.ctranslate2_generator import CTranslate2Generator
from bots.telegram.app import build_bot, build_dispatcher
from tests.stubs.telegram_server import FakeTelegram


@pytest.fixture
async def telegram():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@contextlib.asynccontextmanager
async def polling_bot(
    telegram: FakeTelegram, model_dir, *, transcriber=None, generator=None, required_channel="", **options
):
    """The real bot, long-polling the fake Bot API with the tiny model (or `generator`), for the length of the
    block. `options` go to build_dispatcher (a rate limiter on a test clock, a capacity gate)."""
    own_generator = generator is None
    generator = CTranslate2Generator(model_dir) if own_generator else generator
    bot = build_bot(telegram.token, api_url=telegram.base_url)
    dispatcher = build_dispatcher(
        generator=generator, embedder=None, transcriber=transcriber, required_channel=required_channel, **options
    )
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        yield telegram
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        await bot.session.close()
        if own_generator:
            generator.close()


@pytest.fixture
async def running_bot(telegram, tiny_model_dir, settings, tmp_path):
    """The bot with the tiny model, media in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    async with polling_bot(telegram, tiny_model_dir):
        yield telegram
