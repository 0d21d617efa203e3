"""Model fields whose values are encrypted at rest (see apps.core.crypto).

Ciphertext is random per write, so the database cannot compare values: only `isnull` lookups work.
Values are plaintext on the model instance and ciphertext in the column.
"""

import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import field_cipher

SUPPORTED_LOOKUPS = frozenset({"isnull"})


class EncryptedFieldMixin:
    """Encrypts on the way to the database and decrypts on the way back."""

    def get_lookup(self, lookup_name: str):
        return super().get_lookup(lookup_name) if lookup_name in SUPPORTED_LOOKUPS else None

    def get_transform(self, lookup_name: str):
        return None

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_plaintext(field_cipher().decrypt(value, label=self.label_for_errors))

    def get_prep_value(self, value):
        if value is None:
            return None
        return field_cipher().encrypt(self.to_plaintext(value))

    @property
    def label_for_errors(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def to_plaintext(self, value) -> str:
        raise NotImplementedError

    def from_plaintext(self, plaintext: str):
        raise NotImplementedError


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    description = _("Text (encrypted)")

    def to_plaintext(self, value) -> str:
        return str(value)

    def from_plaintext(self, plaintext: str) -> str:
        return plaintext


class EncryptedJSONField(EncryptedFieldMixin, models.TextField):
    """JSON stored as encrypted text (not the database's JSON type, which would have to see the data)."""

    description = _("JSON (encrypted)")
    empty_values = [None]

    def to_plaintext(self, value) -> str:
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)

    def from_plaintext(self, plaintext: str):
        return json.loads(plaintext)

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, "encoder": DjangoJSONEncoder, **kwargs})
