"""The reply pipeline shared by the Telegram bot and the admin playground.

reply_compose = reply_prepare (one atomic sync step: safety, store the user's message, build the prompt)
              → generation (async, batched) → cleaning, quality and output check
              → reply_store (one atomic sync step: store the reply, events, schedule memory and summary).
"""

import asyncio
import contextlib
import functools
import time
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from apps.analytics.services import event_track
from apps.billing.services.usage import usage_consume
from apps.conversations import fixed_replies
from apps.conversations.memory import memory_relevant_facts
from apps.conversations.models import Dialogue, Helpline, Message
from apps.conversations.prompt import PersonaCard, PromptInputs, SceneCard, build_prompt
from apps.conversations.quality import QualityReport, fallback_line, reply_clean, reply_quality, turn_stops
from apps.conversations.safety import input_check, output_check, sexual_content_requested
from apps.conversations.services.dialogues import message_store
from apps.conversations.turns import TurnCancelled, TurnInbox
from apps.core.exceptions import InvalidInput, LimitExceeded, NotFound
from apps.core.queue import task_enqueue_on_commit
from apps.growth.services.referrals import referral_first_message_check
from apps.inference.types import ChatMessage, Embedder, GenerationParams, TextGenerator
from apps.personas.models import Module, Persona, Scenario
from apps.personas.selectors import Viewer

MAX_JOINS = 5  # messages joining one turn restart generation at most this often; later ones wait their turn
LENGTH_BUCKETS = ((20, "1-20"), (100, "21-100"), (500, "101-500"), (2000, "501-2000"))


@dataclass(frozen=True)
class PreparedTurn:
    dialogue_id: int
    user_id: int
    user_message_id: int
    persona_id: int
    user_text: str
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
    persona_id: int
    user_text: str  # what the reply answers: the user's message, with any that joined the turn
    reply_message_id: int
    backend: str
    safety: str
    facts_used: tuple[str, ...]
    prompt: tuple[ChatMessage, ...]
    quality: QualityReport | None
    prompt_tokens: int
    completion_tokens: int
    timings_ms: dict = field(default_factory=dict)


async def reply_compose(
    *,
    user_id: int,
    text: str,
    generator: TextGenerator,
    embedder: Embedder | None = None,
    viewer: Viewer | None = None,
    from_voice: bool = False,
    memory_user_id: int | None = None,
    inbox: TurnInbox | None = None,
    metered: bool = True,
) -> ReplyResult:
    """Answer the user's message in their active dialogue. Raises BackendUnavailable when no model can answer
    (the user's message is kept; the caller says "try again"). `memory_user_id` lets the playground borrow
    another user's memory. With an `inbox`, messages that arrive while the reply is generated join this turn
    (generation restarts with them) and a cancel raises TurnCancelled before anything of the reply is stored."""
    started = time.perf_counter()
    options = {
        "generator": generator,
        "embedder": embedder,
        "viewer": viewer,
        "memory_user_id": memory_user_id,
        "metered": metered,
    }
    turn = await sync_to_async(reply_prepare)(user_id=user_id, text=text, from_voice=from_voice, **options)
    joins = 0
    while True:
        prepared = time.perf_counter()
        watch = inbox if joins < MAX_JOINS else None
        outcome = await _generate_watching(turn, generator, watch)
        if outcome is not None:
            break
        if inbox.cancelled:
            raise TurnCancelled
        joined = inbox.take()
        joins += 1
        try:
            turn = await sync_to_async(_after_wait(reply_prepare))(
                user_id=user_id,
                text="\n".join(joined),
                from_voice=False,
                join_message_id=turn.user_message_id,
                **options,
            )
        except (InvalidInput, LimitExceeded):  # too long together, or over today's limit: the next turn instead
            inbox.put_back(joined)
            joins = MAX_JOINS
    reply_text, backend, safety, quality, tokens = outcome
    generated = time.perf_counter()
    reply_id = await sync_to_async(_after_wait(reply_store))(
        turn=turn,
        text=reply_text,
        backend=backend,
        safety=safety,
        quality=quality,
        tokens=tokens,
        latency_ms=int((generated - prepared) * 1000),
    )
    return _result(turn, reply_id, reply_text, backend, safety, quality, tokens, started, prepared, generated)


async def reply_regenerate(
    *,
    user_id: int,
    message_id: int,
    generator: TextGenerator,
    embedder: Embedder | None = None,
    viewer: Viewer | None = None,
) -> ReplyResult:
    """The "another answer" button: a fresh reply to the same user message, replacing the latest reply."""
    started = time.perf_counter()
    turn = await sync_to_async(reply_prepare_again)(
        user_id=user_id, message_id=message_id, generator=generator, embedder=embedder, viewer=viewer
    )
    prepared = time.perf_counter()
    reply_text, backend, safety, quality, tokens = await _generate_watching(turn, generator, None)
    generated = time.perf_counter()
    await sync_to_async(_after_wait(reply_replace))(
        turn=turn,
        message_id=message_id,
        text=reply_text,
        backend=backend,
        safety=safety,
        quality=quality,
        tokens=tokens,
        latency_ms=int((generated - prepared) * 1000),
    )
    return _result(turn, message_id, reply_text, backend, safety, quality, tokens, started, prepared, generated)


def _after_wait(service):
    """`service` on a connection checked first. Generation can outlast the database connection (a restart, a
    failover, an idle timeout): with CONN_HEALTH_CHECKS Django then reconnects before the next query instead of
    failing a turn whose reply is ready. Never inside a caller's transaction (a test's, ATOMIC_REQUESTS)."""

    @functools.wraps(service)
    def run(**kwargs):
        if connection.health_check_enabled and not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # the next query checks the connection first
        return service(**kwargs)

    return run


def _result(turn, reply_id, text, backend, safety, quality, tokens, started, prepared, generated) -> ReplyResult:
    return ReplyResult(
        text=text,
        dialogue_id=turn.dialogue_id,
        user_message_id=turn.user_message_id,
        persona_id=turn.persona_id,
        user_text=turn.user_text,
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
    join_message_id: int | None = None,
    metered: bool = True,
) -> PreparedTurn:
    """Store the user's message (or append it to `join_message_id`, the turn it joins) and build the turn."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(code="empty_message")
    dialogue = _active_dialogue_locked(user_id)
    if metered and not usage_consume(user_id=user_id, counter="messages"):
        raise _over_quota()  # the caller shows the paywall (and records it)
    if join_message_id is None:
        if len(text) > settings.MESSAGE_MAX_CHARS:
            raise _too_long()
        user_message = message_store(dialogue, Message.Role.USER, text, from_voice=from_voice)
    else:
        user_message = Message.objects.get(pk=join_message_id, dialogue=dialogue, role=Message.Role.USER)
        joined = f"{user_message.text}\n{text}"
        if len(joined) > settings.MESSAGE_MAX_CHARS:
            raise _too_long()
        user_message.text = joined
        user_message.save(update_fields=["text"])
    event_track(
        name="message_sent",
        user_id=user_id,
        properties={"persona_id": dialogue.persona_id, "module": dialogue.module.code if dialogue.module else None,
                    "from_voice": from_voice, "length": length_bucket(text), "joined": join_message_id is not None},
        source="bot",
    )  # fmt: skip
    referral_first_message_check(user_id=user_id)  # an invited user's first message rewards their friend
    return _turn_for(dialogue, user_message, generator, embedder, viewer, memory_user_id)


@transaction.atomic
def reply_prepare_again(
    *, user_id: int, message_id: int, generator: TextGenerator, embedder: Embedder | None, viewer: Viewer | None
) -> PreparedTurn:
    """The turn behind the persona's latest reply `message_id`, rebuilt to answer it anew."""
    dialogue = _active_dialogue_locked(user_id)
    latest = Message.objects.filter(dialogue=dialogue).order_by("-id").first()
    if latest is None or latest.pk != message_id or latest.role != Message.Role.ASSISTANT:
        raise InvalidInput(gettext_lazy("I can only rewrite my latest answer."), code="not_the_latest_reply")
    user_message = (
        Message.objects.filter(dialogue=dialogue, role=Message.Role.USER, pk__lt=message_id).order_by("-id").first()
    )
    if user_message is None:  # a greeting has nothing to answer
        raise InvalidInput(gettext_lazy("I can only rewrite my latest answer."), code="not_the_latest_reply")
    return _turn_for(dialogue, user_message, generator, embedder, viewer, None)  # history stops before it


def length_bucket(text: str) -> str:
    """Message length for analytics without the message: a coarse range."""
    for limit, label in LENGTH_BUCKETS:
        if len(text) <= limit:
            return label
    return f"{LENGTH_BUCKETS[-1][0] + 1}+"


def _over_quota() -> LimitExceeded:
    text = gettext_lazy("That's all the messages for today — more tomorrow, or without limits with PRO: /subscribe")
    return LimitExceeded(text, code="message_quota")


def _too_long() -> InvalidInput:
    # Lazy: the bot renders it in the user's language, not the one active where it was raised.
    text = format_lazy(
        gettext_lazy("That message is too long for me: up to {limit} characters, please."),
        limit=settings.MESSAGE_MAX_CHARS,
    )
    return InvalidInput(text, code="message_too_long")


def _active_dialogue_locked(user_id: int) -> Dialogue:
    dialogue = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("user", "persona", "module", "scenario", "summary")  # one query for the whole turn
        .filter(user_id=user_id, is_active=True)
        .first()
    )
    if dialogue is None or dialogue.persona is None:
        raise NotFound(code="no_active_dialogue")
    return dialogue


def _turn_for(
    dialogue: Dialogue,
    user_message: Message,
    generator: TextGenerator,
    embedder: Embedder | None,
    viewer: Viewer | None,
    memory_user_id: int | None,
) -> PreparedTurn:
    """Safety first, then the prompt: the persona's answer to `user_message` given everything before it."""
    user = dialogue.user
    persona, module, language, user_id = dialogue.persona, dialogue.module, user.language, user.pk
    text = user_message.text
    viewer = viewer or Viewer(language=language, is_beta_tester=user.is_beta_tester)
    base = {
        "dialogue_id": dialogue.pk,
        "user_id": user_id,
        "user_message_id": user_message.pk,
        "persona_id": persona.pk,
        "user_text": text,
        "language": language,
        "persona_name": persona.name,
        "persona_gender": persona.gender,
        "user_name": user.first_name,
    }

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
    message = message_store(
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

        # Never fails the turn: with the broker down the tasks wait in the database (apps.core.queue).
        task_enqueue_on_commit(memory_extract, turn.user_message_id)
        if Message.objects.filter(dialogue=dialogue).count() % (2 * settings.DIALOGUE_SUMMARY_EVERY) == 0:
            task_enqueue_on_commit(dialogue_summary_refresh, dialogue.pk)
    return message.pk


@transaction.atomic
def reply_replace(
    *,
    turn: PreparedTurn,
    message_id: int,
    text: str,
    backend: str,
    safety: str,
    quality: QualityReport | None,
    tokens,
    latency_ms: int,
) -> None:
    """Put the regenerated reply in place of the old one (its rating no longer applies)."""
    Dialogue.objects.select_for_update().get(pk=turn.dialogue_id)
    message = Message.objects.get(pk=message_id, dialogue_id=turn.dialogue_id, role=Message.Role.ASSISTANT)
    message.text, message.backend, message.safety, message.rating = text, backend, safety, None
    message.quality_score = quality.score if quality else None
    message.prompt_tokens, message.completion_tokens, message.latency_ms = tokens[0], tokens[1], latency_ms
    message.full_clean()
    message.save()
    event_track(
        name="reply_regenerated",
        user_id=turn.user_id,
        properties={"backend": backend, "latency_ms": latency_ms, "safety": safety or None},
        source="bot",
    )


async def _generate_watching(turn: PreparedTurn, generator: TextGenerator, inbox: TurnInbox | None):
    """The turn's reply: its fixed one (crisis, refusal), or _generate's, abandoned (None) as soon as the inbox
    changes — a joined message or a cancel."""
    if turn.immediate_reply:
        return turn.immediate_reply, "", turn.safety, None, (0, 0)
    if inbox is None:
        return await _generate(turn, generator)
    if inbox.changed.is_set():
        return None
    generation = asyncio.ensure_future(_generate(turn, generator))
    change = asyncio.ensure_future(inbox.changed.wait())
    try:
        await asyncio.wait({generation, change}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        change.cancel()
    if generation.done():
        return generation.result()
    generation.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await generation
    return None


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
