import json
from datetime import date

import pytest

from apps.conversations import memory_extract
from apps.conversations.memory_extract import (
    CATEGORIES,
    DEFAULT_LLM_CONFIDENCE,
    extract_facts_rules,
    fact_extraction_messages,
    parse_llm_facts,
)


@pytest.fixture(autouse=True)
def first_of_june(monkeypatch):
    """Dated plans resolve to the next such day; pin "today" so the expected slots do not drift."""
    monkeypatch.setattr(memory_extract, "_today", lambda: date(2026, 6, 1))


def triples(facts) -> set[tuple[str, str, str]]:
    return {(fact.category, fact.slot, fact.value) for fact in facts}


def only(message: str):
    facts = extract_facts_rules(message)
    assert len(facts) == 1, facts
    return facts[0]


# --- rules: what is a fact ----------------------------------------------------------------------------------

FACTS = [
    # name
    pytest.param("Меня зовут Анна", {("name", "name", "Анна")}, id="ru-name"),
    pytest.param("зови меня Аня", {("name", "name", "Аня")}, id="ru-call-me"),
    pytest.param("Привет, я Анна!", {("name", "name", "Анна")}, id="ru-i-am-name"),
    pytest.param("меня зовут анна", {("name", "name", "Анна")}, id="ru-name-lowercase"),
    pytest.param("My name is John", {("name", "name", "John")}, id="en-name"),
    pytest.param("Call me Jo", {("name", "name", "Jo")}, id="en-call-me"),
    pytest.param("I'm John", {("name", "name", "John")}, id="en-i-am-name"),
    # age
    pytest.param("мне 27", {("age", "age", "27")}, id="ru-age"),
    pytest.param("Мне 27 лет", {("age", "age", "27")}, id="ru-age-years"),
    pytest.param("мне двадцать семь", {("age", "age", "27")}, id="ru-age-words"),
    pytest.param("I'm 27", {("age", "age", "27")}, id="en-age"),
    pytest.param("I am 27 years old", {("age", "age", "27")}, id="en-age-years-old"),
    pytest.param("я 1998 года рождения", {("age", "age", "1998 г.р.")}, id="ru-birth-year"),
    # city
    pytest.param("Я живу в Казани", {("city", "city", "Казань")}, id="ru-live-in"),
    pytest.param("я живу в москве", {("city", "city", "Москва")}, id="ru-live-in-lowercase-known-city"),
    pytest.param("Я живу в Нижнем Новгороде", {("city", "city", "Нижний Новгород")}, id="ru-two-word-city"),
    pytest.param("Я живу в Чебоксарах", {("city", "city", "Чебоксарах")}, id="ru-unknown-city-as-written"),
    pytest.param("я из Твери", {("city", "city", "Тверь")}, id="ru-from"),
    pytest.param("переехала в Сочи", {("city", "city", "Сочи")}, id="ru-moved"),
    pytest.param("I live in Berlin", {("city", "city", "Berlin")}, id="en-live-in"),
    pytest.param("I'm from Madrid", {("city", "city", "Madrid")}, id="en-from"),
    pytest.param("Just moved to Paris", {("city", "city", "Paris")}, id="en-moved"),
    # work and study
    pytest.param("я работаю программистом", {("work", "work", "программист")}, id="ru-work-as"),
    pytest.param("работаю старшей медсестрой", {("work", "work", "старшая медсестра")}, id="ru-work-as-two-words"),
    pytest.param("работаю в банке", {("work", "work", "в банке")}, id="ru-work-at"),
    pytest.param("я учитель", {("work", "work", "учитель")}, id="ru-profession"),
    pytest.param("учусь в МГУ", {("work", "work", "в МГУ")}, id="ru-study-at"),
    pytest.param("я студентка", {("work", "work", "студентка")}, id="ru-student"),
    pytest.param("I work as a nurse", {("work", "work", "nurse")}, id="en-work-as"),
    pytest.param("I work at Google", {("work", "work", "at Google")}, id="en-work-at"),
    pytest.param("I'm a teacher", {("work", "work", "teacher")}, id="en-profession"),
    pytest.param("I study law", {("work", "work", "law")}, id="en-study"),
    # family
    pytest.param("у меня есть сестра", {("family", "family:сестра", "сестра")}, id="ru-sister"),
    pytest.param("моя мама", {("family", "family:мама", "мама")}, id="ru-my-mom"),
    pytest.param("у меня двое детей", {("family", "family:дети", "двое детей")}, id="ru-children-count"),
    pytest.param("я замужем", {("family", "family:marital", "замужем")}, id="ru-married"),
    pytest.param("я женат", {("family", "family:marital", "женат")}, id="ru-married-man"),
    pytest.param("мою сестру зовут Маша", {("family", "family:сестра", "сестра Маша")}, id="ru-sister-named"),
    pytest.param(
        "у меня сын и дочь",
        {("family", "family:сын", "сын"), ("family", "family:дочь", "дочь")},
        id="ru-son-and-daughter",
    ),
    pytest.param("у нас с мужем двое детей", {("family", "family:дети", "двое детей")}, id="ru-children-of-us"),
    pytest.param("I have a brother", {("family", "family:brother", "brother")}, id="en-brother"),
    pytest.param("my wife", {("family", "family:wife", "wife")}, id="en-my-wife"),
    pytest.param("I have two kids", {("family", "family:children", "two kids")}, id="en-kids"),
    # pets
    pytest.param("у меня кот Барсик", {("pets", "pets:барсик", "кот Барсик")}, id="ru-cat-named"),
    pytest.param("у меня есть собака", {("pets", "pets:собака", "собака")}, id="ru-dog"),
    pytest.param("моя кошка Мурка", {("pets", "pets:мурка", "кошка Мурка")}, id="ru-my-cat-named"),
    pytest.param(
        "у меня кот Барсик и собака Рекс",
        {("pets", "pets:барсик", "кот Барсик"), ("pets", "pets:рекс", "собака Рекс")},
        id="ru-two-pets",
    ),
    pytest.param("I have a dog named Rex", {("pets", "pets:rex", "dog Rex")}, id="en-dog-named"),
    # likes and dislikes
    pytest.param("я люблю кофе", {("likes", "likes:кофе", "кофе")}, id="ru-love"),
    pytest.param("обожаю джаз", {("likes", "likes:джаз", "джаз")}, id="ru-adore"),
    pytest.param("мне нравится гулять", {("likes", "likes:гулять", "гулять")}, id="ru-like-doing"),
    pytest.param("я люблю музыку", {("likes", "likes:музыка", "музыка")}, id="ru-love-accusative"),
    pytest.param("не люблю дождь", {("dislikes", "dislikes:дождь", "дождь")}, id="ru-dislike"),
    pytest.param("терпеть не могу пробки", {("dislikes", "dislikes:пробки", "пробки")}, id="ru-cant-stand"),
    pytest.param(
        "я люблю кофе, чай и шоколад",
        {("likes", "likes:кофе", "кофе"), ("likes", "likes:чай", "чай"), ("likes", "likes:шоколад", "шоколад")},
        id="ru-list-of-likes",
    ),
    pytest.param("I love jazz", {("likes", "likes:jazz", "jazz")}, id="en-love"),
    pytest.param("I hate mornings", {("dislikes", "dislikes:mornings", "mornings")}, id="en-hate"),
    pytest.param("I don't like rain", {("dislikes", "dislikes:rain", "rain")}, id="en-dont-like"),
    # plans
    pytest.param("в субботу иду в кино", {("plans", "plans:иду в кино", "иду в кино (в субботу)")}, id="ru-plan"),
    pytest.param("завтра экзамен", {("plans", "plans:экзамен", "экзамен (завтра)")}, id="ru-event-tomorrow"),
    pytest.param("5 декабря экзамен", {("plans", "plans:2026-12-05", "экзамен (5 декабря)")}, id="ru-dated-event"),
    pytest.param(
        "у меня день рождения 5 декабря",
        {("plans", "plans:день рождения", "день рождения 5 декабря")},
        id="ru-birthday",
    ),
    pytest.param(
        "летом поеду в Турцию", {("plans", "plans:поеду в турцию", "поеду в Турцию (летом)")}, id="ru-summer-trip"
    ),
    pytest.param("my birthday is on May 3", {("plans", "plans:birthday", "birthday May 3")}, id="en-birthday"),
    pytest.param("I have an exam tomorrow", {("plans", "plans:exam", "exam (tomorrow)")}, id="en-exam-tomorrow"),
    # health
    pytest.param("у меня диабет", {("health", "health:диабет", "диабет")}, id="ru-diabetes"),
    pytest.param("я болею", {("health", "health:болезнь", "болеет")}, id="ru-ill"),
    pytest.param(
        "принимаю антидепрессанты",
        {("health", "health:антидепрессанты", "антидепрессанты")},
        id="ru-antidepressants",
    ),
    pytest.param("у меня депрессия", {("health", "health:депрессия", "депрессия")}, id="ru-depression"),
    pytest.param("я беременна", {("health", "health:беременна", "беременна")}, id="ru-pregnant"),
    pytest.param("I have asthma", {("health", "health:asthma", "asthma")}, id="en-asthma"),
    # several facts in one message
    pytest.param(
        "Меня зовут Анна, мне 27, я живу в Казани и работаю программистом",
        {("name", "name", "Анна"), ("age", "age", "27"), ("city", "city", "Казань"), ("work", "work", "программист")},
        id="ru-introduction",
    ),
    pytest.param(
        "Мне 30 лет, я из Питера, обожаю котиков и ненавижу понедельники.",
        {
            ("age", "age", "30"),
            ("city", "city", "Питер"),
            ("likes", "likes:котиков", "котиков"),
            ("dislikes", "dislikes:понедельники", "понедельники"),
        },
        id="ru-four-facts",
    ),
    pytest.param(
        "Hi! My name is Kate, I'm 31, I work as a software developer and I have a cat named Luna.",
        {
            ("name", "name", "Kate"),
            ("age", "age", "31"),
            ("work", "work", "software developer"),
            ("pets", "pets:luna", "cat Luna"),
        },
        id="en-introduction",
    ),
    pytest.param("Мне 27, а тебе?", {("age", "age", "27")}, id="ru-statement-before-a-question"),
    pytest.param(
        "Я из Москвы, но живу в Казани", {("city", "city", "Казань")}, id="ru-where-one-lives-beats-where-from"
    ),
]


@pytest.mark.parametrize(("message", "expected"), FACTS)
def test_rules_extract_explicit_first_person_facts(message, expected):
    assert triples(extract_facts_rules(message)) == expected


NOT_FACTS = [
    pytest.param("я не живу в Москве", id="ru-negated-city"),
    pytest.param("I don't live in Berlin", id="en-negated-city"),
    pytest.param("у меня нет детей", id="ru-negated-children"),
    pytest.param("я не болею", id="ru-negated-illness"),
    pytest.param("если бы меня звали Катя, я бы жила в Париже", id="ru-hypothetical"),
    pytest.param("If I were a teacher I would live in Rome", id="en-hypothetical"),
    pytest.param("ты любишь кофе?", id="ru-question"),
    pytest.param("Do you live in Moscow?", id="en-question"),
    pytest.param("её зовут Маша", id="ru-someone-elses-name"),
    pytest.param("Он живёт в Москве и работает врачом", id="ru-about-someone-else"),
    pytest.param("Сестра переехала в Москву", id="ru-someone-else-moved"),
    pytest.param("у сестры завтра свадьба", id="ru-someone-elses-plan"),
    pytest.param('она сказала "меня зовут Маша и я живу в Туле"', id="ru-quoted-speech"),
    pytest.param("*живу в Замке* и смотрю на тебя", id="ru-role-play-action"),
    pytest.param("я живу одним днём", id="ru-idiom-one-day-at-a-time"),
    pytest.param("я живу в своё удовольствие", id="ru-idiom-for-pleasure"),
    pytest.param("I live for the weekend", id="en-idiom-live-for"),
    pytest.param("I live in the moment", id="en-idiom-the-moment"),
    pytest.param("я рада", id="ru-adjective-is-not-a-name"),
    pytest.param("Я Москвичка", id="ru-demonym-is-not-a-name"),
    pytest.param("I'm tired", id="en-state-is-not-a-name"),
    pytest.param("I'm Russian", id="en-nationality-is-not-a-name"),
    pytest.param("мне 5 минут", id="ru-minutes-are-not-an-age"),
    pytest.param("мне 2 кофе, пожалуйста", id="ru-coffees-are-not-an-age"),
    pytest.param("I'm 5 minutes away", id="en-minutes-are-not-an-age"),
    pytest.param("меня зовут гулять", id="ru-invited-out-is-not-a-name"),
    pytest.param("работаю вечером", id="ru-time-is-not-a-profession"),
    pytest.param("I work from home", id="en-home-is-not-a-workplace"),
    pytest.param("я люблю тебя", id="ru-love-for-the-assistant"),
    pytest.param("Мне нравится твой голос", id="ru-compliment-to-the-assistant"),
    pytest.param("I love you", id="en-love-for-the-assistant"),
    pytest.param("I'd like a coffee", id="en-request-is-not-a-preference"),
    pytest.param("I'm sick of rain", id="en-sick-of-is-not-health"),
    pytest.param("вчера ходила в кино", id="ru-past-is-not-a-plan"),
    pytest.param("у меня есть бывший муж", id="ru-former-husband"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("message", NOT_FACTS)
def test_statements_that_are_not_facts_about_the_user_give_nothing(message):
    assert extract_facts_rules(message) == []


# --- rules: slots, texts, confidence, sensitivity -----------------------------------------------------------


def test_a_move_supersedes_the_city_through_the_same_slot():
    before, after = only("я живу в Москве"), only("я переехала в Казань")

    assert before.slot == after.slot == "city"
    assert (before.value, after.value) == ("Москва", "Казань")
    assert after.text == "Живёт в Казани"


def test_a_new_job_supersedes_the_old_one_through_the_same_slot():
    before, after = only("я работаю учителем"), only("теперь я работаю дизайнером")

    assert before.slot == after.slot == "work"
    assert after.value == "дизайнер"


def test_within_one_message_the_latest_city_wins():
    assert triples(extract_facts_rules("Раньше жила в Москве, а теперь живу в Казани")) == {("city", "city", "Казань")}


def test_a_second_likes_fact_gets_its_own_slot():
    coffee, jazz = only("я люблю кофе"), only("обожаю джаз")

    assert coffee.slot != jazz.slot


@pytest.mark.parametrize(
    ("message", "text", "language"),
    [
        ("Меня зовут Анна", "Зовут Анна", "ru"),
        ("я живу в Казани", "Живёт в Казани", "ru"),
        ("я работаю программистом", "Работает программистом", "ru"),
        ("у меня кот Барсик", "Есть кот Барсик", "ru"),
        ("в субботу иду в кино", "В субботу идёт в кино", "ru"),
        ("я люблю свою работу", "Любит свою работу", "ru"),
        ("I live in Berlin", "Lives in Berlin", "en"),
        ("I love jazz", "Loves jazz", "en"),
        ("I love my job", "Loves their job", "en"),
        ("I have a dog named Rex", "Has a dog named Rex", "en"),
        ("Tomorrow I have an exam", "Has an exam tomorrow", "en"),
    ],
)
def test_text_is_a_third_person_statement_in_the_language_of_the_message(message, text, language):
    fact = only(message)

    assert (fact.text, fact.language) == (text, language)


def test_explicit_statements_are_more_confident_than_vague_ones():
    assert only("у меня есть сестра").confidence == pytest.approx(0.9)
    assert only("моя мама").confidence < 0.8
    assert only("я не очень люблю шумные вечеринки").confidence < 0.9


@pytest.mark.parametrize(
    "message",
    ["у меня диабет", "принимаю антидепрессанты", "у меня депрессия", "я беременна", "I have asthma", "I'm pregnant"],
)
def test_health_facts_are_marked_sensitive(message):
    fact = only(message)

    assert (fact.category, fact.sensitive) == ("health", True)


def test_other_facts_are_not_sensitive_unless_they_mention_medical_care():
    introduction = extract_facts_rules("Меня зовут Анна, мне 27, я живу в Казани и люблю кофе")

    assert introduction
    assert not any(fact.sensitive for fact in introduction)
    assert not only("учусь на врача").sensitive
    assert not only("летом поеду в Грузию").sensitive
    assert only("сегодня иду к врачу").sensitive
    assert only("I have surgery on Monday").sensitive


def test_a_dated_plan_is_keyed_by_its_next_date():
    assert only("5 декабря экзамен").slot == "plans:2026-12-05"
    assert only("5 мая экзамен").slot == "plans:2027-05-05"  # May has passed on the 1st of June


def test_every_fact_is_well_formed():
    messages = [message for param in FACTS for message in param.values[:1]]
    facts = [fact for message in messages for fact in extract_facts_rules(message)]

    assert facts
    for fact in facts:
        assert fact.category in CATEGORIES
        assert fact.language in {"ru", "en"}
        assert 0 < fact.confidence <= 1
        assert 0 < len(fact.value) <= 80
        assert fact.text
        assert fact.slot == fact.category or fact.slot.startswith(f"{fact.category}:")


def test_a_long_message_is_handled_quickly_and_without_errors():
    assert extract_facts_rules("очень " * 1000 + "люблю") == []
    assert extract_facts_rules("Меня зовут Анна. " * 400) == extract_facts_rules("Меня зовут Анна.")


# --- the LLM ------------------------------------------------------------------------------------------------


def test_extraction_messages_are_a_system_and_a_user_message_asking_for_json():
    messages = fact_extraction_messages("Меня зовут Анна", language="ru")

    assert [message.role for message in messages] == ["system", "user"]
    assert "JSON" in messages[0].content
    assert '"facts"' in messages[0].content
    assert all(category in messages[0].content for category in CATEGORIES)
    assert "Russian" in messages[0].content
    assert "Меня зовут Анна" in messages[1].content


def test_extraction_messages_ask_for_english_texts_for_an_english_message():
    system = fact_extraction_messages("I live in Berlin", language="en")[0].content

    assert "English" in system
    assert "Russian" not in system


def answer(*facts: dict) -> str:
    return json.dumps({"facts": list(facts)}, ensure_ascii=False)


CITY = {"category": "city", "value": "Казани", "text": "Живёт в Казани", "confidence": 0.9}


def test_valid_json_gives_facts_normalised_like_the_rules():
    facts = parse_llm_facts(
        answer(CITY, {"category": "pets", "value": "кот Барсик", "text": "Есть кот Барсик", "confidence": 0.8}),
        language="ru",
    )

    assert triples(facts) == {("city", "city", "Казань"), ("pets", "pets:барсик", "кот Барсик")}
    assert triples(facts) == triples(extract_facts_rules("Я живу в Казани, у меня кот Барсик"))
    assert (facts[0].text, facts[0].confidence) == ("Живёт в Казани", 0.9)


@pytest.mark.parametrize(
    "output",
    [
        f"```json\n{answer(CITY)}\n```",
        f"Вот что я нашёл:\n{answer(CITY)}\nНадеюсь, это поможет! {{}}",
        f"```\n{answer(CITY)}\n```\n{answer()}",
    ],
    ids=["fenced", "text-around", "first-object-wins"],
)
def test_the_first_json_object_is_found_inside_fences_and_text(output):
    assert triples(parse_llm_facts(output, language="ru")) == {("city", "city", "Казань")}


def test_items_that_do_not_validate_are_dropped():
    output = answer(
        CITY,
        {"category": "zodiac", "value": "лев"},
        {"category": "likes", "value": "x" * 81},
        {"category": "likes", "value": "   "},
        {"category": "likes", "value": "кофе", "confidence": 1.5},
        {"category": "likes", "value": "чай", "confidence": "very"},
        {"category": "likes", "value": "сок", "confidence": True},
        {"category": "likes"},
        "кофе",
        None,
    )

    assert triples(parse_llm_facts(output, language="ru")) == {("city", "city", "Казань")}


def test_missing_confidence_and_text_get_defaults():
    (fact,) = parse_llm_facts(answer({"category": "Likes", "value": "jazz"}), language="en")

    assert (fact.category, fact.slot, fact.confidence, fact.text) == (
        "likes",
        "likes:jazz",
        DEFAULT_LLM_CONFIDENCE,
        "Likes jazz",
    )


def test_health_from_the_llm_is_sensitive():
    (fact,) = parse_llm_facts(answer({"category": "health", "value": "астма", "confidence": 0.9}), language="ru")

    assert (fact.slot, fact.sensitive) == ("health:астма", True)


def test_an_llm_age_keeps_only_the_number():
    (fact,) = parse_llm_facts(answer({"category": "age", "value": "27 лет"}), language="ru")

    assert (fact.slot, fact.value) == ("age", "27")


@pytest.mark.parametrize(
    "output",
    [
        "",
        "no facts here",
        "{",
        '{"facts": 3}',
        '{"facts": [1, null, "x"]}',
        '[{"category": "city", "value": "Казань"}]',
        '{"facts": [{"category": "name", "value": "Анна", "confidence": NaN}]}',
        "{" * 5000 + "}" * 5000,
        "[" * 100_000,
        None,
        42,
    ],
    ids=["empty", "prose", "unclosed", "facts-not-a-list", "items-not-objects", "bare-list", "nan", "deep", "deeper",
         "none", "number"],
)  # fmt: skip
def test_garbage_gives_no_facts_and_never_raises(output):
    assert parse_llm_facts(output, language="ru") == []
