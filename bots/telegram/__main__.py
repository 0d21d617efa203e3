"""`python -m bots.telegram`: the Telegram bot, by webhook when BOT_WEBHOOK_URL is set, else by long polling."""

import asyncio
import logging
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from apps.inference.registry import embedder_or_none, text_generator, transcriber
    from bots.telegram.app import build_bot, build_dispatcher, build_storage, run_polling
    from bots.telegram.throttling import build_rate_limiter
    from bots.telegram.webhook import run_webhook

    if not settings.TELEGRAM_BOT_TOKEN:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env.")
    generator, embedder = text_generator(), embedder_or_none()  # loaded once, shared by every update
    bot = build_bot(settings.TELEGRAM_BOT_TOKEN, api_url=settings.TELEGRAM_API_URL)
    dispatcher = build_dispatcher(
        generator=generator,
        embedder=embedder,
        transcriber=transcriber(),
        storage=build_storage(),
        limiter=build_rate_limiter(),
    )
    logger = logging.getLogger(__name__)
    if settings.BOT_WEBHOOK_URL:
        logger.info("bot starting (webhook), listening on %s", settings.BOT_WEBHOOK_LISTEN)
        run_webhook(
            bot=bot,
            dispatcher=dispatcher,
            url=settings.BOT_WEBHOOK_URL,
            secret=settings.BOT_WEBHOOK_SECRET,
            listen=settings.BOT_WEBHOOK_LISTEN,
        )
    else:
        logger.info("bot starting (long polling)")
        asyncio.run(run_polling(bot, dispatcher, handle_signals=True))


if __name__ == "__main__":
    main()
