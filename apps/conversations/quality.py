"""Make raw replies of small local models sendable, and say how good what is left is.

Small models leak chat-template tokens, prefix their turn with a role name, go on to write the user's
next line, loop, and forget who they play. `reply_clean` repairs what can be repaired, `reply_quality`
scores what comes out, `fallback_line` is what the persona says when nothing usable is left.
Pure Python: no Django, so the bot, the worker and benchmarks can all use it.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

TEMPLATE_TOKENS: tuple[str, ...] = (
    "<|im_start|>", "<|im_end|>", "<|im_sep|>", "<|endoftext|>", "<|begin_of_text|>", "<|end_of_text|>",
    "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>",
    "<|system|>", "<|user|>", "<|assistant|>", "<|end|>",
    "<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>", "<s>", "</s>",
    "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "###",
)  # fmt: skip

ISSUE_CODES: tuple[str, ...] = (
    "empty", "role_prefix", "template_token", "next_turn", "repetition", "loop",
    "wrong_name", "wrong_gender", "too_long", "unfinished",
)  # fmt: skip
BAD_ISSUES = frozenset({"empty", "role_prefix", "template_token", "next_turn", "loop", "wrong_name", "wrong_gender"})
TOO_LONG_CHARS = 1500
_PENALTY = {
    "empty": 1.0, "role_prefix": 0.3, "template_token": 0.5, "next_turn": 0.5, "repetition": 0.2, "loop": 0.4,
    "wrong_name": 0.5, "wrong_gender": 0.4, "too_long": 0.2, "unfinished": 0.1,
}  # fmt: skip
_FIXED_PENALTY = 0.05  # an issue of the raw text that cleaning removed

# Any template token, plus the `<|...|>` special tokens of tokenizers we do not list.
_TOKEN_RE = re.compile(
    "|".join(re.escape(item) if item != "###" else "#{3,}" for item in sorted(TEMPLATE_TOKENS, key=len, reverse=True))
    + r"|<\|[^|<>\s]{1,40}\|>"
)
# Generation stopped in the middle of a special token: '...<|im_', '...</'.
_PARTIAL_TOKEN_RE = re.compile(r"\s*(?:<\|[\w-]*\|?|</?[a-z_]*|\[/?I?N?S?T?)$")
_USER_TURN_TOKENS = frozenset({"[INST]", "<|user|>", "<|system|>", "<<SYS>>"})

_USER_ROLES = ("user", "human", "пользователь", "юзер", "собеседник", "{{user}}")
_BOT_ROLES = ("assistant", "ассистент", "ai", "ии", "bot", "бот", "chatbot", "чат-бот", "model", "system", "{{char}}")
_PREFIX_ONLY_ROLES = ("response", "answer", "reply", "ответ", "character", "char", "персонаж")
_USER_HEADERS = ("user", "human", "instruction", "input", "system")
_BOT_HEADERS = ("assistant", "model", "bot", "gpt", "response", "answer")
_MD = r"(?:\*{1,3}|_{1,3})?"  # markdown bold/italics around a role label: '**Кайли:**', '*Кайли*:'

_CLOSERS = ")\"»”’'*_~]"
_TERMINAL = ".!?…"
_EMOJI_TAIL = "\ufe0f\u200d\u20e3" + "".join(chr(code) for code in range(0x1F3FB, 0x1F400))
_CHAR_LOOP_RE = re.compile(r"((?:(?!\d)\S){1,4}?)\1{6,}")  # 'ха-ха-ха-…' 7+ times, '!!!!!!!!', 'ааааааа'
_MAX_LOOP_WORDS = 16
_QUOTED_RE = re.compile(r"«[^»]*»|\"[^\"\n]*\"|“[^”\n]*”|„[^“”\n]*[“”]")


class _Patterns(NamedTuple):
    prefix: re.Pattern  # a role label the reply starts with
    marker: re.Pattern  # a line that starts somebody's next turn
    header: re.Pattern  # the role right after a template token: '<|im_start|>assistant\n'


def _alternation(names) -> str:
    return "|".join(re.escape(name) for name in sorted({name for name in names if name}, key=len, reverse=True))


@lru_cache(maxsize=256)
def _patterns(persona_name: str, user_name: str) -> _Patterns:
    persona, user = persona_name.strip(), user_name.strip()
    users, bots = (*_USER_ROLES, user), (*_BOT_ROLES, persona)

    def label(names) -> str:
        return rf"{_MD}\[?(?:{_alternation(names)})\]?{_MD}[ \t]*[:：]{_MD}"

    return _Patterns(
        prefix=re.compile(rf"[ \t]*{label((*bots, *_PREFIX_ONLY_ROLES))}[ \t]*", re.IGNORECASE),
        marker=re.compile(rf"^[ \t]*{label((*users, *bots))}", re.IGNORECASE | re.MULTILINE),
        header=re.compile(
            rf"[ \t]*(?:(?P<user>{_alternation((*_USER_HEADERS, user))})|(?:{_alternation((*_BOT_HEADERS, persona))}))"
            r"[ \t]*(?::|(?=\s*(?:\n|<|\[|$)))",
            re.IGNORECASE,
        ),
    )


class _Cut(NamedTuple):
    body: str  # the reply proper
    cut: bool  # something with content came after it and was dropped
    prefixed: bool  # a role label was stripped from the start


def _cut_turn(text: str, patterns: _Patterns) -> _Cut:
    """Strip leading template tokens and role labels, then cut at the first template token or next-turn line."""
    rest, prefixed = text, False
    while True:
        rest = rest.lstrip()
        if token := _TOKEN_RE.match(rest):
            rest = rest[token.end() :]
            header = patterns.header.match(rest)
            if token.group() in _USER_TURN_TOKENS or (header and header.group("user")):
                return _Cut("", True, prefixed)  # the model wrote somebody else's turn first
            rest = rest[header.end() :] if header else rest
        elif label := patterns.prefix.match(rest):
            rest, prefixed = rest[label.end() :], True
        else:
            break
    ends = [match.start() for match in (_TOKEN_RE.search(rest), patterns.marker.search(rest)) if match]
    if not ends:
        return _Cut(_PARTIAL_TOKEN_RE.sub("", rest), False, prefixed)
    end = min(ends)
    dropped = _TOKEN_RE.sub("", rest[end:]).strip()
    return _Cut(rest[:end], bool(dropped), prefixed)


def turn_stops(*, persona_name: str, user_name: str = "") -> tuple[str, ...]:
    """Stop strings for generation: the model starting anybody's next turn, by role line or template token."""
    labels = ["User", "user", "USER", "Human", "human", "Пользователь", "пользователь", "Assistant", "assistant"]
    labels += ["Ассистент", "System", user_name.strip(), persona_name.strip()]
    stops = [f"\n{label}:" for label in labels if label]
    stops += [f"\n**{label}" for label in ("User", "Пользователь", user_name.strip()) if label]
    stops += [token for token in TEMPLATE_TOKENS if token not in ("###", "<s>", "<bos>", "<|begin_of_text|>")]
    stops.append("\n###")
    return tuple(dict.fromkeys(stops))


def reply_clean(
    text: str, *, persona_name: str, user_name: str = "", max_chars: int = 4000, truncated: bool = False
) -> str:
    """A sendable reply, or '' when nothing usable is left (the caller retries or uses `fallback_line`).

    `truncated`: generation stopped at its token limit (finish_reason "length"), so an unfinished last
    sentence is dropped as it is when the reply had to be cut at a next-turn marker or at `max_chars`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body, cut, _ = _cut_turn(text, _patterns(persona_name, user_name))
    body = _TOKEN_RE.sub(" ", body)
    paragraphs = _dedupe_sentences([_collapse_loops(" ".join(line.split())) for line in body.split("\n")])
    paragraphs, capped = _cap(paragraphs, max_chars)
    sentences = [sentence for paragraph in paragraphs for sentence in paragraph]
    unfinished_tail = len(sentences) > 1 and not _is_finished(sentences[-1])
    if (cut or capped or truncated) and unfinished_tail and any(map(_is_finished, sentences[:-1])):
        paragraphs[-1].pop()
    result = "\n".join(" ".join(paragraph) for paragraph in paragraphs if paragraph)
    return result if _has_content(result) else ""


def _collapse_loops(line: str) -> str:
    line = _CHAR_LOOP_RE.sub(r"\1\1\1", line)
    words = line.split()
    keys = [_word_key(word) for word in words]
    kept, start = [], 0
    while start < len(words):
        loop = _loop_at(keys, start)
        if loop is None:
            kept.append(words[start])
            start += 1
            continue
        size, repeats = loop
        last = start + size * repeats - 1  # the loop's last word keeps its own punctuation: '…люблю!'
        head = words[start : start + 2] if size == 1 else words[start : start + size - 1]  # one word: up to 3 stay
        kept += [*head, words[last]]
        start = last + 1
    return " ".join(kept)


def _loop_at(keys: list[str], start: int) -> tuple[int, int] | None:
    """(n-gram size, repeats) of a loop starting here: one word 4+ times in a row, a phrase 3+ times."""
    for size in range(1, min(_MAX_LOOP_WORDS, (len(keys) - start) // 3) + 1):
        gram, repeats = keys[start : start + size], 1
        while keys[start + repeats * size : start + (repeats + 1) * size] == gram:
            repeats += 1
        if repeats >= (4 if size == 1 else 3):
            return size, repeats
    return None


def _word_key(word: str) -> str:
    return re.sub(r"^\W+|\W+$", "", word.casefold()).replace("ё", "е") or word


def _sentences(line: str) -> list[str]:
    """A line split after terminal punctuation, an emoji or a ')' smiley; bare emoji stay with their sentence."""
    sentences: list[str] = []
    words: list[str] = []
    for word in line.split():
        words.append(word)
        if _ends_sentence(word):
            sentences.append(" ".join(words))
            words = []
    if words:
        sentences.append(" ".join(words))
    merged: list[str] = []
    for sentence in sentences:
        if merged and not any(char.isalnum() for char in sentence):
            merged[-1] += " " + sentence
        else:
            merged.append(sentence)
    return merged


def _ends_sentence(text: str) -> bool:
    """Whether the text (a word will do) ends a sentence."""
    bare = text.rstrip(_EMOJI_TAIL)
    if not bare:
        return False
    if unicodedata.category(bare[-1]) == "So" or bare.rstrip(_CLOSERS)[-1:] in tuple(_TERMINAL):
        return True
    last_word = bare.split()[-1]
    return last_word.endswith(")") and "(" not in last_word  # 'Привет)) Как ты?', not '(шучу)'


def _is_finished(text: str) -> bool:
    bare = text.rstrip().rstrip(_EMOJI_TAIL)
    return bool(bare) and (_ends_sentence(bare) or bare[-1] in _CLOSERS)


def _sentence_key(sentence: str) -> tuple[str, bool]:
    """The comparison key, and whether the sentence is long enough to count as repeated (2+ words or 5+ letters)."""
    words = re.findall(r"\w+", sentence.casefold().replace("ё", "е"))
    key = " ".join(words)
    return key, len(words) >= 2 or len(key) >= 5


def _dedupe_sentences(lines: list[str]) -> list[list[str]]:
    seen: set[str] = set()
    paragraphs = []
    for line in lines:
        paragraph = []
        for sentence in _sentences(line):
            key, countable = _sentence_key(sentence)
            if countable and key in seen:
                continue
            seen.add(key)
            paragraph.append(sentence)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def _cap(paragraphs: list[list[str]], max_chars: int) -> tuple[list[list[str]], bool]:
    """Whole sentences up to `max_chars`; a first sentence that alone is too long is cut at a word."""
    kept: list[list[str]] = []
    total = 0
    for paragraph in paragraphs:
        kept.append([])
        for sentence in paragraph:
            length = len(sentence) + (1 if total else 0)
            if total + length > max_chars:
                if not total and (piece := _cut_at_word(sentence, max_chars)):
                    kept[-1].append(piece)
                return [paragraph for paragraph in kept if paragraph], True
            kept[-1].append(sentence)
            total += length
    return kept, False


def _cut_at_word(text: str, limit: int) -> str:
    cut = text[: max(limit - 1, 0)]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rfind(" ")]
    cut = cut.rstrip(" ,.;:—-")
    return cut + "…" if cut else ""


def _has_content(text: str) -> bool:
    return any(char.isalnum() or unicodedata.category(char) == "So" for char in text)


@dataclass(frozen=True)
class QualityReport:
    score: float  # 1.0 clean … 0.0 unusable
    issues: tuple[str, ...]  # codes from ISSUE_CODES, in that order
    fixed: tuple[str, ...] = ()  # those of `issues` found only in the raw text, i.e. removed by cleaning

    @property
    def ok(self) -> bool:
        """No 'bad' issue left in the reply and a score of at least 0.7."""
        return self.score >= 0.7 and not any(code in BAD_ISSUES and code not in self.fixed for code in self.issues)


def reply_quality(
    text: str, *, persona_name: str, persona_gender: str, user_name: str = "", raw: str | None = None
) -> QualityReport:
    """Score a reply; with `raw` (the text before cleaning) also report what cleaning removed, in `fixed`."""
    patterns = _patterns(persona_name, user_name)
    found: set[str] = set()
    visible = " ".join(_TOKEN_RE.sub(" ", text).split())  # what the user reads, for the content checks
    if not _has_content(visible):
        found |= {"empty"} | ({"template_token"} if _TOKEN_RE.search(text) else set())
    else:
        found |= _mechanical_issues(text, patterns)
        if _wrong_name(visible, persona_name):
            found.add("wrong_name")
        if _wrong_gender(visible, persona_gender):
            found.add("wrong_gender")
        if len(visible) > TOO_LONG_CHARS:
            found.add("too_long")
        if not _is_finished(visible):
            found.add("unfinished")
    fixed = _mechanical_issues(raw, patterns) - found if raw is not None else set()
    score = 1.0 - sum(_PENALTY[code] for code in found) - _FIXED_PENALTY * len(fixed)
    return QualityReport(
        score=round(min(max(score, 0.0), 1.0), 2),
        issues=tuple(code for code in ISSUE_CODES if code in found or code in fixed),
        fixed=tuple(code for code in ISSUE_CODES if code in fixed),
    )


def _mechanical_issues(text: str, patterns: _Patterns) -> set[str]:
    """The issues `reply_clean` repairs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body, cut, prefixed = _cut_turn(text, patterns)
    issues = {"template_token"} if _TOKEN_RE.search(text) else set()
    issues |= {code for code, present in (("next_turn", cut), ("role_prefix", prefixed)) if present}
    lines = [" ".join(line.split()) for line in _TOKEN_RE.sub(" ", body).split("\n")]
    if any(_CHAR_LOOP_RE.search(line) or _collapse_loops(line) != line for line in lines):
        issues.add("loop")
    keys = [_sentence_key(sentence) for line in lines for sentence in _sentences(line)]
    counted = [key for key, countable in keys if countable]
    if len(counted) != len(set(counted)):
        issues.add("repetition")
    return issues


_NAME_CLAIM_RE = re.compile(
    r"(?:\bменя\s+зовут|\bмо[её]\s+имя|\bmy\s+name\s+is|\bmy\s+name's|\bI'?m\s+called|\bI\s+am\s+called)"
    r"\s*[—–:-]?\s*(?:просто\s+|just\s+)?[«\"“]?(?P<name>[^\W\d_][\w-]*)",
    re.IGNORECASE,
)
_AI_WORDS_EN = (
    r"(?:AI\b|A\.I\.|artificial\s+intelligence|(?:large\s+)?language\s+model|LLM\b|(?:AI|virtual|digital)\s+assistant"
    r"|chat\s?bot|computer\s+program)"
)
_AI_WORDS_RU = (
    r"(?:ИИ\b|искусственный\s+интеллект|(?:большая\s+)?языковая\s+модель|нейросеть|нейронная\s+сеть"
    r"|(?:виртуальный\s+|цифровой\s+)?(?:ассистент|помощник)\b|чат-?бот|бот\b|(?:компьютерная\s+)?программа\b)"
)
_MODEL_NAMES = r"(?:Qwen|ChatGPT|SmolLM|GPT|Claude|Llama|Gemma|Mistral)"
_AI_CLAIM_RE = re.compile(
    rf"\b(?:I\s+am|I'm)\s+(?:just\s+|only\s+|merely\s+|simply\s+)?(?:an?\s+)?{_AI_WORDS_EN}"
    rf"|\bas\s+an?\s+{_AI_WORDS_EN}"
    rf"|\bя(?:\s+|\s*[—–-]\s*)(?:всего\s+лишь\s+|просто\s+|лишь\s+|только\s+)?{_AI_WORDS_RU}"
    r"|\bкак\s+(?:ИИ|искусственный\s+интеллект|языковая\s+модель|нейросеть)\s*,\s*я\b"
    rf"|(?:\bменя\s+зовут|\bя|\bI\s+am|\bI'm|\bmy\s+name\s+is)(?:\s+|\s*[—–-]\s*){_MODEL_NAMES}"
    r"|\b(?:created|developed|trained|made)\s+by\s+(?:OpenAI|Alibaba|Hugging\s?Face|Meta|Google|Anthropic|Mistral)"
    r"|\b(?:создан[аоы]?|разработан[аоы]?|обучен[аоы]?)\s+(?:компанией\s+)?(?:OpenAI|Alibaba|Hugging\s?Face|Meta|Google)",
    re.IGNORECASE,
)
_CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")


def _wrong_name(text: str, persona_name: str) -> bool:
    """The persona calls itself by another name, or says it is an AI / a language model."""
    text = _QUOTED_RE.sub(" ", text)
    for claim in _AI_CLAIM_RE.finditer(text):
        if not re.match(r"[^.!?…]*\?", text[claim.end() :]):  # 'я бот?' asks, it does not claim
            return True
    own = [word.casefold() for word in re.findall(r"\w+", persona_name)]
    for claim in _NAME_CLAIM_RE.finditer(text):
        name = claim.group("name")
        if (
            not own
            or not name[0].isupper()
            or bool(_CYRILLIC_RE.match(name)) != bool(_CYRILLIC_RE.search(persona_name))
        ):
            continue  # not a name, or another script than the persona's: 'Kylie' may well be 'Кайли'
        if not any(_same_name(name.casefold(), word) for word in own):
            return True
    return False


def _same_name(claimed: str, own: str) -> bool:
    """Equal, or one a short form of the other ('Кай' for 'Кайли', 'Маркуша' for 'Марк')."""
    return claimed == own or (min(len(claimed), len(own)) >= 3 and (claimed.startswith(own) or own.startswith(claimed)))


# Words that may stand between 'я' and its verb or short adjective: 'я так устала', 'я тебе рада'.
_FILLERS = frozenset({
    "не", "ни", "бы", "б", "же", "ж", "ведь", "и", "ну", "так", "уже", "уж", "тоже", "также", "очень", "сегодня",
    "вчера", "сейчас", "теперь", "тогда", "просто", "всегда", "никогда", "ещё", "еще", "совсем", "правда",
    "только", "вот", "даже", "наконец", "давно", "немного", "немножко", "чуть", "ужасно", "безумно", "страшно",
    "жутко", "вполне", "точно", "всё", "все", "тут", "здесь", "там", "опять", "снова", "сильно", "прямо",
    "реально", "действительно", "честно", "кажется", "наверное", "наверно", "конечно", "тебя", "тебе", "тобой",
    "вас", "вам", "его", "её", "ее", "ему", "ей", "их", "им", "по", "за", "с", "со", "о", "об", "к", "от", "на",
    "в", "для",
})  # fmt: skip
_GENDERED = {  # masculine: feminine short forms that do not follow the past-tense endings below
    "рад": "рада", "готов": "готова", "должен": "должна", "уверен": "уверена", "согласен": "согласна",
    "счастлив": "счастлива", "занят": "занята", "свободен": "свободна", "голоден": "голодна", "влюблён": "влюблена",
    "влюблен": "влюблена", "удивлён": "удивлена", "удивлен": "удивлена", "расстроен": "расстроена",
    "благодарен": "благодарна", "обижен": "обижена", "смущён": "смущена", "смущен": "смущена", "тронут": "тронута",
    "болен": "больна", "здоров": "здорова", "одинок": "одинока", "спокоен": "спокойна", "доволен": "довольна",
    "прав": "права", "жив": "жива", "виноват": "виновата", "способен": "способна", "вынужден": "вынуждена",
    "заинтересован": "заинтересована", "взволнован": "взволнована", "напуган": "напугана", "очарован": "очарована",
    "поражён": "поражена", "поражен": "поражена", "польщён": "польщена", "польщен": "польщена", "знаком": "знакома",
    "растерян": "растеряна", "разочарован": "разочарована", "огорчён": "огорчена", "огорчен": "огорчена",
    "горд": "горда", "нужен": "нужна", "похож": "похожа", "зол": "зла", "сам": "сама", "один": "одна",
    "мог": "могла", "смог": "смогла", "помог": "помогла", "лёг": "легла", "лег": "легла", "привык": "привыкла",
}  # fmt: skip
_MASCULINE = frozenset(_GENDERED)
_FEMININE = frozenset(_GENDERED.values())
_NOT_VERBS = frozenset(
    {
        "ангел",
        "идеал",
        "профессионал",
        "генерал",
        "оригинал",
        "шакал",
        "дебил",
        "крокодил",
        "козёл",
        "козел",
        "осёл",
        "орёл",
    }
)
_RU_WORD_RE = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


def _wrong_gender(text: str, persona_gender: str) -> bool:
    if persona_gender not in ("female", "male"):
        return False
    other = "male" if persona_gender == "female" else "female"
    return any(_gender_of(word) == other for word in _first_person_predicates(_QUOTED_RE.sub(" ", text)))


def _first_person_predicates(text: str):
    """The word that 'я' governs in each clause: the first word after it that is not a particle or an adverb."""
    words = list(_RU_WORD_RE.finditer(text))
    for index, word in enumerate(words):
        if word.group().casefold() not in ("я", "я-то"):
            continue
        previous, skipped = word, 0
        for following in words[index + 1 : index + 6]:
            if not re.fullmatch(r"[\s,—–-]*", text[previous.end() : following.start()]):
                break  # the clause ended: 'я знаю. Устала…'
            candidate = following.group()
            if candidate.casefold() in _FILLERS and skipped < 4:
                previous, skipped = following, skipped + 1
                continue
            if not candidate[0].isupper():  # a capitalised word here is a name: 'я Алла'
                yield candidate.casefold()
            break


def _gender_of(word: str) -> str | None:
    if word in _MASCULINE:
        return "male"
    if word in _FEMININE or (len(word) >= 5 and word.endswith("лась")) or (len(word) >= 3 and word.endswith("ла")):
        return "female"
    if word in _NOT_VERBS:
        return None
    if (len(word) >= 5 and word.endswith("лся")) or re.fullmatch(r"\w*[аяеёиыу]л|\w*ш[её]л|\w*[её]кся", word):
        return "male"
    return None


_FALLBACKS = {
    ("ru", "female"): (
        "Ой, я задумалась… Расскажи ещё?",
        "Прости, я отвлеклась на секунду. О чём мы говорили?",
        "Хм, я немного потерялась в мыслях… Повторишь?",
    ),
    ("ru", "male"): (
        "Ой, я задумался… Расскажи ещё?",
        "Прости, я отвлёкся на секунду. О чём мы говорили?",
        "Хм, я немного потерялся в мыслях… Повторишь?",
    ),
    ("ru", "other"): (
        "Ой, мысли куда-то унесло… Расскажи ещё?",
        "Прости, на секунду мысли разбежались. О чём мы говорили?",
        "Хм, что-то я витаю в облаках… Повторишь?",
    ),
    ("en", "other"): (
        "Sorry, I drifted off for a second — tell me more?",
        "Hmm, I lost my train of thought. What were we talking about?",
        "Oops, my mind wandered for a moment… Say that again?",
    ),
}


def fallback_line(*, persona_gender: str, language: str, seed: int = 0) -> str:
    """An in-character line for when generation gives nothing usable; the same seed gives the same line.

    Russian for 'ru…' and an unknown (empty) language, English otherwise; English needs no gender.
    """
    code = (language or "ru").casefold()
    if code.startswith("ru"):
        variants = _FALLBACKS.get(("ru", persona_gender), _FALLBACKS[("ru", "other")])
    else:
        variants = _FALLBACKS[("en", "other")]
    return variants[seed % len(variants)]
