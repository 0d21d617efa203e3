import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.db import connection

from apps.core.crypto import key_fingerprint
from apps.core.exceptions import DecryptionError
from tests.testapp.models import SecretNote

pytestmark = pytest.mark.django_db

SECRET = "Мне грустно сегодня, поговори со мной"


def raw_columns(note: SecretNote) -> tuple[str | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, data FROM testapp_secretnote WHERE id = %s", [note.pk])
        return cursor.fetchone()


def test_text_round_trips_through_the_database():
    note = SecretNote.objects.create(body=SECRET)

    assert SecretNote.objects.get(pk=note.pk).body == SECRET


def test_column_holds_ciphertext_tagged_with_the_key_fingerprint(settings):
    note = SecretNote.objects.create(body=SECRET, data={"city": "Казань"})

    body, data = raw_columns(note)
    fingerprint = key_fingerprint(settings.FIELD_ENCRYPTION_KEYS[0])
    assert body.startswith(f"f1:{fingerprint}:")
    assert data.startswith(f"f1:{fingerprint}:")
    assert "грустно" not in body
    assert "Казань" not in data


def test_same_plaintext_encrypts_differently_each_time():
    first, second = SecretNote.objects.create(body=SECRET), SecretNote.objects.create(body=SECRET)

    assert raw_columns(first)[0] != raw_columns(second)[0]


def test_json_round_trips_nested_values_and_unicode():
    value = {"likes": ["чай", "кошки"], "age": 27, "nested": {"ok": True, "none": None}}
    note = SecretNote.objects.create(data=value)

    assert SecretNote.objects.get(pk=note.pk).data == value


def test_null_stays_null_and_is_queryable():
    note = SecretNote.objects.create(body="x", data=None)

    assert raw_columns(note)[1] is None
    assert SecretNote.objects.filter(data__isnull=True).get() == note


def test_value_lookups_are_refused_because_ciphertext_cannot_be_compared():
    with pytest.raises(FieldError, match="Unsupported lookup 'icontains'"):
        list(SecretNote.objects.filter(body__icontains="грустно"))


def test_old_key_still_decrypts_after_a_new_key_is_added(settings):
    note = SecretNote.objects.create(body=SECRET)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]

    assert SecretNote.objects.get(pk=note.pk).body == SECRET


def test_reading_with_a_wrong_key_raises_a_clear_error_naming_the_field_and_key(settings):
    note = SecretNote.objects.create(body=SECRET)
    written_with = key_fingerprint(settings.FIELD_ENCRYPTION_KEYS[0])
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError) as caught:
        SecretNote.objects.get(pk=note.pk)

    assert "testapp.SecretNote.body" in str(caught.value)
    assert written_with in str(caught.value)
    assert "FIELD_ENCRYPTION_KEYS" in str(caught.value)


def test_tampered_ciphertext_raises_instead_of_returning_garbage():
    note = SecretNote.objects.create(body=SECRET)
    body = raw_columns(note)[0]
    tampered = body[:-6] + ("A" if body[-6] != "A" else "B") + body[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE testapp_secretnote SET body = %s WHERE id = %s", [tampered, note.pk])

    with pytest.raises(DecryptionError, match="does not decrypt"):
        SecretNote.objects.get(pk=note.pk)


def test_plaintext_left_in_an_encrypted_column_is_reported_not_returned():
    note = SecretNote.objects.create(body="x")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE testapp_secretnote SET body = %s WHERE id = %s", ["plain words", note.pk])

    with pytest.raises(DecryptionError, match="not an encrypted value"):
        SecretNote.objects.get(pk=note.pk)
