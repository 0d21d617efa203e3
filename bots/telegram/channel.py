"""The optional gate: users join the project's info channel (REQUIRED_CHANNEL) before chatting."""

import logging
import time
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.telegram import facade, texts
from bots.telegram.callbacks import ChannelCheck
from bots.telegram.facade import UserView

logger = logging.getLogger(__name__)
MEMBER_STATUSES = frozenset({"creator", "administrator", "member"})
REMEMBER_MEMBER_S = 600  # a member is re-checked this often; a non-member on every message


@dataclass(frozen=True)
class ChannelInfo:
    chat_id: str
    title: str
    url: str


class ChannelGate:
    """Membership of one channel by getChatMember, members remembered for a while in this process.

    When Telegram cannot answer (the bot is not an admin of the channel, the channel does not exist, the
    API is down) users are let through: a misconfigured gate must not lock everybody out."""

    def __init__(self, channel: str) -> None:
        channel = channel.strip()
        self.chat_id = channel if channel.startswith("@") or channel.lstrip("-").isdigit() else f"@{channel}"
        self._members: dict[int, float] = {}
        self._info: ChannelInfo | None = None

    def is_channel(self, chat) -> bool:
        if self.chat_id.startswith("@"):
            return (chat.username or "").lower() == self.chat_id[1:].lower()
        return str(chat.id) == self.chat_id

    def remembers(self, telegram_id: int) -> bool:
        seen = self._members.get(telegram_id)
        return seen is not None and time.monotonic() - seen < REMEMBER_MEMBER_S

    async def is_member(self, bot: Bot, telegram_id: int, *, fresh: bool = False) -> bool:
        if not fresh and self.remembers(telegram_id):
            return True
        try:
            member = await bot.get_chat_member(self.chat_id, telegram_id)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            logger.warning("cannot check membership of %s (is the bot its admin?): %s", self.chat_id, error)
            return True
        except (TelegramAPIError, OSError, TimeoutError) as error:
            logger.warning("membership check of %s failed, letting the user through: %s", self.chat_id, error)
            return True
        joined = member.status in MEMBER_STATUSES or (member.status == "restricted" and member.is_member)
        if joined:
            self._members[telegram_id] = time.monotonic()
        else:
            self._members.pop(telegram_id, None)
        return joined

    async def admits(self, bot: Bot, user: UserView, *, fresh: bool = False) -> bool:
        """Membership, with the funnel step `channel_joined` recorded the first time it is confirmed."""
        known = self.remembers(user.telegram_id)
        if not await self.is_member(bot, user.telegram_id, fresh=fresh):
            return False
        if not known and self.remembers(user.telegram_id):  # confirmed now, not let through on an error
            await facade.channel_joined(user.id)  # idempotent: one event per user
        return True

    async def info(self, bot: Bot) -> ChannelInfo:
        if self._info is not None:
            return self._info
        url = f"https://t.me/{self.chat_id[1:]}" if self.chat_id.startswith("@") else ""
        try:
            chat = await bot.get_chat(self.chat_id)
        except (TelegramAPIError, OSError, TimeoutError) as error:
            logger.info("channel %s: no details from getChat (%s)", self.chat_id, error)
            return ChannelInfo(chat_id=self.chat_id, title=self.chat_id, url=url)  # asked again next time
        url = f"https://t.me/{chat.username}" if chat.username else (chat.invite_link or url)
        self._info = ChannelInfo(chat_id=self.chat_id, title=chat.title or self.chat_id, url=url)
        return self._info

    async def prompt(self, bot: Bot, user: UserView) -> tuple[str, InlineKeyboardMarkup]:
        info = await self.info(bot)
        rows = [[InlineKeyboardButton(text=texts.channel_open_button(user), url=info.url)]] if info.url else []
        rows.append([InlineKeyboardButton(text=texts.channel_joined_button(user), callback_data=ChannelCheck().pack())])
        return texts.channel_required(user, info.title), InlineKeyboardMarkup(inline_keyboard=rows)
