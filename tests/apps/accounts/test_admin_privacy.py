"""Support exports and erases a person's data from the user page; marketing cannot; both are audited."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from apps.accounts.models import DataErasure, TelegramUser
from apps.core.models import AdminAuditEntry
from apps.core.roles import MARKETING, SUPPORT

pytestmark = pytest.mark.django_db


def staff(role: str) -> User:
    user = User.objects.create_user(role.lower(), password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def export_url(user: TelegramUser) -> str:
    return reverse("admin:accounts_telegramuser_export_data", args=[user.pk])


def erase_url(user: TelegramUser) -> str:
    return reverse("admin:accounts_telegramuser_erase_data", args=[user.pk])


def test_support_downloads_the_export_and_the_download_is_audited(client, anna):
    client.force_login(staff(SUPPORT))

    response = client.get(export_url(anna))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="sputnik-data-')
    data = json.loads(response.content.decode())
    assert data["profile"]["telegram_id"] == 7001
    assert data["feedback"][0]["text"] == "Отзыв: люблю кактусы"
    entry = AdminAuditEntry.objects.get()
    assert (entry.username, entry.method, entry.path) == ("support", "GET", export_url(anna))
    assert "кактус" not in str(AdminAuditEntry.objects.values_list().get())


def test_the_user_page_offers_both_actions_to_support(client, anna):
    client.force_login(staff(SUPPORT))

    page = client.get(reverse("admin:accounts_telegramuser_change", args=[anna.pk])).content.decode()

    assert export_url(anna) in page
    assert erase_url(anna) in page


def test_support_erases_after_a_confirmation_page_with_a_reason(client, anna):
    client.force_login(staff(SUPPORT))

    confirmation = client.get(erase_url(anna), HTTP_ACCEPT_LANGUAGE="en")
    refused = client.post(erase_url(anna), {"reason": ""})
    done = client.post(erase_url(anna), {"reason": "request in the bot chat #42"})

    assert confirmation.status_code == 200
    assert "payment" in confirmation.content.decode()
    assert refused.status_code == 200  # the form again: a reason is required
    assert done.status_code == 302
    assert TelegramUser.objects.get(pk=anna.pk).erased_at is not None
    record = DataErasure.objects.get()
    assert (record.actor, record.reason) == ("support", "request in the bot chat #42")
    posts = AdminAuditEntry.objects.filter(method="POST", path=erase_url(anna))
    assert [entry.status_code for entry in posts.order_by("at", "id")] == [200, 302]


def test_erasing_an_erased_user_again_says_so(client, anna):
    client.force_login(staff(SUPPORT))
    client.post(erase_url(anna), {"reason": "first"})

    again = client.post(erase_url(anna), {"reason": "second"}, HTTP_ACCEPT_LANGUAGE="en")

    assert again.status_code == 200
    assert "already erased" in again.content.decode()
    assert DataErasure.objects.count() == 1


def test_marketing_can_neither_export_nor_erase(client, anna):
    client.force_login(staff(MARKETING))

    assert client.get(export_url(anna)).status_code == 403
    assert client.get(erase_url(anna)).status_code == 403
    assert client.post(erase_url(anna), {"reason": "x"}).status_code == 403
    assert TelegramUser.objects.get(pk=anna.pk).erased_at is None


def test_support_without_the_erase_permission_is_refused(client, anna):
    from django.contrib.auth.models import Permission

    person_at_support = staff(SUPPORT)
    person_at_support.user_permissions.clear()
    group = Group.objects.create(name="Support, read only")
    group.permissions.set(Permission.objects.filter(codename__in=["view_telegramuser", "export_user_data"]))
    person_at_support.groups.set([group])
    client.force_login(User.objects.get(pk=person_at_support.pk))

    assert client.get(export_url(anna)).status_code == 200
    assert client.post(erase_url(anna), {"reason": "x"}).status_code == 403


def test_destruction_records_are_read_only_in_the_admin(admin_client, anna):
    admin_client.post(erase_url(anna), {"reason": "request #1"})
    record = DataErasure.objects.get()

    assert admin_client.get(reverse("admin:accounts_dataerasure_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_dataerasure_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:accounts_dataerasure_delete", args=[record.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert DataErasure.objects.count() == 1
