"""The admin's doors: login limits per username and address, the client address behind a proxy, CSP."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from apps.core.http import client_ip

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def owner():
    return User.objects.create_user("owner", password=PASSWORD, is_staff=True, is_superuser=True)


def _login(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_that_name_from_that_address_even_with_the_right_one(client, owner, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert _login(client, "owner", "wrong").status_code == 200  # the form again, with an error
    assert _login(client, "owner", "wrong").status_code == 429  # the fifth locks

    locked = _login(client, "owner", PASSWORD)

    assert locked.status_code == 429
    assert 'id="locked-out"' in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_holds_one_address_only(client, owner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, "owner", "wrong", address="203.0.113.7")

    elsewhere = _login(client, "owner", PASSWORD, address="198.51.100.20")

    assert elsewhere.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_success_before_the_limit_resets_the_count(client, owner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _login(client, "owner", "wrong")
    assert _login(client, "owner", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "owner", "wrong")

    assert _login(client, "owner", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_address_counts_apart(client, owner, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    for _ in range(2):
        client.post(
            LOGIN,
            {"username": "owner", "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    other = client.post(
        LOGIN, {"username": "owner", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert other.status_code == 302


def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_ip(request) == "203.0.113.7"


def test_behind_the_proxy_the_last_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.1.1.1")

    assert client_ip(request) == "203.0.113.7"  # 6.6.6.6 is whatever the client wrote


def test_admin_pages_carry_a_content_security_policy(admin_client):
    policy = admin_client.get("/admin/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "http" not in policy  # no other origin is allowed anywhere
