import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from apps.core.crypto import key_fingerprint
from apps.core.services import encryption_rotate
from tests.testapp.models import SecretNote

pytestmark = pytest.mark.django_db


def raw_fingerprints() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM testapp_secretnote WHERE body IS NOT NULL ORDER BY id")
        return [row[0].split(":")[1] for row in cursor.fetchall()]


@pytest.fixture
def old_key(settings) -> str:
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    return key


@pytest.fixture
def notes(old_key) -> list[SecretNote]:
    return [SecretNote.objects.create(body=f"note {n}", data={"n": n}) for n in range(7)]


def test_rotation_rewrites_every_value_with_the_newest_key(settings, old_key, notes):
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("encryption_rotate", batch_size=3, stdout=io.StringIO())

    assert set(raw_fingerprints()) == {key_fingerprint(new_key)}
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can now be retired
    assert [note.body for note in SecretNote.objects.order_by("id")] == [f"note {n}" for n in range(7)]
    assert [note.data for note in SecretNote.objects.order_by("id")] == [{"n": n} for n in range(7)]


def test_dry_run_counts_but_writes_nothing(settings, old_key, notes):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    report = encryption_rotate(dry_run=True)

    assert report.rotated == 14  # 7 bodies and 7 data values
    assert set(raw_fingerprints()) == {key_fingerprint(old_key)}


def test_rerun_rotates_only_the_values_an_earlier_run_left_behind(settings, old_key, notes):
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    # An unreadable row stops nothing: the run rotates the rest, reports it, and exits with an error.
    lost_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [lost_key]
    orphan = SecretNote.objects.create(body="written with a key that went missing")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    with pytest.raises(CommandError, match="1 value"):
        call_command("encryption_rotate", batch_size=2, stdout=io.StringIO())

    assert raw_fingerprints().count(key_fingerprint(new_key)) == 7
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key, lost_key]
    second = encryption_rotate(batch_size=2)
    assert second.rotated == 1
    assert set(raw_fingerprints()) == {key_fingerprint(new_key)}
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert SecretNote.objects.get(pk=orphan.pk).body == "written with a key that went missing"


def test_nothing_to_do_when_every_value_is_current(notes):
    assert encryption_rotate().rotated == 0


def test_unknown_model_is_a_clear_error():
    with pytest.raises(CommandError, match=r"No encrypted columns in accounts\.TelegramUser"):
        call_command("encryption_rotate", models=["accounts.TelegramUser"])
