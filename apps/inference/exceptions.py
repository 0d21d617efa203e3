from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import InvalidInput, ServiceUnavailable


class BackendUnavailable(ServiceUnavailable):
    """A backend cannot answer now (overloaded, timed out, down, not loaded). The only error a fallback takes over."""

    code = "backend_unavailable"
    default_message = _("The model is busy right now. Please try again in a moment.")

    def __init__(self, message: str | None = None, *, backend: str = "", **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.backend = backend


class AllBackendsFailed(BackendUnavailable):
    code = "all_backends_failed"


class UnsupportedModel(InvalidInput):
    """A model file the converter or loader cannot handle; the message says what and why."""

    code = "unsupported_model"


class AudioRejected(InvalidInput):
    """Audio that cannot be transcribed: too long, empty, or not decodable."""

    code = "audio_rejected"
