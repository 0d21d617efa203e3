import pytest


@pytest.fixture(autouse=True)
def moscow_time(settings):
    """Reports count local days; the expected answers here are worked out in Moscow time (UTC+3, no DST),
    where local midnight is 21:00 UTC the day before."""
    settings.TIME_ZONE = "Europe/Moscow"
