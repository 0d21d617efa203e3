import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.analytics.models import Event
from apps.billing.models import FreeTier
from apps.conversations.models import Dialogue, Message, PhotoDelivery
from apps.conversations.photos import (
    EMBEDDING_MOMENT_THRESHOLD,
    photo_delivery_record,
    photo_for_turn,
    photo_pick,
    photo_requested,
    photos_left_today,
)
from apps.core.exceptions import NotFound
from apps.personas.models import Module
from apps.personas.selectors import Viewer
from tests.factories import PersonaFactory, PersonaPhotoFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db

FREE = Viewer(language="ru")
PRO = Viewer(language="ru", has_pro=True)
BEACH_TALK = "Весь день провалялась на пляже, море тёплое!\nОбожаю пляж и море, завидую тебе!"
CAFE_TALK = "Сижу в кафе и читаю книгу.\nОбожаю кафе и хорошую книгу."


class FakeEmbedder:
    """Deterministic vectors: a text points along the axis of the first topic word it contains."""

    name = "fake"

    def __init__(self, axes: dict[str, list[float]]) -> None:
        self.axes = axes
        self.dimensions = len(next(iter(axes.values())))

    def embed(self, texts):
        rows = []
        for text in texts:
            vector = next((axis for word, axis in self.axes.items() if word in text.lower()), None)
            rows.append(vector if vector is not None else [0.0] * (self.dimensions - 1) + [1.0])
        rows = np.asarray(rows, dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def free_photos(count: int) -> None:
    FreeTier.objects.update_or_create(pk=1, defaults={"photos_per_day": count})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    free_photos(3)
    settings.PHOTO_UNASKED_EVERY_TURNS = 3


@pytest.fixture
def persona():
    return PersonaFactory(modules=[Module.objects.get(code="partner")])


@pytest.fixture
def user():
    return TelegramUserFactory()


@pytest.fixture
def dialogue(user, persona):
    return Dialogue.objects.create(user=user, persona=persona, module=Module.objects.get(code="partner"))


@pytest.fixture
def cafe(persona):
    return PersonaPhotoFactory(persona=persona, caption="в кафе с книгой", order=1)


@pytest.fixture
def beach(persona):
    return PersonaPhotoFactory(persona=persona, caption="на пляже у моря", order=2)


def deliver(user, photo, *, dialogue=None, at: datetime | None = None) -> PhotoDelivery:
    delivery = PhotoDelivery.objects.create(
        user=user, photo=photo, persona=photo.persona, dialogue=dialogue, trigger="asked"
    )
    if at is not None:  # created_at is set on insert; move it afterwards
        PhotoDelivery.objects.filter(pk=delivery.pk).update(created_at=at)
    return delivery


def user_turns(dialogue, count: int) -> None:
    for number in range(count):
        Message.objects.create(dialogue=dialogue, role=Message.Role.USER, text=f"сообщение {number}")


def pick(user, persona, context: str, viewer: Viewer = FREE, embedder=None):
    return photo_pick(user_id=user.pk, persona_id=persona.pk, viewer=viewer, context=context, embedder=embedder)


def turn(user, persona, dialogue, user_text: str, reply_text: str = "", embedder=None, viewer: Viewer = FREE):
    return photo_for_turn(
        user_id=user.pk,
        persona_id=persona.pk,
        dialogue_id=dialogue.pk,
        viewer=viewer,
        user_text=user_text,
        reply_text=reply_text,
        embedder=embedder,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Пришли фото",
        "скинь мне фотку",
        "Отправь, пожалуйста, фоточку!",
        "покажи мне себя",
        "Покажи свою фотографию",
        "пришлите селфи",
        "Сфоткайся для меня",
        "сфотографируйся у окна",
        "можно твоё фото?",
        "Как ты выглядишь?",
        "хочу тебя увидеть",
        "дай на тебя посмотреть",
        "не пришлёшь фотку?",
        "а не могла бы ты прислать фото?",
        "СКИНЬ ЕЩЁ ОДНУ ФОТКУ С ПЛЯЖА",
        "send me a photo",
        "Send a pic please",
        "can you send me a selfie?",
        "show me yourself",
        "Show me a picture of you",
        "What do you look like?",
        "can I see you?",
        "take a selfie",
        "I’d love to see you",
        "Why don't you send me a pic?",
    ],
)
def test_a_request_for_the_personas_photo_is_recognised(text):
    assert photo_requested(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "не присылай фото",
        "Не надо скидывать фотки",
        "я вчера смотрела фото",
        "Купила новый фотоаппарат",
        "Я фотограф",
        "Я хотела тебе показать фото",
        "мы пришли домой и смотрели фото",
        "отправь фото моего кота",
        "Как я выгляжу?",
        "don't send photos",
        "Please do not send me pictures",
        "I took a photo of my cat",
        "I'll send you a photo",
        "let me show you a picture",
        "send me a photo of the beach",
        "can I see you tomorrow?",
        "I love taking photos",
    ],
)
def test_talk_about_photos_that_asks_for_none_is_not_a_request(text):
    assert photo_requested(text) is False


def test_the_photo_whose_caption_fits_the_talk_is_picked(user, persona, cafe, beach):
    choice = pick(user, persona, BEACH_TALK)

    assert choice.photo.id == beach.pk
    assert choice.score > 0


def test_the_last_photo_sent_is_not_picked_again_in_a_row(user, persona, cafe, beach):
    deliver(user, beach)

    assert pick(user, persona, BEACH_TALK).photo.id == cafe.pk


def test_no_photo_when_the_only_candidate_was_sent_last(user, persona, beach):
    deliver(user, beach)

    assert pick(user, persona, BEACH_TALK) is None


def test_an_adult_photo_is_never_picked_for_a_viewer_without_age_confirmation(user, persona, cafe):
    PersonaPhotoFactory(persona=persona, caption="на пляже у моря", is_adult=True, order=0)

    assert pick(user, persona, BEACH_TALK, viewer=PRO).photo.id == cafe.pk


def test_a_pro_photo_is_never_picked_for_a_viewer_without_pro(user, persona, cafe):
    PersonaPhotoFactory(persona=persona, caption="на пляже у моря", is_pro=True, order=0)

    assert pick(user, persona, BEACH_TALK).photo.id == cafe.pk


def test_equal_scores_go_to_the_photo_sent_fewer_times(user, persona):
    often, rarely, last = (PersonaPhotoFactory(persona=persona, caption=c, order=n) for n, c in enumerate("абв", 1))
    now = timezone.now()
    deliver(user, often, at=now - timedelta(days=3))
    deliver(user, often, at=now - timedelta(days=2))
    deliver(user, rarely, at=now - timedelta(days=1))
    deliver(user, last, at=now)

    assert pick(user, persona, "ничего общего").photo.id == rarely.pk


def test_equal_scores_and_counts_go_to_gallery_order(user, persona):
    PersonaPhotoFactory(persona=persona, caption="первая по id", order=2)
    first_in_gallery = PersonaPhotoFactory(persona=persona, caption="вторая по id", order=1)

    assert pick(user, persona, "ничего общего").photo.id == first_in_gallery.pk


def test_with_an_embedder_the_nearest_caption_by_cosine_wins(user, persona, cafe, beach):
    # "волны" shares no word with either caption: only the embedder can tell it is about the sea.
    embedder = FakeEmbedder({"волны": [1, 0, 0], "моря": [0.9, 0.1, 0], "кафе": [0, 1, 0]})

    choice = pick(user, persona, "Слышу, как шумят волны", embedder=embedder)

    assert choice.photo.id == beach.pk
    assert choice.score == pytest.approx(0.9 / np.hypot(0.9, 0.1), abs=1e-4)


def test_photos_left_today_count_deliveries_since_moscow_midnight(monkeypatch, settings, user, beach):
    # Users are in Moscow by default. 01:30 on 10 March there is still 9 March in UTC: Moscow's calendar rules.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    deliver(user, beach, at=datetime(2026, 3, 9, 20, 59, tzinfo=UTC))  # 23:59 in Moscow, yesterday
    deliver(user, beach, at=datetime(2026, 3, 9, 21, 1, tzinfo=UTC))  # 00:01 in Moscow, today

    assert photos_left_today(user_id=user.pk) == 2


def test_photos_left_today_is_never_negative(settings, user, beach):
    free_photos(1)
    deliver(user, beach)
    deliver(user, beach)

    assert photos_left_today(user_id=user.pk) == 0


def test_a_deleted_photo_still_counts_towards_the_quota(user, beach):
    deliver(user, beach)

    beach.delete()

    assert photos_left_today(user_id=user.pk) == 2


def test_asking_with_quota_left_gets_the_best_match(user, persona, dialogue, cafe, beach):
    decision = turn(user, persona, dialogue, "Скинь фотку с пляжа!", "Держи, это я у моря")

    assert (decision.photo.id, decision.trigger, decision.quota_exhausted) == (beach.pk, "asked", False)


def test_asking_never_brings_a_pro_photo_to_a_viewer_without_pro(user, persona, dialogue, cafe):
    PersonaPhotoFactory(persona=persona, caption="на пляже у моря", is_pro=True)

    assert turn(user, persona, dialogue, "Скинь фотку с пляжа!", "Держи, это я у моря").photo.id == cafe.pk


def test_asking_at_the_quota_gets_no_photo_and_quota_exhausted(settings, user, persona, dialogue, cafe, beach):
    free_photos(1)
    deliver(user, cafe)

    decision = turn(user, persona, dialogue, "Пришли фото")

    assert (decision.photo, decision.trigger, decision.quota_exhausted) == (None, "asked", True)


def test_asking_a_persona_without_photos_gets_none_without_quota_exhaustion(user, persona, dialogue):
    decision = turn(user, persona, dialogue, "Пришли фото")

    assert (decision.photo, decision.quota_exhausted) == (None, False)


def test_an_unasked_photo_comes_when_the_talk_fits_after_enough_turns(user, persona, dialogue, cafe, beach):
    user_turns(dialogue, 3)

    decision = turn(user, persona, dialogue, *BEACH_TALK.split("\n"))

    assert (decision.photo.id, decision.trigger, decision.quota_exhausted) == (beach.pk, "moment", False)


def test_no_unasked_photo_before_enough_turns(user, persona, dialogue, cafe, beach):
    user_turns(dialogue, 2)

    assert turn(user, persona, dialogue, *BEACH_TALK.split("\n")).photo is None


def test_turns_for_an_unasked_photo_count_from_the_last_photo_of_the_dialogue(user, persona, dialogue, cafe, beach):
    user_turns(dialogue, 5)
    deliver(user, cafe, dialogue=dialogue, at=timezone.now())
    Message.objects.filter(dialogue=dialogue).update(created_at=timezone.now() - timedelta(minutes=1))
    user_turns(dialogue, 2)

    assert turn(user, persona, dialogue, *BEACH_TALK.split("\n")).photo is None


def test_no_unasked_photo_when_the_talk_does_not_fit_any_caption(user, persona, dialogue, cafe, beach):
    user_turns(dialogue, 3)

    assert turn(user, persona, dialogue, "Как прошёл твой день?", "Нормально, много работы, устала.").photo is None


def test_an_unasked_photo_needs_the_embedding_score_to_pass_its_threshold(user, persona, dialogue, beach):
    user_turns(dialogue, 3)
    below = EMBEDDING_MOMENT_THRESHOLD - 0.05
    embedder = FakeEmbedder({"волны": [1, 0, 0], "моря": [below, np.sqrt(1 - below**2), 0]})

    assert turn(user, persona, dialogue, "Слышу волны", "Красиво", embedder=embedder).photo is None


def test_no_unasked_photo_when_the_quota_is_used_up_and_no_quota_message(
    settings, user, persona, dialogue, cafe, beach
):
    free_photos(1)
    deliver(user, cafe, at=timezone.now() - timedelta(minutes=1))
    user_turns(dialogue, 3)

    decision = turn(user, persona, dialogue, *BEACH_TALK.split("\n"))

    assert (decision.photo, decision.quota_exhausted) == (None, False)


def test_recording_a_delivery_stores_who_got_which_photo(user, persona, dialogue, beach):
    photo_delivery_record(user_id=user.pk, photo_id=beach.pk, dialogue_id=dialogue.pk, trigger="moment")

    delivery = PhotoDelivery.objects.get()
    assert (delivery.user_id, delivery.photo_id, delivery.persona_id, delivery.dialogue_id, delivery.trigger) == (
        user.pk,
        beach.pk,
        persona.pk,
        dialogue.pk,
        "moment",
    )


def test_recording_a_delivery_tracks_photo_sent_with_ids_and_no_text(user, persona, beach):
    photo_delivery_record(user_id=user.pk, photo_id=beach.pk, dialogue_id=None, trigger="asked")

    event = Event.objects.get(name="photo_sent")
    assert event.user_id == user.pk
    assert event.properties == {"persona_id": persona.pk, "photo_id": beach.pk, "trigger": "asked"}
    assert "пляж" not in json.dumps(event.properties, ensure_ascii=False)


def test_recording_an_unknown_trigger_is_refused(user, beach):
    with pytest.raises(ValidationError):
        photo_delivery_record(user_id=user.pk, photo_id=beach.pk, dialogue_id=None, trigger="bored")

    assert not PhotoDelivery.objects.exists()


def test_recording_a_delivery_into_another_users_dialogue_is_refused(persona, dialogue, beach):
    stranger = TelegramUserFactory()

    with pytest.raises(NotFound):
        photo_delivery_record(user_id=stranger.pk, photo_id=beach.pk, dialogue_id=dialogue.pk, trigger="asked")


def test_an_unasked_photo_comes_when_the_embedding_score_passes_its_threshold(user, persona, dialogue, beach):
    user_turns(dialogue, 3)
    above = EMBEDDING_MOMENT_THRESHOLD + 0.05
    embedder = FakeEmbedder({"волны": [1, 0, 0], "моря": [above, np.sqrt(1 - above**2), 0]})

    assert turn(user, persona, dialogue, "Слышу волны", "Красиво", embedder=embedder).photo.id == beach.pk
