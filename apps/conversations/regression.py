"""Playground users and regression scripts: the same reply pipeline, replayed with expectations."""

import secrets
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.analytics.services import events_erase_for_user
from apps.conversations.memory import memory_extract_from_message
from apps.conversations.models import Dialogue, MemoryFact, RegressionScript
from apps.conversations.quality import reply_quality
from apps.conversations.services import dialogue_start, reply_compose
from apps.inference.types import Embedder, TextGenerator
from apps.personas.selectors import Viewer

# Staff try every persona: access rules are tested elsewhere, the persona's voice is tested here.
FULL_ACCESS = Viewer(is_beta_tester=True, has_pro=True, adult_confirmed=True)


@dataclass(frozen=True)
class RegressionCheck:
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class RegressionOutcome:
    script_id: int
    name: str
    persona: str
    passed: bool
    checks: tuple[RegressionCheck, ...]
    replies: tuple[str, ...]


@transaction.atomic
def playground_user(*, staff_user_id: int, staff_username: str, language: str = "ru") -> TelegramUser:
    """Each staff member talks as their own test user; negative ids never collide with Telegram's."""
    user, _created = TelegramUser.objects.get_or_create(
        telegram_id=-staff_user_id,
        defaults={
            "username": f"playground_{staff_username}"[:32],
            "first_name": staff_username[:64],
            "language": language,
        },
    )
    return user


@transaction.atomic
def playground_reset(*, user_id: int) -> None:
    """Forget the test user's dialogues and memory, so the next try starts fresh."""
    Dialogue.objects.filter(user_id=user_id).delete()
    MemoryFact.objects.filter(user_id=user_id).delete()


@transaction.atomic
def regression_script_save(
    *, name: str, dialogue_id: int, must_recall: list[str], must_not_contain: list[str], created_by_id: int | None
) -> RegressionScript:
    """Turn a playground conversation into a script: its user turns plus the expectations."""
    dialogue = Dialogue.objects.select_related("persona", "module").get(pk=dialogue_id)
    turns = [message.text for message in dialogue.messages.filter(role="user").order_by("id")]
    script = RegressionScript(
        name=name,
        module=dialogue.module,
        persona=dialogue.persona,
        scenario=dialogue.scenario,
        turns=turns,
        must_recall=[word for word in must_recall if word.strip()],
        must_not_contain=[word for word in must_not_contain if word.strip()],
        created_by_id=created_by_id,
    )
    script.full_clean()
    script.save()
    return script


async def regression_run(*, script_id: int, generator: TextGenerator, embedder: Embedder | None) -> RegressionOutcome:
    script = await sync_to_async(RegressionScript.objects.select_related("persona", "module").get)(pk=script_id)
    user = await sync_to_async(_throwaway_user)(language="ru" if "ru" in script.persona.languages else "en")
    replies: list[str] = []
    qualities = []
    try:
        start = await sync_to_async(dialogue_start)(
            user_id=user.pk,
            persona_id=script.persona_id,
            module_code=script.module.code,
            scenario_id=script.scenario_id,
        )
        for turn in script.turns:
            result = await reply_compose(
                user_id=user.pk, text=turn, generator=generator, embedder=embedder, viewer=FULL_ACCESS, metered=False
            )
            # Remember now, not whenever a worker gets to it: later turns must be able to recall.
            await sync_to_async(memory_extract_from_message)(message_id=result.user_message_id)
            replies.append(result.text)
            qualities.append(
                reply_quality(result.text, persona_name=script.persona.name, persona_gender=script.persona.gender)
            )
        checks = _checks(script, replies, qualities, greeting=start.greeting)
    finally:
        await sync_to_async(_throwaway_user_delete)(user.pk)
    outcome = RegressionOutcome(
        script_id=script.pk,
        name=script.name,
        persona=script.persona.name,
        passed=all(check.passed for check in checks),
        checks=tuple(checks),
        replies=tuple(replies),
    )
    await sync_to_async(_record)(script.pk, outcome)
    return outcome


def _checks(script: RegressionScript, replies: list[str], qualities, *, greeting: str) -> list[RegressionCheck]:
    everything = "\n".join(replies).casefold()
    checks = [
        RegressionCheck(
            "answered every turn",
            len(replies) == len(script.turns) and all(replies),
            f"{len(replies)}/{len(script.turns)}",
        )
    ]
    for word in script.must_recall:
        checks.append(RegressionCheck(f"recalls «{word}»", word.casefold() in everything))
    for word in script.must_not_contain:
        found = word.casefold() in everything
        checks.append(RegressionCheck(f"never says «{word}»", not found))
    if script.check_persona_name:
        bad = [index + 1 for index, quality in enumerate(qualities) if "wrong_name" in quality.issues]
        checks.append(RegressionCheck(f"stays {script.persona.name}", not bad, f"turns {bad}" if bad else ""))
    return checks


def _throwaway_user(*, language: str) -> TelegramUser:
    return TelegramUser.objects.create(
        telegram_id=-(10**12) - secrets.randbelow(10**9), username="regression", language=language
    )


@transaction.atomic
def _throwaway_user_delete(user_id: int) -> None:
    events_erase_for_user(user_id=user_id)  # a rehearsal is not product usage
    TelegramUser.objects.filter(pk=user_id).delete()


def _record(script_id: int, outcome: RegressionOutcome) -> None:
    RegressionScript.objects.filter(pk=script_id).update(
        last_run_at=timezone.now(),
        last_passed=outcome.passed,
        last_report={
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in outcome.checks],
            "replies": list(outcome.replies),
        },
    )
