import io

import pytest
from asgiref.sync import async_to_sync
from django.core.management import CommandError, call_command

from apps.accounts.models import TelegramUser
from apps.analytics.models import Event
from apps.conversations.models import RegressionScript
from apps.conversations.regression import regression_run, regression_script_save
from apps.conversations.services import reply_compose
from apps.inference import registry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def script(anna, scripted, stub_server):
    async_to_sync(reply_compose)(user_id=anna.pk, text="У меня кот Барсик", generator=scripted)
    async_to_sync(reply_compose)(user_id=anna.pk, text="Как зовут моего кота?", generator=scripted)
    dialogue = anna.dialogues.get(is_active=True)
    return regression_script_save(
        name="remembers the cat",
        dialogue_id=dialogue.pk,
        must_recall=["Барсик"],
        must_not_contain=["язык"],
        created_by_id=None,
    )


def test_saving_a_conversation_keeps_its_user_turns_and_expectations(script):
    assert script.turns == ["У меня кот Барсик", "Как зовут моего кота?"]
    assert (script.must_recall, script.must_not_contain) == (["Барсик"], ["язык"])


def test_a_run_passes_when_the_replies_meet_the_expectations(script, scripted, stub_server):
    stub_server.reply = "Конечно помню: твоего кота зовут Барсик!"
    users_before = TelegramUser.objects.count()

    outcome = async_to_sync(regression_run)(script_id=script.pk, generator=scripted, embedder=None)

    assert outcome.passed, outcome.checks
    assert TelegramUser.objects.count() == users_before  # the rehearsal user is gone, with its events
    assert not Event.objects.filter(user__isnull=True, name="message_sent").exists()
    script.refresh_from_db()
    assert script.last_passed is True


def test_a_run_fails_naming_the_missed_expectation(script, scripted, stub_server):
    stub_server.reply = "Мне нравится учить новый язык."

    outcome = async_to_sync(regression_run)(script_id=script.pk, generator=scripted, embedder=None)

    failed = {check.name for check in outcome.checks if not check.passed}
    assert "recalls «Барсик»" in failed
    assert "never says «язык»" in failed


def test_the_command_exits_with_an_error_when_a_script_fails(script, settings, stub_server):
    registry.reset()
    settings.LLM_BACKEND = "openai"
    settings.OPENAI_BASE_URL = stub_server.base_url
    stub_server.reply = "Не помню."
    out = io.StringIO()
    try:
        with pytest.raises(CommandError, match="1 regression script"):
            call_command("dialogue_regress", "--persona", "kylie", stdout=out)
        assert "FAIL" in out.getvalue()

        stub_server.reply = "Барсик, конечно!"
        call_command("dialogue_regress", stdout=out)
        assert "PASS" in out.getvalue()
    finally:
        registry.reset()


def test_the_command_says_when_there_is_nothing_to_run():
    RegressionScript.objects.all().delete()

    with pytest.raises(CommandError, match="No regression scripts"):
        call_command("dialogue_regress")
