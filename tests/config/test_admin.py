import pytest
from django.urls import reverse

from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_in_russian_by_default(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ru"
    assert "Войти".encode() in response.content
    assert "Спутник".encode() in response.content


def test_login_page_is_in_english_when_the_browser_asks(client):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.headers["Content-Language"] == "en"
    assert b"Log in" in response.content
    assert b"Sputnik" in response.content


def test_language_switch_sticks_for_the_session(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/login/"})

    response = client.get(reverse("admin:login"))

    assert response.headers["Content-Language"] == "en"


def test_index_dashboard_shows_todays_numbers_and_health(admin_client):
    TelegramUserFactory.create_batch(3)

    response = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    kpis = {kpi["title"]: kpi["value"] for kpi in response.context["kpis"]}
    assert kpis["Users"] == 3
    assert kpis["New today"] == 3
    assert b"Platform health" in response.content
    assert [row[0] for row in response.context["health"]["rows"]] == ["database", "cache", "broker"]


def test_root_redirects_to_the_admin(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("admin:index")
