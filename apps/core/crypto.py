"""Field encryption with cryptography's MultiFernet: the first key encrypts, every key decrypts.

A stored value is `f1:<key fingerprint>:<Fernet token>`. The fingerprint (8 hex digits of the key's
SHA-256) says which key wrote it, so rotation can skip current rows without decrypting them and a
wrong key yields an error that says so instead of garbage.
"""

import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from apps.core.exceptions import DecryptionError

FORMAT_TAG = "f1"


def key_fingerprint(key: str | bytes) -> str:
    raw = key.encode() if isinstance(key, str) else key
    return hashlib.sha256(raw.strip()).hexdigest()[:8]


class FieldCipher:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: at least one Fernet key is required.")
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self.fingerprints = [key_fingerprint(key) for key in keys]
        self.primary_fingerprint = self.fingerprints[0]

    def encrypt(self, plaintext: str) -> str:
        token = self._fernet.encrypt(plaintext.encode()).decode()
        return f"{FORMAT_TAG}:{self.primary_fingerprint}:{token}"

    def decrypt(self, stored: str, *, label: str = "value") -> str:
        fingerprint, token = self._split(stored, label)
        if fingerprint not in self.fingerprints:
            raise DecryptionError(
                f"{label} was encrypted with key {fingerprint}, which is not in FIELD_ENCRYPTION_KEYS "
                f"(configured: {', '.join(self.fingerprints)}). Restore that key to read it.",
                extra={"fingerprint": fingerprint},
            )
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise DecryptionError(
                f"{label} does not decrypt with key {fingerprint}: the ciphertext is damaged, or a different "
                "key has the same fingerprint.",
                extra={"fingerprint": fingerprint},
            ) from None

    def is_current(self, stored: str) -> bool:
        """True when the newest key wrote this value (no rotation needed)."""
        return stored.startswith(f"{FORMAT_TAG}:{self.primary_fingerprint}:")

    def rotate(self, stored: str, *, label: str = "value") -> str:
        return self.encrypt(self.decrypt(stored, label=label))

    @staticmethod
    def fingerprint_of(stored: str) -> str | None:
        parts = stored.split(":", 2)
        return parts[1] if len(parts) == 3 and parts[0] == FORMAT_TAG else None

    @staticmethod
    def _split(stored: str, label: str) -> tuple[str, str]:
        parts = stored.split(":", 2)
        if len(parts) != 3 or parts[0] != FORMAT_TAG:
            raise DecryptionError(f"{label} is not an encrypted value (expected '{FORMAT_TAG}:<key>:<token>').")
        return parts[1], parts[2]


@functools.cache
def field_cipher() -> FieldCipher:
    return FieldCipher(list(settings.FIELD_ENCRYPTION_KEYS))


@receiver(setting_changed)
def _reset_cipher(*, setting: str, **kwargs) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        field_cipher.cache_clear()
