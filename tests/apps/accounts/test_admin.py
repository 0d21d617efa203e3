import pytest
from django.urls import reverse

from apps.accounts.models import TelegramUser
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def test_changelist_lists_users_and_finds_them_by_telegram_id(admin_client):
    TelegramUserFactory(telegram_id=555001, username="findme")
    TelegramUserFactory(telegram_id=555002, username="other")

    response = admin_client.get(reverse("admin:accounts_telegramuser_changelist"), {"q": "555001"})

    assert response.status_code == 200
    assert b"findme" in response.content
    assert b"other" not in response.content


def test_make_beta_testers_action_flags_the_selected_users(admin_client):
    chosen, untouched = TelegramUserFactory(), TelegramUserFactory()

    response = admin_client.post(
        reverse("admin:accounts_telegramuser_changelist"),
        {"action": "make_beta_testers", "_selected_action": [chosen.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert TelegramUser.objects.get(pk=chosen.pk).is_beta_tester
    assert not TelegramUser.objects.get(pk=untouched.pk).is_beta_tester


def test_users_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:accounts_telegramuser_add")).status_code == 403


def test_change_page_renders(admin_client):
    user = TelegramUserFactory(acquisition_code="promo_1")

    response = admin_client.get(reverse("admin:accounts_telegramuser_change", args=[user.pk]))

    assert response.status_code == 200
    assert b"promo_1" in response.content
