"""CustDev segments, counted on hand-built users; the contact list holds only those who agreed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.accounts.services import consent_accept, legal_documents_current
from apps.analytics.models import Event
from apps.billing.models import Plan, Subscription
from apps.growth.selectors.segments import segment_contacts, segment_members, segments_overview
from apps.growth.services.custdev import interview_contact_answer
from tests.factories import EventFactory, PaymentFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def user(name: str, *, days_ago: int = 30, seen_days_ago: int = 0, **fields) -> TelegramUser:
    created = TelegramUserFactory(username=name, **fields)
    TelegramUser.objects.filter(pk=created.pk).update(
        created_at=NOW - timedelta(days=days_ago), last_seen_at=NOW - timedelta(days=seen_days_ago)
    )
    return TelegramUser.objects.get(pk=created.pk)


def messages(who: TelegramUser, count: int, *, days_ago: float = 1) -> None:
    at = NOW - timedelta(days=days_ago)
    Event.objects.bulk_create([EventFactory.build(user=who, name="message_sent", occurred_at=at) for _ in range(count)])


def paid(who: TelegramUser, *, subscription_status: str) -> None:
    PaymentFactory(user=who, status="succeeded")
    ends = NOW + timedelta(days=10) if subscription_status == "active" else NOW - timedelta(days=5)
    Subscription.objects.create(
        user=who,
        plan=Plan.objects.get(code="pro-month"),
        status=subscription_status,
        current_period_start=ends - timedelta(days=30),
        current_period_end=ends,
    )


def consented(who: TelegramUser) -> None:
    consent_accept(user_id=who.pk, document_ids=[document.pk for document in legal_documents_current()])


@pytest.fixture
def people() -> dict[str, TelegramUser]:
    people = {
        "subscriber": user("subscriber"),
        "churned": user("churned"),
        "pending": user("pending"),
        "power": user("power"),
        "busy": user("busy"),
        "dropped": user("dropped"),
        "newcomer": user("newcomer", days_ago=2),
        "silent": user("silent", seen_days_ago=10),
        "playground": user("playground", telegram_id=-5),
    }
    paid(people["subscriber"], subscription_status="active")
    paid(people["churned"], subscription_status="expired")
    PaymentFactory(user=people["pending"], status="pending")
    messages(people["power"], 50)
    messages(people["busy"], 49)
    messages(people["busy"], 30, days_ago=10)  # a heavy week long ago does not count
    for who in ("subscriber", "churned", "power", "busy", "silent"):
        messages(people[who], 1, days_ago=12)
    for who in ("dropped", "power", "newcomer", "playground"):
        consented(people[who])
    messages(people["playground"], 60)  # the team's playground user is nobody's customer
    for who in ("churned", "power", "dropped"):
        interview_contact_answer(user_id=people[who].pk, agreed=True)
    interview_contact_answer(user_id=people["subscriber"].pk, agreed=False)
    return people


def members(key: str, **options) -> set[str]:
    return set(segment_members(key=key, at=NOW, **options).values_list("username", flat=True))


def test_each_segment_holds_exactly_its_people(people):
    assert members("payers") == {"subscriber", "churned"}
    assert members("churned_payers") == {"churned"}
    assert members("power_users") == {"power"}
    assert members("dropped_after_consent") == {"dropped", "newcomer"}
    assert members("new_this_week") == {"newcomer"}
    assert members("silent_week") == {"silent"}
    assert members("interview_agreed") == {"churned", "power", "dropped"}


def test_the_power_user_threshold_is_a_parameter(people):
    assert members("power_users", power_min_messages=40) == {"power", "busy"}


def test_the_overview_counts_members_and_those_who_agreed(people):
    overview = {row.key: (row.users, row.agreed) for row in segments_overview(at=NOW)}

    assert overview == {
        "payers": (2, 1),
        "churned_payers": (1, 1),
        "power_users": (1, 1),
        "dropped_after_consent": (2, 1),
        "new_this_week": (1, 0),
        "silent_week": (1, 0),
        "interview_agreed": (3, 3),
    }


def test_contacts_are_only_those_who_agreed_with_their_facts(people):
    [contact] = segment_contacts(key="payers", at=NOW)

    assert contact.username == "churned"
    assert (contact.messages_week, contact.messages_total, contact.payments_succeeded, contact.pro_now) == (
        0,
        1,
        1,
        False,
    )
    assert contact.interview_answered_at is not None
    assert contact.contacted_at is None


def test_an_unknown_segment_is_an_error():
    with pytest.raises(KeyError):
        segment_members(key="astronauts")
