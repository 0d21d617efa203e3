import pytest

from apps.accounts.models import TelegramUser
from apps.conversations.services import dialogue_start
from apps.inference.openai_generator import OpenAIGenerator
from apps.personas.models import Module
from tests.factories import PersonaFactory, TelegramUserFactory
from tests.stubs.openai_server import StubOpenAIServer


@pytest.fixture
def stub_server():
    with StubOpenAIServer() as server:
        yield server


@pytest.fixture
def scripted(stub_server):
    """A real OpenAI client against the stub: replies are whatever the test sets in `stub_server.reply`."""
    return OpenAIGenerator(base_url=stub_server.base_url, model="stub", timeout_s=5, max_retries=0)


@pytest.fixture
def kylie():
    return PersonaFactory(
        slug="kylie",
        name="Кайли",
        gender="female",
        description="Танцовщица из Сочи.",
        creator_notes="CREATOR-ONLY-NOTE",
        modules=[Module.objects.get(code="partner")],
    )


@pytest.fixture
def anna(kylie) -> TelegramUser:
    user = TelegramUserFactory(first_name="Анна", language="ru")
    dialogue_start(user_id=user.pk, persona_id=kylie.pk, module_code="partner")
    return user
