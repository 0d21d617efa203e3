import io

import pytest
from django.core.management import CommandError, call_command

from apps.personas.models import Persona
from tests.apps.personas.card_files import v2_json

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_imports_every_file_given(tmp_path):
    (tmp_path / "a.json").write_bytes(v2_json(name="Аня"))
    (tmp_path / "b.json").write_bytes(v2_json(name="Боря"))
    out = io.StringIO()

    call_command("persona_import", str(tmp_path / "a.json"), str(tmp_path / "b.json"), stdout=out)

    assert sorted(Persona.objects.values_list("name", flat=True)) == ["Аня", "Боря"]
    assert "a.json: created persona" in out.getvalue()


def test_fails_naming_each_bad_file_but_keeps_the_good_ones(tmp_path):
    (tmp_path / "good.json").write_bytes(v2_json(name="Good"))
    (tmp_path / "bad.json").write_bytes(b"{not json")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 of 3 file"):
        call_command(
            "persona_import",
            str(tmp_path / "good.json"),
            str(tmp_path / "bad.json"),
            str(tmp_path / "missing.json"),
            stderr=err,
        )

    assert list(Persona.objects.values_list("name", flat=True)) == ["Good"]
    assert "bad.json:" in err.getvalue()
    assert "missing.json: cannot read the file" in err.getvalue()
