"""The reply pipeline shared by the Telegram bot and the admin playground.

reply_compose = reply_prepare (one atomic sync step: safety, store the user's message, build the prompt)
              → generation (async, batched) → cleaning, quality and output check
              → reply_store (one atomic sync step: store the reply, events, schedule memory and summary).
"""

import time
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.analytics.services import event_track
from apps.conversations import fixed_replies
from apps.conversations.memory import memory_relevant_facts
from apps.conversations.models import Dialogue, Helpline, Message
from apps.conversations.prompt import PersonaCard, PromptInputs, SceneCard, build_prompt, fill_placeholders
from apps.conversations.quality import QualityReport, fallback_line, reply_clean, reply_quality, turn_stops
from apps.conversations.safety import input_check, output_check, sexual_content_requested
from apps.core.exceptions import InvalidInput, NotFound
from apps.inference.types import ChatMessage, Embedder, GenerationParams, TextGenerator
from apps.personas.models import Module, Persona, Scenario
from apps.personas.selectors import Viewer

MAX_MESSAGE_CHARS = 4096  # Telegram's own limit for one message


@dataclass(frozen=True)
class PreparedTurn:
    dialogue_id: int
    user_id: int
    user_message_id: int
    language: str
    persona_name: str
    persona_gender: str
    user_name: str
    messages: tuple[ChatMessage, ...] = ()
    prompt_tokens: int = 0
    facts_used: tuple[str, ...] = ()
    immediate_reply: str = ""  # set when no generation is needed (crisis, refusal)
    safety: str = ""


@dataclass(frozen=True)
class ReplyResult:
    text: str
    dialogue_id: int
    user_message_id: int
    reply_message_id: int
    backend: str
    safety: str
    facts_used: tuple[str, ...]
    prompt: tuple[ChatMessage, ...]
    quality: QualityReport | None
    prompt_tokens: int
    completion_tokens: int
    timings_ms: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DialogueStart:
    dialogue_id: int
    greeting: str
    resumed: bool


async def reply_compose(
    *,
    user_id: int,
    text: str,
    generator: TextGenerator,
    embedder: Embedder | None = None,
    viewer: Viewer | None = None,
    from_voice: bool = False,
    memory_user_id: int | None = None,
) -> ReplyResult:
    """Answer the user's message in their active dialogue. Raises BackendUnavailable when no model can answer
    (the user's message is kept; the caller says "try again"). `memory_user_id` lets the playground borrow
    another user's memory."""
    started = time.perf_counter()
    turn = await sync_to_async(reply_prepare)(
        user_id=user_id,
        text=text,
        generator=generator,
        embedder=embedder,
        viewer=viewer,
        from_voice=from_voice,
        memory_user_id=memory_user_id,
    )
    prepared = time.perf_counter()
    if turn.immediate_reply:
        reply_text, backend, safety, quality, tokens = turn.immediate_reply, "", turn.safety, None, (0, 0)
    else:
        reply_text, backend, safety, quality, tokens = await _generate(turn, generator)
    generated = time.perf_counter()
    reply_id = await sync_to_async(reply_store)(
        turn=turn,
        text=reply_text,
        backend=backend,
        safety=safety,
        quality=quality,
        tokens=tokens,
        latency_ms=int((generated - prepared) * 1000),
    )
    return ReplyResult(
        text=reply_text,
        dialogue_id=turn.dialogue_id,
        user_message_id=turn.user_message_id,
        reply_message_id=reply_id,
        backend=backend,
        safety=safety,
        facts_used=turn.facts_used,
        prompt=turn.messages,
        quality=quality,
        prompt_tokens=tokens[0],
        completion_tokens=tokens[1],
        timings_ms={
            "prepare": round((prepared - started) * 1000, 1),
            "generate": round((generated - prepared) * 1000, 1),
            "total": round((time.perf_counter() - started) * 1000, 1),
        },
    )


@transaction.atomic
def reply_prepare(
    *,
    user_id: int,
    text: str,
    generator: TextGenerator,
    embedder: Embedder | None,
    viewer: Viewer | None,
    from_voice: bool,
    memory_user_id: int | None = None,
) -> PreparedTurn:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(code="empty_message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(code="message_too_long")
    user = TelegramUser.objects.get(pk=user_id)
    dialogue = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("persona", "module", "scenario")
        .filter(user_id=user_id, is_active=True)
        .first()
    )
    if dialogue is None or dialogue.persona is None:
        raise NotFound(code="no_active_dialogue")
    persona, module, language = dialogue.persona, dialogue.module, user.language
    viewer = viewer or Viewer(language=language, is_beta_tester=user.is_beta_tester)
    user_message = _store_message(dialogue, Message.Role.USER, text, from_voice=from_voice)
    base = {
        "dialogue_id": dialogue.pk,
        "user_id": user_id,
        "user_message_id": user_message.pk,
        "language": language,
        "persona_name": persona.name,
        "persona_gender": persona.gender,
        "user_name": user.first_name,
    }
    event_track(
        name="message_sent",
        user_id=user_id,
        properties={"persona_id": persona.pk, "module": module.code if module else None, "from_voice": from_voice,
                    "text_length": len(text)},
        source="bot",
    )  # fmt: skip

    verdict = input_check(text)
    if verdict.kind == "crisis":
        event_track(
            name="safety_crisis", user_id=user_id, properties={"category": verdict.category, "rule": verdict.rule}
        )
        helplines = [(line.phone, line.name(language)) for line in Helpline.objects.filter(is_active=True)]
        reply = fixed_replies.crisis_reply(language=language, helplines=helplines)
        return PreparedTurn(**base, immediate_reply=reply, safety=Message.Safety.CRISIS)
    if verdict.kind == "minor_sexual":
        event_track(
            name="safety_refused", user_id=user_id, properties={"category": verdict.category, "rule": verdict.rule}
        )
        return PreparedTurn(
            **base, immediate_reply=fixed_replies.refusal_reply(language=language), safety=Message.Safety.REFUSED
        )
    if sexual_content_requested(text) and not _adult_allowed(persona, module, viewer):
        event_track(name="adult_declined", user_id=user_id, properties={"persona_id": persona.pk})
        return PreparedTurn(
            **base,
            immediate_reply=fixed_replies.adult_decline_reply(language=language),
            safety=Message.Safety.DECLINED_ADULT,
        )

    history = list(
        Message.objects.filter(dialogue=dialogue, pk__lt=user_message.pk).order_by("-id")[
            : settings.DIALOGUE_HISTORY_TURNS
        ]
    )[::-1]
    facts = memory_relevant_facts(
        user_id=memory_user_id or user_id, persona_id=persona.pk, query=text, embedder=embedder
    )
    summary = getattr(dialogue, "summary", None)
    inputs = PromptInputs(
        module_template=module.system_prompt_template if module else "",
        persona=_persona_card(persona),
        user_name=user.first_name,
        language=language,
        history=[ChatMessage(message.role, message.text) for message in history],
        user_message=text,
        facts=facts,
        summary=summary.text if summary else "",
        scene=_scene_card(dialogue.scenario, language),
    )
    budget = _prompt_budget(generator)
    built = build_prompt(inputs, budget=budget, count_tokens=generator.count_tokens)
    used = {fact.id: fact.text for fact in facts}
    return PreparedTurn(
        **base,
        messages=tuple(built.messages),
        prompt_tokens=built.tokens,
        facts_used=tuple(used[fact_id] for fact_id in built.facts_used),
    )


@transaction.atomic
def reply_store(
    *, turn: PreparedTurn, text: str, backend: str, safety: str, quality: QualityReport | None, tokens, latency_ms: int
) -> int:
    dialogue = Dialogue.objects.select_for_update().get(pk=turn.dialogue_id)
    message = _store_message(
        dialogue,
        Message.Role.ASSISTANT,
        text,
        backend=backend,
        safety=safety,
        quality_score=quality.score if quality else None,
        prompt_tokens=tokens[0],
        completion_tokens=tokens[1],
        latency_ms=latency_ms,
    )
    event_track(
        name="reply_sent",
        user_id=turn.user_id,
        properties={"backend": backend, "latency_ms": latency_ms, "safety": safety or None,
                    "quality_score": quality.score if quality else None, "reply_tokens": tokens[1]},
        source="bot",
    )  # fmt: skip
    if safety != Message.Safety.CRISIS:
        from apps.conversations.tasks import dialogue_summary_refresh, memory_extract  # tasks import services

        user_message_id, dialogue_id = turn.user_message_id, dialogue.pk
        transaction.on_commit(lambda: memory_extract.delay(user_message_id))
        if Message.objects.filter(dialogue=dialogue).count() % (2 * settings.DIALOGUE_SUMMARY_EVERY) == 0:
            transaction.on_commit(lambda: dialogue_summary_refresh.delay(dialogue_id))
    return message.pk


@transaction.atomic
def dialogue_start(*, user_id: int, persona_id: int, module_code: str, scenario_id: int | None = None) -> DialogueStart:
    """Make this persona the user's current dialogue (resuming an earlier one) and return what it says first."""
    user = TelegramUser.objects.select_for_update().get(pk=user_id)
    persona = Persona.objects.get(pk=persona_id)
    module = Module.objects.get(code=module_code)
    Dialogue.objects.filter(user=user, is_active=True).exclude(persona=persona, module=module).update(is_active=False)
    dialogue = Dialogue.objects.filter(user=user, persona=persona, module=module).order_by("-id").first()
    resumed = dialogue is not None
    if dialogue is None:
        dialogue = Dialogue.objects.create(user=user, persona=persona, module=module)
    scenario = Scenario.objects.filter(pk=scenario_id).first() if scenario_id else None
    dialogue.is_active = True
    dialogue.scenario = scenario
    dialogue.save(update_fields=["is_active", "scenario", "updated_at"])
    user_name = user.first_name or ("друг" if user.language == "ru" else "friend")
    if scenario:
        greeting = fill_placeholders(scenario.first_line, char=persona.name, user=user_name)
    elif not resumed:
        greeting = fill_placeholders(persona.first_message or "", char=persona.name, user=user_name)
    else:
        greeting = ""
    if greeting:
        _store_message(dialogue, Message.Role.ASSISTANT, greeting)
    event_track(
        name="dialogue_started",
        user_id=user.pk,
        properties={"persona_id": persona.pk, "module": module.code, "scenario_id": scenario_id, "resumed": resumed},
        source="bot",
    )
    return DialogueStart(dialogue_id=dialogue.pk, greeting=greeting, resumed=resumed)


@transaction.atomic
def dialogue_new(*, user_id: int) -> DialogueStart:
    """/new: a fresh dialogue with the same persona (the old one stays; memory is kept)."""
    current = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("module")
        .filter(user_id=user_id, is_active=True)
        .first()
    )
    if current is None or current.persona_id is None or current.module is None:
        raise NotFound(code="no_active_dialogue")
    current.is_active = False
    current.save(update_fields=["is_active", "updated_at"])
    fresh = Dialogue.objects.create(user_id=user_id, persona_id=current.persona_id, module=current.module)
    persona = Persona.objects.get(pk=current.persona_id)
    user = TelegramUser.objects.get(pk=user_id)
    greeting = fill_placeholders(persona.first_message or "", char=persona.name, user=user.first_name or "")
    if greeting:
        _store_message(fresh, Message.Role.ASSISTANT, greeting)
    event_track(name="dialogue_renewed", user_id=user_id, properties={"persona_id": persona.pk}, source="bot")
    return DialogueStart(dialogue_id=fresh.pk, greeting=greeting, resumed=False)


@transaction.atomic
def message_rate(*, user_id: int, message_id: int, rating: int) -> None:
    """The user's 👍 (1) or 👎 (-1) on one of the persona's replies."""
    if rating not in (1, -1):
        raise InvalidInput(code="bad_rating")
    updated = Message.objects.filter(pk=message_id, dialogue__user_id=user_id, role=Message.Role.ASSISTANT).update(
        rating=rating
    )
    if not updated:
        raise NotFound(code="message_not_found")
    event_track(
        name="reply_rated", user_id=user_id, properties={"rating": rating, "message_id": message_id}, source="bot"
    )


async def _generate(turn: PreparedTurn, generator: TextGenerator):
    """Generate, clean and score; one more try, a little bolder, when the reply is empty or breaks character.

    The better of the two goes out. A reply that is still empty, or still claims another name (or to be an
    AI), is replaced by a graceful line in character; then the output check has the last word.
    """
    stops = turn_stops(persona_name=turn.persona_name, user_name=turn.user_name)
    attempts = (
        GenerationParams(max_new_tokens=settings.DIALOGUE_MAX_NEW_TOKENS, temperature=0.8, top_p=0.95, stop=stops),
        GenerationParams(
            max_new_tokens=settings.DIALOGUE_MAX_NEW_TOKENS, temperature=1.0, top_p=0.9, top_k=60, stop=stops
        ),
    )
    candidates = []
    for params in attempts:
        reply = await generator.generate(list(turn.messages), params)
        text = reply_clean(
            reply.text,
            persona_name=turn.persona_name,
            user_name=turn.user_name,
            truncated=reply.finish_reason == "length",
        )
        quality = reply_quality(
            text,
            persona_name=turn.persona_name,
            persona_gender=turn.persona_gender,
            user_name=turn.user_name,
            raw=reply.text,
        )
        candidates.append((text, quality, reply))
        if text and quality.ok:
            break
    text, quality, reply = max(candidates, key=lambda candidate: (bool(candidate[0]), candidate[1].score))
    tokens = (reply.prompt_tokens, reply.completion_tokens)
    if not text or "wrong_name" in quality.issues:
        line = fallback_line(persona_gender=turn.persona_gender, language=turn.language, seed=turn.user_message_id)
        return line, reply.backend, Message.Safety.FALLBACK, quality, tokens
    verdict = output_check(text)
    if not verdict.ok:
        await sync_to_async(event_track)(
            name="safety_output_replaced",
            user_id=turn.user_id,
            properties={"category": verdict.category, "rule": verdict.rule},
        )
        replacement = fixed_replies.safe_replacement_reply(language=turn.language)
        return replacement, reply.backend, Message.Safety.OUTPUT_REPLACED, quality, tokens
    return text, reply.backend, "", quality, tokens


def _adult_allowed(persona: Persona, module: Module | None, viewer: Viewer) -> bool:
    return bool(persona.is_adult and module and module.allows_adult and viewer.adult_confirmed and viewer.has_pro)


def _prompt_budget(generator: TextGenerator) -> int:
    context = getattr(getattr(generator, "manifest", None), "context_length", 0) or 0
    budget = settings.DIALOGUE_PROMPT_BUDGET
    return min(budget, context - settings.DIALOGUE_MAX_NEW_TOKENS) if context else budget


def _persona_card(persona: Persona) -> PersonaCard:
    return PersonaCard(
        name=persona.name,
        description=persona.description,
        personality=persona.personality,
        scenario=persona.scenario,
        example_dialogues=persona.example_dialogues,
        system_prompt=persona.system_prompt,
        post_history_instructions=persona.post_history_instructions,
        gender=persona.gender,
    )


def _scene_card(scenario: Scenario | None, language: str) -> SceneCard | None:
    if scenario is None:
        return None
    return SceneCard(title=scenario.title(language), situation=scenario.situation, first_line=scenario.first_line)


def _store_message(dialogue: Dialogue, role: str, text: str, **fields) -> Message:
    message = Message(dialogue=dialogue, role=role, text=text, **fields)
    message.full_clean()
    message.save()
    dialogue.last_message_at = timezone.now()
    dialogue.save(update_fields=["last_message_at", "updated_at"])
    return message
