import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Telegram accepts at most 64 characters of A-Z, a-z, 0-9, _ and - in a /start deep-link payload.
START_PAYLOAD_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

validate_start_payload = RegexValidator(
    START_PAYLOAD_PATTERN,
    _("Use 1 to 64 characters: Latin letters, digits, '_' and '-' (a Telegram start payload)."),
    code="invalid_start_payload",
)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (example: Europe/Moscow)."), params={"value": value}
        )
