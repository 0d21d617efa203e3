"""The admin audit log records changes and exports, never what was typed."""

import pytest

from apps.core.models import AdminAuditEntry

pytestmark = pytest.mark.django_db


def test_a_change_in_the_admin_is_recorded_without_the_submitted_values(admin_client, admin_user):
    response = admin_client.post(
        "/admin/accounts/legaldocument/add/",
        {"kind": "privacy", "version": 9, "title": "Secret title", "body": "very private body"},
        REMOTE_ADDR="203.0.113.9",
    )

    entry = AdminAuditEntry.objects.get()
    assert (entry.user, entry.username, entry.method) == (admin_user, admin_user.username, "POST")
    assert entry.path == "/admin/accounts/legaldocument/add/"
    assert entry.status_code == response.status_code
    assert entry.ip_address == "203.0.113.9"
    stored = " ".join(str(value) for value in AdminAuditEntry.objects.values_list().get())
    assert "private" not in stored
    assert "Secret" not in stored


def test_a_bulk_action_is_recorded_with_its_name_and_the_chosen_objects(admin_client):
    from apps.accounts.models import TelegramUser

    users = [TelegramUser.objects.create(telegram_id=100 + number) for number in range(3)]

    admin_client.post(
        "/admin/accounts/telegramuser/",
        {"action": "make_beta_testers", "_selected_action": [str(user.pk) for user in users[:2]]},
    )

    entry = AdminAuditEntry.objects.get()
    assert entry.action == "make_beta_testers"
    assert sorted(entry.object_ids) == sorted(str(user.pk) for user in users[:2])


def test_an_export_is_recorded_and_plain_reading_is_not(admin_client):
    admin_client.get("/admin/analytics/dashboard/")
    admin_client.get("/admin/analytics/dashboard/", {"export": "conversion"})

    entry = AdminAuditEntry.objects.get()
    assert entry.action == "conversion"
    assert "export=conversion" in entry.path


def test_anonymous_posts_and_logins_are_not_audited_here(client):
    client.post("/admin/login/", {"username": "x", "password": "y"})
    client.post("/admin/accounts/legaldocument/add/", {})

    assert not AdminAuditEntry.objects.exists()


def test_the_audit_log_is_read_only_in_the_admin(admin_client):
    admin_client.post("/admin/accounts/legaldocument/add/", {})
    entry = AdminAuditEntry.objects.get()

    assert admin_client.get("/admin/core/adminauditentry/").status_code == 200
    assert admin_client.get("/admin/core/adminauditentry/add/").status_code == 403
    assert admin_client.post(f"/admin/core/adminauditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
