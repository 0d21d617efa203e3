"""Voice messages through the real bot: getFile, download, Whisper, then the same reply pipeline."""

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from apps.conversations.models import Message
from apps.inference.manifest import ModelManifest
from apps.inference.speech import WhisperTranscriber
from apps.personas.models import Module
from tests.apps.inference.speech.audio import speak_wav, to_ogg_opus
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, talking_to_support
from tests.factories import PersonaFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]


@pytest.fixture
async def voice_bot(telegram, tiny_model_dir):
    if not ModelManifest.exists_in(settings.WHISPER_MODEL_DIR):
        pytest.skip("needs Whisper base: run `manage.py llm_install --default`")
    async with polling_bot(telegram, tiny_model_dir, transcriber=WhisperTranscriber(settings.WHISPER_MODEL_DIR)):
        yield telegram


async def test_a_voice_message_is_heard_and_answered(voice_bot, tmp_path):
    sent = await talking_to_support(voice_bot)
    voice = to_ogg_opus(speak_wav("Привет, меня зовут Анна, я люблю зелёный чай", voice="ru", directory=tmp_path))

    voice_bot.user_sends_voice(voice, duration=4, user_id=ANNA)

    reply = (await voice_bot.wait_for_messages(ANNA, sent + 1, timeout=30))[-1]
    assert reply["text"]
    heard = await Message.objects.filter(role="user", from_voice=True).afirst()
    assert "зовут анна" in heard.text.lower()  # the phrase's end varies with the espeak-ng build; its start holds


async def test_a_voice_message_over_the_limit_is_declined_before_download(voice_bot):
    sent = await talking_to_support(voice_bot)

    voice_bot.user_sends_voice(b"OggS-not-really", duration=10_000, user_id=ANNA)

    reply = (await voice_bot.wait_for_messages(ANNA, sent + 1))[-1]
    assert "120" in reply["text"]
    assert "getFile" not in [method for method, _ in voice_bot.calls]


async def test_unreadable_audio_gets_a_clear_reply(voice_bot):
    sent = await talking_to_support(voice_bot)

    voice_bot.user_sends_voice(b"this is not audio", duration=3, user_id=ANNA)

    reply = (await voice_bot.wait_for_messages(ANNA, sent + 1, timeout=20))[-1]
    assert "аудио" in reply["text"]


async def test_the_whole_journey_from_a_deep_link_to_privacy(voice_bot, tmp_path, settings):
    """/start with a code → consent → Support → text → voice → /memory → /privacy, on the tiny model."""
    from apps.accounts.models import TelegramUser
    from apps.analytics.models import Event
    from tests.bots.telegram.steps import buttons, eventually

    settings.VOICE_ECHO_TRANSCRIPT = True
    telegram = voice_bot
    support = await Module.objects.aget(code="support")
    await sync_to_async(PersonaFactory)(name="Соня", modules=[support], first_message="Привет! Я Соня.")

    telegram.user_sends("/start tgads_autumn", user_id=ANNA)
    consent = (await telegram.wait_for_messages(ANNA, 1))[-1]
    telegram.user_presses(buttons(consent)[0], user_id=ANNA, message_id=consent["message_id"])
    menu = (await telegram.wait_for_messages(ANNA, 2))[-1]
    telegram.user_presses("module:support", user_id=ANNA, message_id=menu["message_id"])
    assert (await telegram.wait_for_messages(ANNA, 3))[-1]["text"] == "Привет! Я Соня."

    telegram.user_sends("Меня зовут Анна, я живу в Казани", user_id=ANNA)
    assert (await telegram.wait_for_messages(ANNA, 4))[-1]["text"]

    voice = to_ogg_opus(speak_wav("Привет, меня зовут Анна, я люблю зелёный чай", voice="ru", directory=tmp_path))
    telegram.user_sends_voice(voice, duration=4, user_id=ANNA)
    echo, reply = (await telegram.wait_for_messages(ANNA, 6, timeout=30))[-2:]
    assert "Анна" in echo["text"]
    assert reply["text"]

    await eventually(lambda: _remembers(ANNA, "Казан"))
    telegram.user_sends("/memory", user_id=ANNA)
    assert "Казан" in (await telegram.wait_for_messages(ANNA, 7))[-1]["text"]
    telegram.user_sends("/privacy", user_id=ANNA)
    assert "Политика конфиденциальности v1" in (await telegram.wait_for_messages(ANNA, 8))[-1]["text"]

    user = await TelegramUser.objects.aget(telegram_id=ANNA)
    assert user.acquisition_code == "tgads_autumn"
    start = await Event.objects.aget(user=user, name="bot_start")
    assert start.properties["payload"] == "tgads_autumn"
    assert await Event.objects.filter(user=user, name="voice_sent").aexists()


async def _remembers(telegram_id: int, fragment: str) -> bool:
    from apps.conversations.models import MemoryFact

    facts = [fact async for fact in MemoryFact.objects.filter(user__telegram_id=telegram_id)]
    return any(fragment in fact.text for fact in facts)
