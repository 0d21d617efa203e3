import pytest

from apps.conversations.prompt import FactLine, PersonaCard, PromptInputs, build_prompt, fill_placeholders
from apps.core.exceptions import InvalidInput
from apps.inference.types import ChatMessage


def words(messages: list[ChatMessage]) -> int:
    """A stand-in tokenizer: one token per whitespace-separated word."""
    return sum(len(message.content.split()) + 1 for message in messages)


PERSONA = PersonaCard(
    name="Кайли",
    description="Танцовщица из Сочи, дружит с {{user}}.",
    personality="Тёплая.",
    example_dialogues="<START>\n{{user}}: Привет\n{{CHAR}}: Привет, {{User}}!",
)


def inputs(**overrides) -> PromptInputs:
    fields = {
        "module_template": "You are {{char}}, a friend of {{user}}.",
        "persona": PERSONA,
        "user_name": "Анна",
        "language": "ru",
        "history": [],
        "user_message": "Как дела?",
    }
    return PromptInputs(**{**fields, **overrides})


def test_placeholders_are_filled_whatever_their_case():
    assert fill_placeholders("{{char}} & {{ USER }} & {{Char}}", char="Кайли", user="Анна") == "Кайли & Анна & Кайли"


def test_prompt_has_system_history_and_the_new_message_with_names_filled():
    built = build_prompt(
        inputs(history=[ChatMessage("assistant", "Привет, {{user}}!")]), budget=500, count_tokens=words
    )

    assert [message.role for message in built.messages] == ["system", "assistant", "user"]
    assert built.messages[1].content == "Привет, Анна!"
    assert "You are Кайли, a friend of Анна." in built.messages[0].content
    assert "{{" not in built.messages[0].content


def test_examples_are_shown_only_while_the_history_is_short():
    short = build_prompt(inputs(), budget=500, count_tokens=words)
    long_history = [ChatMessage("user" if n % 2 else "assistant", f"реплика {n}") for n in range(10)]
    long = build_prompt(inputs(history=long_history), budget=500, count_tokens=words)

    assert short.examples_used
    assert "Привет, Анна!" in short.messages[0].content
    assert not long.examples_used


def test_budget_keeps_the_newest_turns_and_drops_the_oldest():
    history = [ChatMessage("user" if n % 2 else "assistant", f"реплика номер {n}") for n in range(30)]

    built = build_prompt(inputs(history=history), budget=80, count_tokens=words)

    assert built.tokens <= 80
    assert built.messages[-2].content == "реплика номер 29"
    assert 0 < built.turns_used < 30
    assert built.dropped["turns"] == 30 - built.turns_used


def test_core_facts_always_fit_and_others_follow_by_relevance():
    facts = [
        FactLine(1, "Зовут Анна", core=True),
        FactLine(2, "Есть кот Барсик", core=False),
        FactLine(3, "Любит джаз", core=False),
    ]

    roomy = build_prompt(inputs(facts=facts), budget=500, count_tokens=words)
    tight = build_prompt(inputs(facts=facts), budget=words(roomy.messages) - 3, count_tokens=words)

    assert roomy.facts_used == (1, 2, 3)
    assert 1 in tight.facts_used
    assert 3 not in tight.facts_used


def test_summary_goes_into_the_system_message():
    built = build_prompt(inputs(summary="Анна рассказала про экзамен."), budget=500, count_tokens=words)

    assert built.summary_used
    assert "Анна рассказала про экзамен." in built.messages[0].content


def test_a_message_too_long_for_any_prompt_is_a_clear_error():
    with pytest.raises(InvalidInput):
        build_prompt(inputs(user_message="слово " * 500), budget=100, count_tokens=words)
