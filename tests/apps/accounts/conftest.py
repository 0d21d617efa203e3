import pytest

from tests.apps.accounts.people import person


@pytest.fixture
def anna():
    return person(telegram_id=7001, name="Anna", phrase="люблю кактусы")


@pytest.fixture
def boris(anna):
    """Invited by Anna."""
    return person(telegram_id=7002, name="Boris", phrase="коллекционирую марки", invited_by=anna)
