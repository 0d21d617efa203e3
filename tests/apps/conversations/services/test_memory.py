import numpy as np
import pytest

from apps.conversations.memory import (
    memory_clear,
    memory_fact_delete,
    memory_fact_pin,
    memory_facts_for_user,
    memory_facts_store,
    memory_relevant_facts,
)
from apps.conversations.memory_extract import ExtractedFact
from apps.conversations.models import MemoryFact
from apps.core.exceptions import NotFound
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


def fact(category, value, text, slot=None, sensitive=False) -> ExtractedFact:
    return ExtractedFact(
        category=category,
        slot=slot or category,
        value=value,
        text=text,
        language="ru",
        confidence=0.9,
        sensitive=sensitive,
    )


class KeywordEmbedder:
    """Deterministic vectors: one dimension per keyword, enough to test ranking by similarity."""

    name, dimensions = "keywords", 4
    KEYWORDS = ("кот", "работ", "город", "музык")

    def embed(self, texts):
        rows = np.array([[float(word in text.lower()) for word in self.KEYWORDS] for text in texts], dtype=np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)


def test_a_new_city_supersedes_the_old_one():
    user = TelegramUserFactory()
    memory_facts_store(user_id=user.pk, facts=[fact("city", "Москва", "Живёт в Москве")], embedder=None)

    memory_facts_store(user_id=user.pk, facts=[fact("city", "Казань", "Живёт в Казани")], embedder=None)

    assert [view.text for view in memory_facts_for_user(user_id=user.pk)] == ["Живёт в Казани"]
    old = MemoryFact.objects.get(user=user, status="superseded")
    assert old.superseded_by.text == "Живёт в Казани"


def test_the_same_fact_again_only_refreshes_it():
    user = TelegramUserFactory()
    for _ in range(2):
        memory_facts_store(user_id=user.pk, facts=[fact("name", "Анна", "Зовут Анна")], embedder=None)

    assert MemoryFact.objects.filter(user=user).count() == 1


def test_several_pets_live_side_by_side():
    user = TelegramUserFactory()
    memory_facts_store(
        user_id=user.pk,
        facts=[
            fact("pets", "кот Барсик", "Есть кот Барсик", slot="pets:барсик"),
            fact("pets", "собака Рекс", "Есть собака Рекс", slot="pets:рекс"),
        ],
        embedder=None,
    )

    assert len(memory_facts_for_user(user_id=user.pk)) == 2
    assert all("барсик" not in stored.slot for stored in MemoryFact.objects.all())  # subjects never in plaintext


def test_health_facts_are_kept_only_when_allowed():
    user = TelegramUserFactory()
    health = fact("health", "диабет", "Диабет", slot="health:диабет", sensitive=True)

    memory_facts_store(user_id=user.pk, facts=[health], embedder=None)
    assert not MemoryFact.objects.exists()

    memory_facts_store(user_id=user.pk, facts=[health], embedder=None, allow_sensitive=True)
    assert MemoryFact.objects.get().is_sensitive


def test_retrieval_puts_the_name_first_then_the_closest_facts():
    user = TelegramUserFactory()
    memory_facts_store(
        user_id=user.pk,
        facts=[
            fact("name", "Анна", "Зовут Анна"),
            fact("work", "дизайнер", "Работает дизайнером"),
            fact("pets", "кот Барсик", "Есть кот Барсик", slot="pets:барсик"),
            fact("likes", "музыка", "Любит музыку", slot="likes:музыка"),
        ],
        embedder=KeywordEmbedder(),
    )

    lines = memory_relevant_facts(
        user_id=user.pk, persona_id=None, query="как там мой кот?", embedder=KeywordEmbedder(), limit=2
    )

    assert lines[0].text == "Зовут Анна"
    assert lines[0].core
    assert lines[1].text == "Есть кот Барсик"
    assert len(lines) == 3


def test_delete_pin_and_clear():
    user, other = TelegramUserFactory(), TelegramUserFactory()
    first, second = memory_facts_store(
        user_id=user.pk,
        facts=[fact("city", "Казань", "Живёт в Казани"), fact("work", "врач", "Работает врачом")],
        embedder=None,
    )

    memory_fact_pin(user_id=user.pk, fact_id=second.pk)
    memory_fact_delete(user_id=user.pk, fact_id=first.pk)

    assert [(view.text, view.pinned) for view in memory_facts_for_user(user_id=user.pk)] == [("Работает врачом", True)]
    with pytest.raises(NotFound):
        memory_fact_delete(user_id=other.pk, fact_id=second.pk)  # nobody deletes another user's memory
    assert memory_clear(user_id=user.pk) == 2
    assert not MemoryFact.objects.filter(user=user).exists()
