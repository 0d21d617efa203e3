import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.personas.models import Persona
from tests.apps.personas.card_files import png_with_chunk, v2_json
from tests.factories import PersonaFactory, ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_persona_list_renders_with_filters_and_search(admin_client):
    PersonaFactory(name="Кайли", is_pro=True)
    PersonaFactory(name="Марк")

    response = admin_client.get(reverse("admin:personas_persona_changelist"), {"q": "Кайли", "language": "ru"})

    assert response.status_code == 200
    assert "Кайли".encode() in response.content
    assert "Марк".encode() not in response.content


def test_language_filter_keeps_only_personas_speaking_it(admin_client):
    PersonaFactory(name="Russian only", languages=["ru"])
    PersonaFactory(name="Bilingual", languages=["ru", "en"])

    response = admin_client.get(reverse("admin:personas_persona_changelist"), {"language": "en"})

    assert b"Bilingual" in response.content
    assert b"Russian only" not in response.content


def test_change_form_shows_the_card_preview_in_both_languages(admin_client):
    persona = PersonaFactory(name="Кайли", preview_ru="Солнечная", preview_en="Sunny")
    ScenarioFactory(persona=persona)

    response = admin_client.get(reverse("admin:personas_persona_change", args=[persona.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="tg-card" data-language="ru"' in content
    assert 'class="tg-card" data-language="en"' in content
    assert "Солнечная" in content
    assert "Sunny" in content


def test_preview_page_shows_a_locked_card_for_a_free_user(admin_client):
    persona = PersonaFactory(is_pro=True)

    response = admin_client.get(
        reverse("admin:personas_persona_preview_page", args=[persona.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-locked="1"' in content  # the new user without PRO
    assert 'data-locked="0"' in content  # the PRO user
    assert "Available with PRO." in content


def test_import_cards_page_renders(admin_client):
    response = admin_client.get(reverse("admin:personas_persona_import_cards"))

    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_importing_a_batch_lists_good_and_bad_files(admin_client):
    files = [
        SimpleUploadedFile("good.json", v2_json(name="Good"), content_type="application/json"),
        SimpleUploadedFile("empty.png", png_with_chunk("Comment", "no card"), content_type="image/png"),
    ]

    response = admin_client.post(
        reverse("admin:personas_persona_import_cards"), {"files": files}, HTTP_ACCEPT_LANGUAGE="en"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="imported-cards"' in content
    assert "good.json" in content
    assert 'id="failed-cards"' in content
    assert "empty.png: this PNG carries no character card" in content
    assert list(Persona.objects.values_list("name", flat=True)) == ["Good"]


def test_card_downloads(admin_client):
    persona = PersonaFactory(slug="mark")

    png = admin_client.get(reverse("admin:personas_persona_download_png", args=[persona.pk]))
    card = admin_client.get(reverse("admin:personas_persona_download_json", args=[persona.pk]))

    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG")
    assert 'filename="mark.json"' in card["Content-Disposition"]
    assert b'"chara_card_v2"' in card.content


def test_bulk_export_action_zips_one_card_per_persona(admin_client):
    personas = [PersonaFactory(slug="one"), PersonaFactory(slug="two")]

    response = admin_client.post(
        reverse("admin:personas_persona_changelist"),
        {"action": "export_json_cards", "_selected_action": [p.pk for p in personas]},
    )

    assert sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == ["one.json", "two.json"]


def test_table_import_dry_run_reports_the_bad_row_and_saves_nothing(admin_client):
    csv = (
        "slug,name,languages,modules,gender,visibility\n"
        'good-one,Good,"[""ru""]",partner,female,everyone\n'
        'bad-one,Bad,"[""de""]",partner,robot,everyone\n'
    )
    upload = SimpleUploadedFile("personas.csv", csv.encode(), content_type="text/csv")

    response = admin_client.post(
        reverse("admin:personas_persona_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Some rows failed to validate" in content
    assert "is not a valid choice" in content  # gender "robot", named on its row
    assert "Choose one or more of: ru, en." in content  # languages ["de"]
    assert not Persona.objects.filter(slug__in=["good-one", "bad-one"]).exists()


def test_module_admin_edits_but_never_adds_modules(admin_client):
    assert admin_client.get(reverse("admin:personas_module_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:personas_module_add")).status_code == 403


def test_media_is_served_to_staff_only(client, admin_client, settings):
    (settings.MEDIA_ROOT / "x").mkdir(parents=True)
    (settings.MEDIA_ROOT / "x" / "a.txt").write_text("secret")

    assert admin_client.get("/media/x/a.txt").status_code == 200
    assert client.get("/media/x/a.txt").status_code == 302  # to the login page
