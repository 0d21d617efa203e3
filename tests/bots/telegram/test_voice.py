"""Voice messages through the real bot: getFile, download, Whisper, then the same reply pipeline."""

import pytest
from django.conf import settings

from apps.conversations.models import Message
from apps.inference.manifest import ModelManifest
from apps.inference.speech import WhisperTranscriber
from tests.apps.inference.speech.audio import speak_wav, to_ogg_opus
from tests.bots.telegram.conftest import polling_bot
from tests.bots.telegram.steps import ANNA, talking_to_support

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
