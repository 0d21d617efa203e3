import pytest

from apps.conversations.models import Dialogue, Message
from apps.conversations.services import dialogue_start, message_rate
from apps.core.exceptions import InvalidInput, NotFound
from apps.personas.models import Module
from tests.factories import PersonaFactory, ScenarioFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return Module.objects.get(code="partner")


def test_first_start_greets_with_the_name_filled(partner):
    user = TelegramUserFactory(first_name="Анна")
    persona = PersonaFactory(first_message="Привет, {{user}}! Я {{char}}.", modules=[partner])

    start = dialogue_start(user_id=user.pk, persona_id=persona.pk, module_code="partner")

    assert start.greeting == f"Привет, Анна! Я {persona.name}."
    assert not start.resumed
    assert Message.objects.get(dialogue_id=start.dialogue_id).text == start.greeting


def test_choosing_the_persona_again_resumes_without_a_second_greeting(partner):
    user = TelegramUserFactory()
    persona = PersonaFactory(modules=[partner])
    first = dialogue_start(user_id=user.pk, persona_id=persona.pk, module_code="partner")

    again = dialogue_start(user_id=user.pk, persona_id=persona.pk, module_code="partner")

    assert (again.dialogue_id, again.resumed, again.greeting) == (first.dialogue_id, True, "")


def test_only_one_dialogue_is_active_at_a_time(partner):
    user = TelegramUserFactory()
    one, two = PersonaFactory(modules=[partner]), PersonaFactory(modules=[partner])
    dialogue_start(user_id=user.pk, persona_id=one.pk, module_code="partner")

    dialogue_start(user_id=user.pk, persona_id=two.pk, module_code="partner")

    assert list(Dialogue.objects.filter(user=user, is_active=True).values_list("persona_id", flat=True)) == [two.pk]


def test_a_scene_opens_with_the_personas_first_line(partner):
    user = TelegramUserFactory()
    scene = ScenarioFactory(first_line="Смотри, {{user}}, какие листья!")

    start = dialogue_start(user_id=user.pk, persona_id=scene.persona_id, module_code="partner", scenario_id=scene.pk)

    assert start.greeting.startswith("Смотри,")
    assert Dialogue.objects.get(pk=start.dialogue_id).scenario_id == scene.pk


def test_rating_a_reply_and_refusing_foreign_or_odd_ratings(partner):
    user, stranger = TelegramUserFactory(), TelegramUserFactory()
    start = dialogue_start(user_id=user.pk, persona_id=PersonaFactory(modules=[partner]).pk, module_code="partner")
    greeting = Message.objects.get(dialogue_id=start.dialogue_id)

    message_rate(user_id=user.pk, message_id=greeting.pk, rating=1)

    assert Message.objects.get(pk=greeting.pk).rating == 1
    with pytest.raises(NotFound):
        message_rate(user_id=stranger.pk, message_id=greeting.pk, rating=-1)
    with pytest.raises(InvalidInput):
        message_rate(user_id=user.pk, message_id=greeting.pk, rating=5)
