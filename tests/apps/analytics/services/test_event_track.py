import datetime as dt

import pytest

from apps.analytics.models import Event
from apps.analytics.services import event_track, looks_like_content_key
from apps.core.exceptions import InvalidInput
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def test_records_an_event_with_user_properties_and_source():
    user = TelegramUserFactory()

    event = event_track(name="persona_chosen", user_id=user.pk, properties={"persona_id": 3}, source="bot")

    stored = Event.objects.get(pk=event.pk)
    assert (stored.name, stored.user_id, stored.properties, stored.source) == (
        "persona_chosen",
        user.pk,
        {"persona_id": 3},
        "bot",
    )


def test_keeps_the_given_occurrence_time():
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    assert event_track(name="payment_succeeded", occurred_at=moment).occurred_at == moment


@pytest.mark.parametrize(
    "properties",
    [
        {"text": "привет"},
        {"message": "hi"},
        {"reply_text": "..."},
        {"userMessage": "..."},
        {"transcript": "..."},
        {"meta": {"content": "nested"}},
        {"items": [{"caption": "in a list"}]},
    ],
)
def test_refuses_properties_named_like_conversation_content(properties):
    with pytest.raises(InvalidInput, match="conversation content"):
        event_track(name="message_sent", properties=properties)
    assert not Event.objects.exists()


def test_refuses_long_free_text_under_any_key():
    with pytest.raises(InvalidInput, match="free text"):
        event_track(name="message_sent", properties={"persona": "x" * 500})


@pytest.mark.parametrize("key", ["message_id", "text_length", "reply_tokens", "content_type", "feedback_rating"])
def test_allows_attributes_that_describe_content_without_holding_it(key):
    assert not looks_like_content_key(key)
    assert event_track(name="message_sent", properties={key: 5}).properties == {key: 5}


@pytest.mark.parametrize("name", ["", "Message Sent", "1st", "a" * 65, "bad-name"])
def test_refuses_malformed_event_names(name):
    with pytest.raises(InvalidInput, match="Event name"):
        event_track(name=name)


def test_refuses_unknown_user():
    with pytest.raises(InvalidInput, match="987654321"):
        event_track(name="bot_started", user_id=987654321)
