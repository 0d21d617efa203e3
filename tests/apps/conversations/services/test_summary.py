import pytest

from apps.conversations.models import Dialogue, DialogueSummary, Message
from apps.conversations.summary import KEEP_RECENT, dialogue_summary_refresh
from apps.inference.openai_generator import OpenAIGenerator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def long_dialogue(anna):
    dialogue = Dialogue.objects.get(user=anna, is_active=True)
    for number in range(KEEP_RECENT + 12):
        Message.objects.create(dialogue=dialogue, role="user" if number % 2 else "assistant", text=f"реплика {number}")
    return dialogue


def test_older_turns_are_folded_into_the_summary_once(long_dialogue, scripted, stub_server):
    stub_server.reply = "Анна рассказала про свой день."

    assert dialogue_summary_refresh(dialogue_id=long_dialogue.pk, generator=scripted)

    summary = DialogueSummary.objects.get(dialogue=long_dialogue)
    assert summary.text == "Анна рассказала про свой день."
    newest_kept = list(Message.objects.filter(dialogue=long_dialogue).order_by("-id")[:KEEP_RECENT])
    assert summary.covers_until < min(message.pk for message in newest_kept)
    assert "реплика 0" in stub_server.requests[0]["messages"][1]["content"]
    assert not dialogue_summary_refresh(dialogue_id=long_dialogue.pk, generator=scripted)  # nothing new to fold


def test_a_backend_that_is_down_keeps_the_old_summary(long_dialogue):
    dead = OpenAIGenerator(base_url="http://127.0.0.1:1/v1", model="x", timeout_s=1, max_retries=0)

    assert not dialogue_summary_refresh(dialogue_id=long_dialogue.pk, generator=dead)
    assert not DialogueSummary.objects.exists()
