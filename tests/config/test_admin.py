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


@pytest.fixture
def no_published_stats():
    from django.core.cache import cache

    from apps.inference.services import STATS_CACHE_KEY

    cache.delete(STATS_CACHE_KEY)
    yield
    cache.delete(STATS_CACHE_KEY)


def test_index_lists_installed_models_with_source_and_licence(
    admin_client, settings, tiny_model_dir, no_published_stats
):
    settings.MODELS_DIR = tiny_model_dir.parent
    settings.LLM_MODEL_DIR = tiny_model_dir

    response = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")

    rows = response.context["models"]["rows"]
    assert ["tiny", "generator", "en", "MIT", "tests/apps/inference/tiny_model.py"] in rows
    assert b"no figures yet" in response.content


def test_index_shows_the_figures_the_serving_process_published(admin_client, no_published_stats):
    from apps.inference.services import generator_stats_publish
    from apps.inference.types import GeneratorStats

    generator_stats_publish(GeneratorStats("ctranslate2:x", 3, 256, 10, 0, 4, 2.5, 8, 321.0))

    response = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")

    assert b"321 tokens/s, queue 3 of 256, mean batch 2.5" in response.content
