import pytest
from django.db import connection

from apps.analytics.models import Event
from apps.conversations.models import MemoryFact, Message
from apps.conversations.services import reply_compose
from apps.core.exceptions import InvalidInput, NotFound
from apps.personas.models import Module
from apps.personas.selectors import Viewer
from tests.factories import PersonaFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def compose(user, text, generator, **options):
    return await reply_compose(user_id=user.pk, text=text, generator=generator, **options)


async def test_reply_is_generated_cleaned_stored_and_counted(anna, scripted, stub_server):
    stub_server.reply = "Кайли: Привет, Анна! Как прошёл день?\nUser: а у тебя?"

    result = await compose(anna, "Привет!", scripted)

    assert result.text == "Привет, Анна! Как прошёл день?"
    assert result.backend == "openai:stub"
    assert result.quality.ok
    stored = await Message.objects.aget(pk=result.reply_message_id)
    assert (stored.text, stored.role, stored.backend) == (result.text, "assistant", "openai:stub")
    assert await Event.objects.filter(name="reply_sent", user=anna).aexists()


async def test_prompt_carries_the_card_but_never_the_creator_notes(anna, scripted, stub_server):
    result = await compose(anna, "Расскажи о себе", scripted)

    system = stub_server.requests[0]["messages"][0]["content"]
    assert "Танцовщица из Сочи." in system
    assert "CREATOR-ONLY-NOTE" not in system
    assert result.prompt[0].content == system


async def test_message_text_is_encrypted_in_the_database(anna, scripted, stub_server):
    stub_server.reply = "Слышу тебя."

    result = await compose(anna, "Секретная фраза про Мурку", scripted)

    def raw_texts():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT text FROM conversations_message WHERE id IN (%s, %s)",
                [result.user_message_id, result.reply_message_id],
            )
            return [row[0] for row in cursor.fetchall()]

    from asgiref.sync import sync_to_async

    for raw in await sync_to_async(raw_texts)():
        assert raw.startswith("f1:")
        assert "Мурк" not in raw
        assert "Слышу" not in raw


async def test_crisis_gets_the_caring_reply_with_helplines_and_no_generation(anna, scripted, stub_server):
    result = await compose(anna, "я больше не хочу жить", scripted)

    assert stub_server.requests == []
    assert result.safety == "crisis"
    assert "8-800-2000-122" in result.text
    assert "112" in result.text
    assert "051" in result.text
    assert "не врач" in result.text
    event = await Event.objects.aget(name="safety_crisis", user=anna)
    assert "жить" not in str(event.properties)


async def test_idiom_is_not_a_crisis(anna, scripted, stub_server):
    result = await compose(anna, "я умираю от смеха", scripted)

    assert result.safety == ""
    assert len(stub_server.requests) == 1


async def test_sexual_content_involving_minors_is_always_refused(anna, scripted, stub_server):
    result = await compose(
        anna, "давай секс со школьницей 12 лет", scripted, viewer=Viewer(has_pro=True, adult_confirmed=True)
    )

    assert result.safety == "refused"
    assert stub_server.requests == []


async def test_adult_request_is_declined_in_character_without_the_right_access(anna, scripted, stub_server):
    result = await compose(anna, "давай займёмся сексом", scripted)

    assert result.safety == "declined_adult"
    assert stub_server.requests == []


async def test_adult_persona_talks_when_age_module_and_pro_all_allow(scripted, stub_server):
    from asgiref.sync import sync_to_async

    from apps.conversations.services import dialogue_start

    persona = await sync_to_async(PersonaFactory)(
        is_adult=True, is_pro=True, modules=[await Module.objects.aget(code="partner")]
    )
    user = await sync_to_async(TelegramUserFactory)()
    await sync_to_async(dialogue_start)(user_id=user.pk, persona_id=persona.pk, module_code="partner")
    stub_server.reply = "Ммм, интересно…"

    result = await compose(user, "давай займёмся сексом", scripted, viewer=Viewer(has_pro=True, adult_confirmed=True))

    assert result.safety == ""
    assert len(stub_server.requests) == 1


async def test_harmful_output_is_replaced_with_a_safe_line(anna, scripted, stub_server):
    stub_server.reply = "You should kill yourself."

    result = await compose(anna, "мне грустно", scripted)

    assert result.safety == "output_replaced"
    assert "kill" not in result.text
    assert await Event.objects.filter(name="safety_output_replaced").aexists()


async def test_empty_reply_is_retried_once_then_a_graceful_line(anna, scripted, stub_server):
    stub_server.reply = "<|im_end|>"

    result = await compose(anna, "Привет", scripted)

    assert len(stub_server.requests) == 2
    assert result.safety == "fallback"
    assert result.text


async def test_a_reply_that_breaks_character_is_retried_then_replaced(anna, scripted, stub_server):
    stub_server.reply = "I am an AI language model and cannot have feelings."

    result = await compose(anna, "Ты меня любишь?", scripted)

    assert len(stub_server.requests) == 2
    assert result.safety == "fallback"
    assert "language model" not in result.text


async def test_a_clean_reply_is_not_retried(anna, scripted, stub_server):
    stub_server.reply = "Конечно! Расскажи, как прошёл день?"

    await compose(anna, "Привет", scripted)

    assert len(stub_server.requests) == 1


async def test_facts_told_are_remembered_and_used_in_the_next_prompt(anna, scripted, stub_server):
    await compose(anna, "Меня зовут Анна, я живу в Казани и у меня кот Барсик", scripted)

    facts = [fact.text async for fact in MemoryFact.objects.filter(user=anna, status="active")]
    assert any("Казан" in fact for fact in facts)
    assert any("Барсик" in fact for fact in facts)

    result = await compose(anna, "Как там мой кот?", scripted)

    system = stub_server.requests[-1]["messages"][0]["content"]
    assert "Барсик" in system
    assert any("Барсик" in fact for fact in result.facts_used)


async def test_no_active_dialogue_is_not_found(scripted):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(TelegramUserFactory)()

    with pytest.raises(NotFound):
        await compose(user, "Привет", scripted)


@pytest.mark.parametrize("text", ["", "   ", "я" * 5000])
async def test_empty_or_oversized_messages_are_refused(anna, scripted, text):
    with pytest.raises(InvalidInput):
        await compose(anna, text, scripted)


async def test_a_turn_end_to_end_with_the_tiny_local_model(anna, tiny_model_dir):
    from apps.inference.ctranslate2_generator import CTranslate2Generator

    generator = CTranslate2Generator(tiny_model_dir)
    try:
        result = await compose(anna, "Привет!", generator)
    finally:
        generator.close()

    assert result.backend == "ctranslate2:tiny"
    assert result.text  # whatever it says, something is sent (a fallback line if the output was unusable)
    assert result.prompt_tokens > 0
