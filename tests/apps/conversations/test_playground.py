import pytest
from django.urls import reverse

from apps.conversations.models import RegressionScript
from apps.inference import registry
from apps.personas.models import Module

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

URL = "admin:conversations_regressionscript_playground"


@pytest.fixture
def local_tiny_model(settings, tiny_model_dir):
    registry.reset()
    settings.LLM_MODEL_DIR = tiny_model_dir
    yield
    registry.reset()


def test_playground_page_renders(admin_client):
    response = admin_client.get(reverse(URL))

    assert response.status_code == 200
    assert b'id="playground-form"' in response.content


def test_a_playground_turn_runs_the_real_pipeline_and_shows_its_workings(admin_client, kylie, local_tiny_model):
    partner = Module.objects.get(code="partner")

    response = admin_client.post(
        reverse(URL),
        {"send": "1", "module": partner.pk, "persona": kylie.pk, "text": "Привет! Меня зовут Оля.", "has_pro": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="playground-details"' in content
    assert "ctranslate2:tiny" in content
    assert "Assembled prompt" in content
    assert "Танцовщица из Сочи." in content  # the persona card inside the shown prompt
    assert "Привет! Меня зовут Оля." in content  # the turn in the history


def test_saving_the_conversation_creates_a_regression_script(admin_client, kylie, local_tiny_model):
    partner = Module.objects.get(code="partner")
    admin_client.post(
        reverse(URL), {"send": "1", "module": partner.pk, "persona": kylie.pk, "text": "У меня кот Барсик"}
    )

    response = admin_client.post(
        reverse(URL),
        {
            "save_script": "1",
            "script-name": "cat",
            "script-must_recall": "Барсик",
            "script-must_not_contain": "AI, бот",
        },
    )

    script = RegressionScript.objects.get()
    assert response.status_code == 302
    assert (script.turns, script.must_recall, script.must_not_contain) == (
        ["У меня кот Барсик"],
        ["Барсик"],
        ["AI", "бот"],
    )


def test_reset_starts_a_fresh_conversation(admin_client, kylie, local_tiny_model):
    partner = Module.objects.get(code="partner")
    admin_client.post(reverse(URL), {"send": "1", "module": partner.pk, "persona": kylie.pk, "text": "Привет"})

    admin_client.post(reverse(URL), {"reset": "1"})

    assert b"No conversation yet." in admin_client.get(reverse(URL), HTTP_ACCEPT_LANGUAGE="en").content
