"""Assemble what the model reads, within a token budget measured with the model's own tokenizer.

Order of importance when space runs out: the persona and module instructions and the user's new message
always fit; then the core facts (name, pinned); then the rolling summary; then as many recent turns as fit,
newest first; then the other relevant facts; example dialogues only while the history is short.
Creator notes, tags, creator and version never reach the prompt.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.core.exceptions import InvalidInput
from apps.inference.types import ChatMessage

PLACEHOLDER = re.compile(r"\{\{\s*(char|user)\s*\}\}", re.IGNORECASE)
EXAMPLES_WHILE_TURNS_BELOW = 6  # after a few real turns, the history itself shows the voice


@dataclass(frozen=True)
class PersonaCard:
    name: str
    description: str = ""
    personality: str = ""
    scenario: str = ""
    example_dialogues: str = ""
    system_prompt: str = ""
    post_history_instructions: str = ""
    gender: str = "female"


@dataclass(frozen=True)
class SceneCard:
    title: str
    situation: str
    first_line: str


@dataclass(frozen=True)
class FactLine:
    id: int
    text: str
    core: bool  # name, pinned and similar: always included


@dataclass(frozen=True)
class PromptInputs:
    module_template: str
    persona: PersonaCard
    user_name: str
    language: str
    history: Sequence[ChatMessage]  # earlier turns, oldest first
    user_message: str
    facts: Sequence[FactLine] = ()  # ordered by relevance
    summary: str = ""
    scene: SceneCard | None = None


@dataclass(frozen=True)
class BuiltPrompt:
    messages: list[ChatMessage]
    tokens: int
    facts_used: tuple[int, ...]
    turns_used: int
    summary_used: bool
    examples_used: bool
    dropped: dict = field(default_factory=dict)  # what did not fit: {"turns": n, "facts": n}


def fill_placeholders(text: str, *, char: str, user: str) -> str:
    return PLACEHOLDER.sub(lambda match: char if match.group(1).lower() == "char" else user, text)


def _latest_turns_that_fit(turns: list[ChatMessage], fits: Callable[[list[ChatMessage]], bool]) -> list[ChatMessage]:
    """The longest tail of `turns` that fits, by binary search: counting tokens renders and tokenizes the whole
    prompt, and adding one turn at a time would do that once per turn of history on every message."""
    if fits(turns):
        return turns
    fitting, too_many = 0, len(turns)  # the latest `fitting` turns fit; the latest `too_many` do not
    while too_many - fitting > 1:
        middle = (fitting + too_many) // 2
        if fits(turns[len(turns) - middle :]):
            fitting = middle
        else:
            too_many = middle
    return turns[len(turns) - fitting :] if fitting else []


def build_prompt(inputs: PromptInputs, *, budget: int, count_tokens: Callable[[list[ChatMessage]], int]) -> BuiltPrompt:
    persona, user = inputs.persona, inputs.user_name or ("собеседник" if inputs.language == "ru" else "friend")

    def fill(text: str) -> str:
        return fill_placeholders(text, char=persona.name, user=user)

    core_facts = [fact for fact in inputs.facts if fact.core]
    other_facts = [fact for fact in inputs.facts if not fact.core]
    chosen_turns: list[ChatMessage] = []
    facts = list(core_facts)
    summary = inputs.summary
    examples = len(inputs.history) < EXAMPLES_WHILE_TURNS_BELOW and bool(persona.example_dialogues.strip())

    def assemble() -> list[ChatMessage]:
        system = _system_text(inputs, fill, facts, summary, examples)
        return [ChatMessage("system", system), *chosen_turns, ChatMessage("user", inputs.user_message)]

    # The essentials must fit; if even they do not, drop the optional parts before giving up.
    if count_tokens(assemble()) > budget:
        facts, summary, examples = [], "", False
        if count_tokens(assemble()) > budget:
            raise InvalidInput(_("The message is too long for me to read at once. Could you split it up?"))
    chosen_turns[:] = _latest_turns_that_fit(
        [ChatMessage(turn.role, fill(turn.content)) for turn in inputs.history],
        lambda turns: count_tokens([assemble()[0], *turns, ChatMessage("user", inputs.user_message)]) <= budget,
    )
    for fact in other_facts:
        facts.append(fact)
        if count_tokens(assemble()) > budget:
            facts.pop()
            break
    if examples and count_tokens(assemble()) > budget:
        examples = False
    messages = assemble()
    return BuiltPrompt(
        messages=messages,
        tokens=count_tokens(messages),
        facts_used=tuple(fact.id for fact in facts),
        turns_used=len(chosen_turns),
        summary_used=bool(summary),
        examples_used=examples,
        dropped={"turns": len(inputs.history) - len(chosen_turns), "facts": len(inputs.facts) - len(facts)},
    )


def _system_text(inputs: PromptInputs, fill, facts: list[FactLine], summary: str, examples: bool) -> str:
    persona = inputs.persona
    russian = inputs.language == "ru"
    parts = [fill(inputs.module_template.strip())]
    if persona.system_prompt.strip():
        parts.append(fill(persona.system_prompt.strip()))
    card = [
        (("Кто ты" if russian else "Who you are"), persona.description),
        (("Характер" if russian else "Personality"), persona.personality),
        (("Ситуация" if russian else "Situation"), persona.scenario),
    ]
    parts += [f"{label}: {fill(value.strip())}" for label, value in card if value.strip()]
    if inputs.scene:
        label = "Сцена" if russian else "Scene"
        parts.append(f"{label} «{inputs.scene.title}»: {fill(inputs.scene.situation.strip())}")
    if facts:
        label = (
            f"Что ты помнишь о {inputs.user_name}"
            if russian and inputs.user_name
            else ("Что ты знаешь о собеседнике" if russian else "What you know about the user")
        )
        parts.append(label + ":\n" + "\n".join(f"- {fact.text}" for fact in facts))
    if summary:
        parts.append(("Раньше в разговоре" if russian else "Earlier in the conversation") + f": {summary.strip()}")
    if examples:
        parts.append(("Пример того, как ты говоришь" if russian else "How you talk") + ":\n" + _examples(persona, fill))
    if persona.post_history_instructions.strip():
        parts.append(fill(persona.post_history_instructions.strip()))
    return "\n\n".join(part for part in parts if part)


def _examples(persona: PersonaCard, fill) -> str:
    blocks = [block.strip() for block in re.split(r"<START>", persona.example_dialogues, flags=re.IGNORECASE)]
    return "\n\n".join(fill(block) for block in blocks if block)
