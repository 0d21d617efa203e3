"""No plaintext at rest: after a conversation, a remembered fact, a summary, feedback and a survey answer that
all carry one unique phrase, no text, varchar or JSON column of any table holds that phrase."""

import contextlib
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone

from apps.accounts.services import feedback_create
from apps.conversations.memory import memory_facts_store
from apps.conversations.memory_extract import ExtractedFact
from apps.conversations.models import Dialogue, DialogueSummary, MemoryFact, Message
from apps.conversations.services import dialogue_start, message_store, reply_compose
from apps.conversations.summary import dialogue_summary_refresh
from apps.growth.models import Survey, SurveyResponse
from apps.growth.services.custdev import survey_response_answer, survey_response_score
from apps.inference.openai_generator import OpenAIGenerator
from apps.personas.models import Module
from tests.factories import PersonaFactory, TelegramUserFactory
from tests.stubs.openai_server import StubOpenAIServer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECRET = "Zephyr-Quokka-4417"  # Latin: found even where JSON escapes other letters as \uXXXX
SECRET_RU = "кракозябра-синяя"
TEXT_TYPES = frozenset({"CharField", "TextField", "JSONField", "SlugField", "EmailField", "URLField"})


@pytest.fixture
def stub_server():
    with StubOpenAIServer() as server:
        yield server


def everything_told(user_id: int, persona_id: int, generator, stub_server) -> None:
    """Memory, a rolling summary, feedback and a survey answer, each through its own service."""
    phrase = f"{SECRET} {SECRET_RU}"
    fact = ExtractedFact("likes", "likes:secret", phrase, f"Любит {phrase}", "ru", 0.9, False)
    memory_facts_store(user_id=user_id, facts=[fact], embedder=None)
    dialogue = Dialogue.objects.get(user_id=user_id, is_active=True)
    for number in range(24):  # enough turns to leave the prompt and be folded into the summary
        message_store(dialogue, Message.Role.USER if number % 2 else Message.Role.ASSISTANT, f"{number}: {phrase}")
    stub_server.reply = f"Собеседник рассказал про {phrase}."
    assert dialogue_summary_refresh(dialogue_id=dialogue.pk, generator=generator)
    feedback_create(user_id=user_id, text=f"Отзыв про {phrase}")
    survey = Survey.objects.create(title="NPS", question_ru="?", question_en="?", follow_up_ru="?", follow_up_en="?")
    SurveyResponse.objects.create(survey=survey, user_id=user_id, sent_at=timezone.now())
    survey_response_score(user_id=user_id, survey_id=survey.pk, score=10)
    survey_response_answer(user_id=user_id, survey_id=survey.pk, text=f"Ответ про {phrase}")


def text_columns() -> dict[str, list[str]]:
    """{table: [text-like columns]} of every table in the database, by introspection."""
    introspection = connection.introspection
    columns = {}
    with connection.cursor() as cursor:
        for table in introspection.table_names(cursor):
            described = introspection.get_table_description(cursor, table)
            found = [
                column.name
                for column in described
                if introspection.get_field_type(column.type_code, column) in TEXT_TYPES
            ]
            if found:
                columns[table] = found
    return columns


def plaintext_hits(columns: dict[str, list[str]]) -> list[str]:
    quote = connection.ops.quote_name
    hits = []
    with connection.cursor() as cursor:
        for table, names in columns.items():
            cursor.execute(f"SELECT {', '.join(quote(name) for name in names)} FROM {quote(table)}")
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if value is not None and _readable(value, SECRET, SECRET_RU):
                        hits.append(f"{table}.{name}")
    return hits


def _readable(value, *secrets: str) -> bool:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    with contextlib.suppress(TypeError, ValueError):  # JSON text with escaped letters, as SQLite stores it
        text += json.dumps(json.loads(text), ensure_ascii=False)
    return any(secret.lower() in text.lower() for secret in secrets)


async def test_no_column_of_any_table_holds_what_the_user_said_in_plaintext(stub_server):
    generator = OpenAIGenerator(base_url=stub_server.base_url, model="stub", timeout_s=5, max_retries=0)
    user = await sync_to_async(TelegramUserFactory)(first_name="Анна", language="ru")
    persona = await sync_to_async(PersonaFactory)(modules=[await Module.objects.aget(code="partner")])
    await sync_to_async(dialogue_start)(user_id=user.pk, persona_id=persona.pk, module_code="partner")
    stub_server.reply = f"Запомню: {SECRET} {SECRET_RU}!"

    result = await reply_compose(user_id=user.pk, text=f"Мой пароль — {SECRET} {SECRET_RU}", generator=generator)
    await sync_to_async(everything_told)(user.pk, persona.pk, generator, stub_server)

    # The phrase is there, readable through the models...
    assert SECRET in (await Message.objects.aget(pk=result.user_message_id)).text
    assert SECRET in (await Message.objects.aget(pk=result.reply_message_id)).text
    assert SECRET in (await DialogueSummary.objects.aget()).text
    assert SECRET in (await MemoryFact.objects.aget(user=user)).text
    # ...and nowhere in the columns themselves.
    columns = await sync_to_async(text_columns)()
    assert "text" in columns["conversations_message"]
    assert "answer" in columns["growth_surveyresponse"]
    assert await sync_to_async(plaintext_hits)(columns) == []
