import pytest
from django.utils import timezone

from apps.accounts.models import LegalDocument
from apps.accounts.services import consent_accept, offer_accepted, offer_current
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def test_the_shipped_offer_is_in_force_and_not_accepted_by_a_new_user():
    user = TelegramUserFactory()

    assert (offer_current().kind, offer_current().version) == ("offer", 1)
    assert offer_accepted(user_id=user.pk) is False


def test_accepting_the_shown_offer_counts_until_a_newer_version_is_published():
    user = TelegramUserFactory()
    consent_accept(user_id=user.pk, document_ids=[offer_current().pk])
    assert offer_accepted(user_id=user.pk) is True

    LegalDocument.objects.create(
        kind="offer", version=2, title_ru="О", title_en="O", body_ru="т", body_en="t", published_at=timezone.now()
    )

    assert offer_current().version == 2
    assert offer_accepted(user_id=user.pk) is False


def test_without_a_published_offer_nothing_counts_as_accepted():
    user = TelegramUserFactory()
    LegalDocument.objects.filter(kind="offer").update(published_at=None)

    assert offer_current() is None
    assert offer_accepted(user_id=user.pk) is False
