"""Staff roles: each group can do what its job needs, and support never reads conversations."""

import pytest
from django.contrib.auth.models import Group, User

from apps.core.roles import (
    CONVERSATION_MODELS,
    MARKETING,
    PRODUCT_OWNER,
    ROLES,
    SUPPORT,
    permission_codename,
    staff_roles_sync,
)

pytestmark = pytest.mark.django_db


def _staff(role: str) -> User:
    user = User.objects.create_user(f"{role.replace(' ', '_').lower()}", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached per instance


def test_migrate_creates_every_role_with_exactly_its_permissions():
    for role, models in ROLES.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        expected = {
            f"{label.split('.')[0]}.{permission_codename(label, action)}"
            for label, actions in models.items()
            for action in actions
        }
        assert granted == expected


def test_a_permission_added_by_hand_is_taken_back_by_the_next_sync():
    support = Group.objects.get(name=SUPPORT)
    from django.contrib.auth.models import Permission

    support.permissions.add(Permission.objects.get(codename="view_message"))

    staff_roles_sync()

    assert not support.permissions.filter(codename="view_message").exists()


def test_support_sees_users_and_payments_and_never_a_conversation():
    support = _staff(SUPPORT)

    assert support.has_perm("accounts.view_telegramuser")
    assert support.has_perm("billing.view_payment")
    assert support.has_perm("billing.add_refund")
    assert support.has_perm("accounts.export_user_data")  # a person's own data, on their request
    assert support.has_perm("accounts.erase_user_data")
    for label in CONVERSATION_MODELS:
        app, model = label.split(".")
        assert not support.has_perm(f"{app}.view_{model}")


def test_support_is_refused_the_message_pages_in_the_admin(client):
    client.force_login(_staff(SUPPORT))

    assert client.get("/admin/accounts/telegramuser/").status_code == 200
    assert client.get("/admin/billing/payment/").status_code == 200
    assert client.get("/admin/conversations/message/").status_code == 403
    assert client.get("/admin/conversations/memoryfact/").status_code == 403


def test_marketing_reads_the_dashboard_and_the_bank_but_changes_nothing(client):
    marketing = _staff(MARKETING)
    client.force_login(marketing)

    assert client.get("/admin/analytics/dashboard/").status_code == 200
    assert client.get("/admin/growth/hypothesis/").status_code == 200
    assert not any(
        perm.startswith(("growth.add", "growth.change", "growth.delete")) for perm in marketing.get_all_permissions()
    )
    assert client.get("/admin/growth/hypothesis/add/").status_code == 403
    assert client.get("/admin/accounts/telegramuser/").status_code == 403


def test_the_product_owner_edits_personas_and_hypotheses_but_not_payments(client):
    owner = _staff(PRODUCT_OWNER)
    client.force_login(owner)

    assert client.get("/admin/personas/persona/add/").status_code == 200
    assert client.get("/admin/growth/hypothesis/add/").status_code == 200
    assert not owner.has_perm("billing.change_payment")
    assert not owner.has_perm("conversations.view_message")
