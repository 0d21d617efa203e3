"""Webhook mode: Telegram posts updates to BOT_WEBHOOK_URL; the reverse proxy passes them to this process."""

from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from aiohttp.typedefs import Handler


@web.middleware
async def _reject_unreadable_body(request: web.Request, handler: Handler) -> web.StreamResponse:
    # aiogram parses the body unguarded: broken JSON (or UTF-8) would be a 500 with a traceback in the log.
    try:
        return await handler(request)
    except ValueError:
        return web.Response(status=400, text="Bad Request")


def build_webhook_app(*, bot: Bot, dispatcher: Dispatcher, url: str, secret: str) -> web.Application:
    """Serves updates at the path of `url`. Requests without the right X-Telegram-Bot-Api-Secret-Token get
    401 and reach no handler; the rest get 200 at once and are handled in the background."""
    app = web.Application(middlewares=[_reject_unreadable_body])
    setup_application(app, dispatcher, bot=bot)  # the dispatcher's startup (bot commands) and shutdown
    # Registered second, so its shutdown (closing the bot's session) comes after the dispatcher's.
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret).register(app, path=webhook_path(url))

    async def set_webhook(_app: web.Application) -> None:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
            drop_pending_updates=False,
        )

    app.on_startup.append(set_webhook)
    # No deleteWebhook on shutdown: while it stays set, Telegram queues updates until the bot is back.
    return app


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


def run_webhook(*, bot: Bot, dispatcher: Dispatcher, url: str, secret: str, listen: str) -> None:
    """Serves until SIGINT/SIGTERM. `listen` is "host:port" ("[::1]:8081" for IPv6)."""
    host, _, port = listen.rpartition(":")
    app = build_webhook_app(bot=bot, dispatcher=dispatcher, url=url, secret=secret)
    web.run_app(app, host=host.strip("[]") or None, port=int(port), print=None)
