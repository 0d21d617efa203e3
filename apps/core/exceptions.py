"""The one error family of the project.

Services raise these with a message a person understands; the API and the bot map them once to a
response (HTTP status and JSON here, a translated reply in the bot). Anything else is a bug.
"""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "application_error"
    http_status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message: str | None = None, code: str | None = None, *, extra: dict | None = None) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.extra = extra or {}
        super().__init__(str(self.message))


class InvalidInput(ApplicationError):
    code = "invalid_input"
    default_message = _("The input is not valid.")


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class Forbidden(ApplicationError):
    code = "forbidden"
    http_status = 403
    default_message = _("This action is not allowed.")


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409
    default_message = _("The request conflicts with the current state.")


class LimitExceeded(ApplicationError):
    code = "limit_exceeded"
    http_status = 429
    default_message = _("Too many requests. Please try again later.")


class ServiceUnavailable(ApplicationError):
    code = "service_unavailable"
    http_status = 503
    default_message = _("A service is temporarily unavailable. Please try again later.")


class DecryptionError(ApplicationError):
    """Stored ciphertext cannot be read with the configured keys: a configuration fault, never shown as data."""

    code = "decryption_failed"
    http_status = 500
    default_message = _("Encrypted data cannot be read with the configured keys.")
