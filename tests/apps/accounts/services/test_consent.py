import pytest
from django.utils import timezone

from apps.accounts.models import LegalDocument
from apps.accounts.services import consent_accept, consent_missing, update_first_seen
from apps.analytics.models import Event
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def test_a_new_user_must_accept_the_shipped_privacy_policy_and_terms():
    user = TelegramUserFactory()

    assert sorted(document.kind for document in consent_missing(user_id=user.pk)) == ["privacy", "terms"]


def test_accepting_the_shown_versions_opens_the_chat_and_is_recorded():
    user = TelegramUserFactory()

    consent_accept(user_id=user.pk, document_ids=[document.pk for document in consent_missing(user_id=user.pk)])

    assert consent_missing(user_id=user.pk) == []
    assert Event.objects.filter(name="consent_accepted", user=user).count() == 2


def test_a_new_published_version_asks_again():
    user = TelegramUserFactory()
    consent_accept(user_id=user.pk, document_ids=[document.pk for document in consent_missing(user_id=user.pk)])

    LegalDocument.objects.create(
        kind="privacy", version=2, title_ru="П", title_en="P", body_ru="т", body_en="t", published_at=timezone.now()
    )

    assert [(document.kind, document.version) for document in consent_missing(user_id=user.pk)] == [("privacy", 2)]


def test_drafts_are_not_asked_for():
    user = TelegramUserFactory()
    LegalDocument.objects.create(kind="terms", version=5, title_ru="Ч", title_en="D", body_ru="т", body_en="t")

    assert {document.version for document in consent_missing(user_id=user.pk)} == {1}


def test_accepting_an_outdated_version_does_not_count():
    user = TelegramUserFactory()
    old = consent_missing(user_id=user.pk)
    LegalDocument.objects.create(
        kind="terms", version=2, title_ru="У", title_en="T", body_ru="т", body_en="t", published_at=timezone.now()
    )

    consent_accept(user_id=user.pk, document_ids=[document.pk for document in old])

    assert [(document.kind, document.version) for document in consent_missing(user_id=user.pk)] == [("terms", 2)]


def test_an_update_is_handled_once():
    assert update_first_seen(update_id=77) is True
    assert update_first_seen(update_id=77) is False
