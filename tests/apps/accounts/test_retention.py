"""The retention job: off by default; old messages go, long-inactive people are erased, payers are kept."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from apps.accounts.models import DataErasure, TelegramUser
from apps.accounts.retention import retention_run
from apps.accounts.tasks import retention_run as retention_task
from apps.conversations.models import Dialogue, DialogueSummary, MemoryFact, Message
from apps.conversations.services import dialogue_start, message_store
from apps.personas.models import Module
from tests.factories import PersonaFactory, SubscriptionFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db


def talking(user: TelegramUser, *, days_ago: int) -> Dialogue:
    """A dialogue whose messages (greeting, question, answer) were all written `days_ago` days ago."""
    persona = PersonaFactory(modules=[Module.objects.get(code="partner")])
    dialogue = Dialogue.objects.get(
        pk=dialogue_start(user_id=user.pk, persona_id=persona.pk, module_code="partner").dialogue_id
    )
    source = message_store(dialogue, Message.Role.USER, "Как дела?")
    message_store(dialogue, Message.Role.ASSISTANT, "Отлично!")
    Message.objects.filter(dialogue=dialogue).update(created_at=timezone.now() - timedelta(days=days_ago))
    DialogueSummary.objects.create(dialogue=dialogue, text="Поболтали.", covers_until=source.pk)
    MemoryFact.objects.create(user=user, category="city", slot="city", text="Живёт в Казани", source_message=source)
    return dialogue


def last_seen(months_ago: int, **fields) -> TelegramUser:
    return TelegramUserFactory(last_seen_at=timezone.now() - timedelta(days=31 * months_ago), **fields)


def test_retention_is_off_by_default_and_removes_nothing():
    user = last_seen(months_ago=60)
    talking(user, days_ago=3000)

    report = retention_run()

    assert (django_settings.RETENTION_MESSAGES_DAYS, django_settings.RETENTION_INACTIVE_MONTHS) == (0, 0)
    assert report == {"messages": 0, "summaries": 0, "users_erased": 0, "users_failed": 0}
    assert Message.objects.count() == 3
    assert TelegramUser.objects.get(pk=user.pk).erased_at is None


def test_messages_older_than_the_limit_go_with_summaries_of_emptied_dialogues(settings):
    settings.RETENTION_MESSAGES_DAYS = 30
    user = TelegramUserFactory(last_seen_at=timezone.now())
    old = talking(user, days_ago=45)
    fresh = talking(TelegramUserFactory(last_seen_at=timezone.now()), days_ago=2)

    report = retention_run()

    assert report["messages"] == 3
    assert report["summaries"] == 1
    assert not Message.objects.filter(dialogue=old).exists()
    assert Message.objects.filter(dialogue=fresh).count() == 3
    assert not DialogueSummary.objects.filter(dialogue=old).exists()
    assert DialogueSummary.objects.filter(dialogue=fresh).exists()
    assert Dialogue.objects.filter(pk=old.pk).exists()  # no text in it; it keeps the user's current persona
    assert MemoryFact.objects.get(user=user).source_message is None


def test_messages_are_deleted_in_batches(settings):
    from apps.conversations.services import messages_delete_older_than

    for _ in range(3):
        talking(TelegramUserFactory(), days_ago=100)

    report = messages_delete_older_than(before=timezone.now() - timedelta(days=30), batch_size=2)

    assert report == {"messages": 9, "summaries": 3}
    assert not Message.objects.exists()


def test_people_inactive_too_long_are_erased_with_a_record_each(settings):
    settings.RETENTION_INACTIVE_MONTHS = 12
    gone = last_seen(months_ago=13)
    talking(gone, days_ago=400)
    active = last_seen(months_ago=2)
    paying = last_seen(months_ago=24)
    SubscriptionFactory(user=paying)
    tester = last_seen(months_ago=24, telegram_id=-42)  # a playground user, not a person

    report = retention_run()

    assert report["users_erased"] == 1
    assert TelegramUser.objects.get(pk=gone.pk).erased_at is not None
    assert not Dialogue.objects.filter(user=gone).exists()
    for kept in (active, paying, tester):
        assert TelegramUser.objects.get(pk=kept.pk).erased_at is None
    record = DataErasure.objects.get()
    assert (record.user_id, record.actor, record.reason) == (gone.pk, "retention", "inactive for more than 12 months")
    assert retention_run()["users_erased"] == 0  # an erased row is never erased again


def test_a_user_never_seen_since_registering_counts_from_registration(settings):
    settings.RETENTION_INACTIVE_MONTHS = 6
    silent = TelegramUserFactory(last_seen_at=None)
    TelegramUser.objects.filter(pk=silent.pk).update(created_at=timezone.now() - timedelta(days=365))

    assert retention_run()["users_erased"] == 1


def test_the_daily_task_runs_the_job_and_is_scheduled(settings):
    settings.RETENTION_MESSAGES_DAYS = 1
    talking(TelegramUserFactory(), days_ago=5)

    assert retention_task.delay().get()["messages"] == 3
    assert django_settings.CELERY_BEAT_SCHEDULE["accounts-retention"]["task"] == "accounts.retention_run"
