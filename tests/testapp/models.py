from django.db import models

from apps.core.fields import EncryptedJSONField, EncryptedTextField
from apps.core.models import TimeStampedModel


class SecretNote(TimeStampedModel):
    """A model with every kind of encrypted field, for the field and rotation tests."""

    title = models.CharField(max_length=50, blank=True)
    body = EncryptedTextField(null=True, blank=True)
    data = EncryptedJSONField(null=True, blank=True)
