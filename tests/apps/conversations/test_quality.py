import pytest

from apps.conversations.quality import (
    ISSUE_CODES,
    TEMPLATE_TOKENS,
    QualityReport,
    fallback_line,
    reply_clean,
    reply_quality,
    turn_stops,
)

KYLIE, MARK, USER = "Кайли", "Марк", "Вася"
LONG_TEXT = " ".join(f"Предложение номер {number}." for number in range(100))


def clean(text: str, **kwargs) -> str:
    return reply_clean(text, persona_name=kwargs.pop("persona_name", KYLIE), user_name=USER, **kwargs)


def quality(text: str, *, gender: str = "female", persona: str = KYLIE, raw: str | None = None) -> QualityReport:
    return reply_quality(text, persona_name=persona, persona_gender=gender, user_name=USER, raw=raw)


CLEANING_CASES = [
    # role prefixes
    ("persona_prefix", "Кайли: Привет! Как ты?", "Привет! Как ты?"),
    ("persona_prefix_lowercase", "кайли:Привет!", "Привет!"),
    ("bold_prefix_colon_inside", "**Кайли:** Привет!", "Привет!"),
    ("bold_prefix_colon_outside", "**Кайли**: Привет!", "Привет!"),
    ("bracketed_prefix", "[Кайли]: Привет!", "Привет!"),
    ("assistant_prefix", "Assistant: Hi there!", "Hi there!"),
    ("russian_assistant_prefix", "Ассистент: Привет, рада тебя слышать!", "Привет, рада тебя слышать!"),
    ("ai_prefix", "AI: Hello!", "Hello!"),
    ("stacked_prefixes", "Assistant: Кайли: Привет!", "Привет!"),
    ("prefix_on_its_own_line", "Кайли:\nПривет!", "Привет!"),
    # template tokens
    ("chatml", "<|im_start|>assistant\nПривет!<|im_end|>\n<|im_start|>user\nа ты?<|im_end|>", "Привет!"),
    ("chatml_end_only", "Привет! Как дела?<|im_end|>", "Привет! Как дела?"),
    ("smollm_endoftext", "Привет!<|endoftext|>", "Привет!"),
    (
        "llama3",
        "<|start_header_id|>assistant<|end_header_id|>\n\nПривет! Как ты?<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nНорм",
        "Привет! Как ты?",
    ),
    ("gemma", "<start_of_turn>model\nПривет!<end_of_turn>\n<start_of_turn>user\nа ты?", "Привет!"),
    ("mistral", "Привет! Как дела?</s>[INST] норм [/INST] Отлично!", "Привет! Как дела?"),
    ("mistral_leading_inst_close", "[/INST] Привет!", "Привет!"),
    ("alpaca_header", "### Response:\nПривет!", "Привет!"),
    ("alpaca_next_instruction", "Привет!\n### Instruction:\nещё", "Привет!"),
    ("unknown_special_token", "Привет!<|reserved_special_token_3|>", "Привет!"),
    ("partial_token_at_the_end", "Привет!<|im_", "Привет!"),
    ("leading_bos", "<s> Привет!", "Привет!"),
    # the model writing the next turn
    ("user_line", "Привет!\nUser: а ты?\nКайли: я тоже", "Привет!"),
    ("lowercase_user_line", "Привет!\nuser: а ты?", "Привет!"),
    ("russian_user_line", "Привет!\nПользователь: а ты?", "Привет!"),
    ("user_name_line", "Привет!\nВася: а ты?", "Привет!"),
    ("human_line", "Hi!\nHuman: and you?", "Hi!"),
    ("bold_user_line", "Привет!\n**User:** а ты?", "Привет!"),
    ("own_next_turn", "Привет!\nКайли: ещё раз привет!", "Привет!"),
    ("assistant_after_content", "Привет!\nAssistant: снова я", "Привет!"),
    ("starts_with_users_turn", "User: а ты?\nКайли: Привет!", ""),
    ("starts_with_users_template_turn", "<|im_start|>user\nа ты?<|im_end|>", ""),
    # repetition and loops
    ("repeated_sentence", "Я тебя люблю. Как дела? Я тебя люблю.", "Я тебя люблю. Как дела?"),
    ("repeated_sentence_other_case", "Привет, солнышко! ПРИВЕТ,   солнышко!", "Привет, солнышко!"),
    ("repeated_line", "Я скучала по тебе.\nЯ скучала по тебе.\nПриходи скорее!", "Я скучала по тебе.\nПриходи скорее!"),
    ("short_interjections_kept", "Ой! Ха! Ой!", "Ой! Ха! Ой!"),
    ("phrase_loop", "я тебя люблю я тебя люблю я тебя люблю", "я тебя люблю"),
    ("phrase_loop_keeps_last_punctuation", "Я тебя люблю, я тебя люблю, я тебя люблю!", "Я тебя люблю!"),
    ("phrase_said_twice_is_not_a_loop", "ну да ну да, конечно", "ну да ну да, конечно"),
    ("word_loop_capped_at_three", "нет нет нет нет нет нет", "нет нет нет"),
    ("short_laugh_kept", "ха-ха-ха-ха-ха, смешно!", "ха-ха-ха-ха-ха, смешно!"),
    ("long_laugh_capped", "ха-ха-ха-ха-ха-ха-ха-ха-ха-ха-ха-ха-ха! Смешно!", "ха-ха-ха-ха! Смешно!"),
    ("character_run_capped", "Ураааааааааааа!!!!!!!!!!", "Урааа!!!"),
    ("digits_are_not_a_loop", "У меня 1000000 идей!", "У меня 1000000 идей!"),
    # unfinished tails
    ("unfinished_tail_after_cut", "Привет! Я рада тебя видеть. Как де\nUser: норм", "Привет! Я рада тебя видеть."),
    ("unfinished_tail_after_token", "Привет! Давай погуляем, а пото<|im_end|><|im_start|>user", "Привет!"),
    ("unfinished_but_nothing_before", "Как дела\nUser: норм", "Как дела"),
    ("unfinished_kept_when_not_cut", "Привет! Как дела", "Привет! Как дела"),
    ("finished_tail_kept_after_cut", "Привет! Как дела?\nUser: норм", "Привет! Как дела?"),
    # nothing left
    ("only_a_token", "<|im_end|>", ""),
    ("only_whitespace", " \n\t ", ""),
    ("only_punctuation", "...", ""),
    ("only_a_prefix", "Кайли:", ""),
    # text that must survive
    ("emoji_kept", "Привет 😊 Как ты? 🌸", "Привет 😊 Как ты? 🌸"),
    ("emoji_only", "❤️", "❤️"),
    ("russian_smiley", "Привет)) Как ты?", "Привет)) Как ты?"),
    ("action_kept", "*улыбается* Привет!", "*улыбается* Привет!"),
    ("paragraphs_kept", "Первый абзац.\nВторой абзац.", "Первый абзац.\nВторой абзац."),
    ("blank_lines_collapsed", "Первый абзац.\n\n\nВторой абзац.", "Первый абзац.\nВторой абзац."),
    ("spaces_collapsed", "  Привет,\t  как   дела?  ", "Привет, как дела?"),
    ("windows_newlines", "Первый.\r\nВторой.", "Первый.\nВторой."),
    ("name_in_the_middle_kept", "Я Кайли: танцую и пою!", "Я Кайли: танцую и пою!"),
    ("answer_label_mid_reply_kept", "Загадка!\nОтвет: эхо.", "Загадка!\nОтвет: эхо."),
]


@pytest.mark.parametrize(("raw", "expected"), [case[1:] for case in CLEANING_CASES], ids=[c[0] for c in CLEANING_CASES])
def test_reply_clean(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("raw", [case[1] for case in CLEANING_CASES], ids=[case[0] for case in CLEANING_CASES])
def test_cleaning_twice_changes_nothing(raw):
    once = clean(raw)
    assert clean(once) == once


def test_persona_name_with_regex_metacharacters_is_taken_literally():
    name = "Dr. (Who)"
    assert clean("Dr. (Who): Hello!\nDr. (Who): again", persona_name=name) == "Hello!"
    assert clean("Dr (Who) is here. Hi!", persona_name=name) == "Dr (Who) is here. Hi!"
    assert "\nDr. (Who):" in turn_stops(persona_name=name)


def test_user_name_with_regex_metacharacters_is_taken_literally():
    assert reply_clean("Hi!\n+Vasya*: hey", persona_name=KYLIE, user_name="+Vasya*") == "Hi!"
    assert reply_clean("Hi!\nVasya: hey", persona_name=KYLIE, user_name="+Vasya*") == "Hi!\nVasya: hey"


def test_long_reply_is_capped_at_a_sentence_boundary():
    text = " ".join(f"Предложение номер {number}." for number in range(400))
    capped = clean(text, max_chars=100)
    assert len(capped) <= 100
    assert capped.endswith(".")
    assert text.startswith(capped)
    assert len(clean(text)) <= 4000


def test_one_huge_sentence_is_cut_at_a_word_with_an_ellipsis():
    text = "Когда я была маленькой, мы с бабушкой каждое лето ездили на дачу, где пахло яблоками и сеном!"
    assert clean(text, max_chars=40) == "Когда я была маленькой, мы с бабушкой…"


def test_truncated_generation_drops_the_unfinished_sentence():
    text = "Привет! Я рада тебя видеть. Давай сегодня"
    assert clean(text, truncated=True) == "Привет! Я рада тебя видеть."
    assert clean(text) == text


def test_turn_stops_cover_user_persona_and_template_turns():
    stops = turn_stops(persona_name=KYLIE, user_name=USER)
    for stop in ("\nUser:", "\nuser:", "\nПользователь:", f"\n{USER}:", f"\n{KYLIE}:", "<|im_start|>", "<|eot_id|>"):
        assert stop in stops
    assert len(stops) == len(set(stops))
    assert "" not in stops


def test_turn_stops_without_user_name_have_no_empty_label():
    assert "\n:" not in turn_stops(persona_name=KYLIE)


def test_turn_stops_never_stop_at_the_start_of_a_reply():
    # '<s>' and a bare '###' may open a reply; cleaning strips them instead.
    stops = turn_stops(persona_name=KYLIE)
    assert "<s>" not in stops
    assert "###" not in stops


def test_template_tokens_include_the_common_chat_formats():
    for token in ("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<start_of_turn>", "[INST]", "</s>"):
        assert token in TEMPLATE_TOKENS


# scoring


def test_clean_reply_is_ok_with_full_score():
    report = quality("Привет! Я так рада тебя видеть. Как прошёл день?")
    assert report == QualityReport(score=1.0, issues=())
    assert report.ok


ISSUE_CASES = [
    ("empty", ""),
    ("empty", "  ... "),
    ("role_prefix", "Кайли: Привет!"),
    ("template_token", "Привет!<|im_end|>"),
    ("next_turn", "Привет!\nUser: а ты?"),
    ("repetition", "Привет, солнышко! Как дела? Привет, солнышко!"),
    ("loop", "я тебя люблю я тебя люблю я тебя люблю."),
    ("loop", "Ахахахахахахахахахахахаха!"),
    ("wrong_name", "Меня зовут Анна. А тебя?"),
    ("wrong_name", "I am an AI language model, so I can't feel."),
    ("wrong_name", "As an AI, I don't have feelings."),
    ("wrong_name", "Я всего лишь языковая модель."),
    ("wrong_name", "Я — искусственный интеллект."),
    ("wrong_name", "Я Qwen, созданный Alibaba Cloud."),
    ("too_long", LONG_TEXT),
    ("unfinished", "Привет! Я думаю, что"),
]


@pytest.mark.parametrize(("code", "text"), ISSUE_CASES)
def test_issue_is_detected(code, text):
    report = quality(text)
    assert code in report.issues
    assert report.score < 1.0


@pytest.mark.parametrize(
    "code", ["empty", "role_prefix", "template_token", "next_turn", "loop", "wrong_name", "wrong_gender"]
)
def test_bad_issues_make_a_reply_not_ok(code):
    text = {
        "empty": "",
        "role_prefix": "Кайли: Привет!",
        "template_token": "Привет!<|im_end|>",
        "next_turn": "Привет!\nUser: а ты?",
        "loop": "я тебя люблю я тебя люблю я тебя люблю.",
        "wrong_name": "Меня зовут Анна.",
        "wrong_gender": "Я так устал сегодня.",
    }[code]
    assert not quality(text).ok


@pytest.mark.parametrize("text", ["Привет! Я думаю, что", "Привет, солнышко! Как дела? Привет, солнышко!", LONG_TEXT])
def test_minor_issues_leave_a_reply_ok(text):
    report = quality(text)
    assert report.issues
    assert report.ok


def test_empty_reply_scores_zero():
    assert quality("").score == 0.0


def test_issues_come_in_a_stable_order():
    report = quality("Кайли: Меня зовут Анна, я так устал\nUser: а ты")
    assert report.issues == ("role_prefix", "next_turn", "wrong_name", "wrong_gender", "unfinished")
    assert list(report.issues) == sorted(report.issues, key=ISSUE_CODES.index)


def test_raw_reports_what_cleaning_removed_without_failing_the_reply():
    raw = "<|im_start|>assistant\nКайли: Привет!<|im_end|>\n<|im_start|>user\nа ты?"
    text = clean(raw)
    report = quality(text, raw=raw)
    assert report.issues == ("role_prefix", "template_token", "next_turn")
    assert report.fixed == report.issues
    assert report.ok
    assert 0.7 <= report.score < 1.0


def test_raw_issue_still_present_in_the_reply_is_not_fixed():
    report = quality("Привет!<|im_end|>", raw="Привет!<|im_end|>")
    assert report.fixed == ()
    assert not report.ok


def test_raw_repetition_and_loop_are_reported_as_fixed():
    raw = "Я рада. Я рада. я тебя люблю я тебя люблю я тебя люблю"
    report = quality(clean(raw), raw=raw)
    assert {"repetition", "loop"} <= set(report.fixed)


@pytest.mark.parametrize(
    "text",
    [
        "Меня зовут Кайли. А тебя?",
        "Зови меня просто Кай!",
        "Меня зовут Kylie, если по-английски.",
        "Ты думаешь, я бот? Нет, я настоящая!",
        "I'm not an AI, silly!",
        "Call me tomorrow, okay?",
        "Мою подругу зовут Анна.",
        "Things such as AI art scare me.",
    ],
)
def test_no_false_wrong_name(text):
    assert "wrong_name" not in quality(text).issues


def test_wrong_name_in_english():
    assert "wrong_name" in quality("My name is Anna, nice to meet you!", persona="Kylie").issues
    assert "wrong_name" not in quality("My name is Kylie, nice to meet you!", persona="Kylie").issues


def test_wrong_name_for_a_persona_with_regex_metacharacters():
    assert "wrong_name" not in quality("My name is Who!", persona="Dr. (Who)").issues
    assert "wrong_name" in quality("My name is Watson.", persona="Dr. (Who)").issues


@pytest.mark.parametrize(
    "text",
    [
        "Я пошёл домой.",
        "Я так устал сегодня.",
        "Я тоже рад тебя видеть!",
        "Я готов!",
        "Я, кажется, влюбился.",
        "Я бы хотел кофе.",
        "Я тебя ждал весь день.",
        "Я сам не знаю.",
    ],
)
def test_masculine_forms_are_wrong_for_a_female_persona(text):
    assert "wrong_gender" in quality(text, gender="female").issues
    assert "wrong_gender" not in quality(text, gender="male", persona=MARK).issues


@pytest.mark.parametrize(
    "text",
    [
        "Я пошла домой.",
        "Я так устала сегодня.",
        "Я тебе очень рада!",
        "Я готова!",
        "Я, кажется, влюбилась.",
        "Я бы хотела кофе.",
        "Я с тобой согласна.",
        "Я одна дома.",
    ],
)
def test_feminine_forms_are_wrong_for_a_male_persona(text):
    assert "wrong_gender" in quality(text, gender="male", persona=MARK).issues
    assert "wrong_gender" not in quality(text, gender="female").issues


@pytest.mark.parametrize(
    "text",
    [
        "Он пошёл домой.",
        "Ты устала?",
        '"Я пошёл", сказал он.',
        "«Я пошёл», — сказал он.",
        "Я знаю. Устал он сегодня.",
        "Я думаю, ты устал.",
        "Мы пошли гулять.",
        "I was so tired.",
    ],
)
def test_no_false_gender_alarm_for_a_female_persona(text):
    assert "wrong_gender" not in quality(text, gender="female").issues


@pytest.mark.parametrize("text", ["Ты устал?", "Она пошла домой.", "«Я пошла», — сказала она."])
def test_no_false_gender_alarm_for_a_male_persona(text):
    assert "wrong_gender" not in quality(text, gender="male", persona=MARK).issues


@pytest.mark.parametrize("text", ["Я пошёл домой.", "Я пошла домой."])
def test_other_gender_is_not_checked(text):
    assert "wrong_gender" not in quality(text, gender="other").issues


# fallback lines


@pytest.mark.parametrize(
    ("gender", "expected"),
    [("female", "задумалась"), ("male", "задумался")],
)
def test_russian_fallback_agrees_with_the_persona_gender(gender, expected):
    assert expected in fallback_line(persona_gender=gender, language="ru")


@pytest.mark.parametrize("gender", ["female", "male", "other"])
@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("seed", range(4))
def test_every_fallback_line_passes_the_quality_check(gender, language, seed):
    line = fallback_line(persona_gender=gender, language=language, seed=seed)
    assert quality(line, gender=gender) == QualityReport(score=1.0, issues=())


def test_neutral_fallback_has_no_gendered_past_tense():
    lines = {fallback_line(persona_gender="other", language="ru", seed=seed) for seed in range(3)}
    for line in lines:
        assert "wrong_gender" not in quality(line, gender="female").issues
        assert "wrong_gender" not in quality(line, gender="male", persona=MARK).issues


def test_fallback_is_deterministic_and_varies_with_the_seed():
    assert fallback_line(persona_gender="female", language="ru", seed=7) == fallback_line(
        persona_gender="female", language="ru", seed=7
    )
    assert len({fallback_line(persona_gender="female", language="ru", seed=seed) for seed in range(3)}) == 3


@pytest.mark.parametrize(
    ("language", "cyrillic"), [("ru", True), ("ru-RU", True), ("", True), ("en", False), ("de", False)]
)
def test_fallback_language(language, cyrillic):
    line = fallback_line(persona_gender="female", language=language)
    assert any("а" <= char <= "я" for char in line.lower()) is cyrillic
