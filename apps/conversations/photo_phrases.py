"""Does the user ask the persona for a photo of herself or himself? Russian and English rules, no model calls.

A request is a verb aimed at the persona (imperative, "can you …", a 2nd-person question) with a photo word
close after it, or a fixed phrase ("как ты выглядишь", "what do you look like"). Not a request: the verb
negated ("не присылай", "don't send"), the user speaking of their own photos ("I'll send you a pic"), or a
photo of something else ("фото моего кота", "a photo of the beach").
"""

import re

# Up to three words between verb and object, within one clause ("мы пришли домой и смотрели фото" is no ask).
_GAP_WORD = r"(?!(?:и|а|но|или|что|чтобы|где|когда|потом|and|or|but|that|when|where|then)\b)[^\s.!?;,]+"
_WORD_GAP = rf"(?:[\s,]+{_GAP_WORD}){{0,3}}?[\s,]+"

# --- Russian (ё is folded to е first) ---
_RU_OBJECT = (
    r"(?:фото|фотк[аиуео]|фоткой|фоток|фоточк[аиуео]|фоточкой|фоточек|фотографи[юяией]|"
    r"селфи|себя|снимок|снимочек)"
)
_RU_ASK_VERB = (
    r"(?:пришли(?:те)?|присылай(?:те)?|скинь(?:те)?|скидывай(?:те)?|кинь(?:те)?|отправь(?:те)?|"
    r"вышли(?:те)?|покажи(?:те)?|показывай(?:те)?|дай(?:те)?|сфоткай(?:те)?)"
)
_RU_FUTURE_VERB = r"(?:пришлешь|пришлете|скинешь|скинете|кинешь|отправишь|покажешь|покажете|дашь|дадите)"
# Negated yet polite when asked as a question: "не пришлешь фотку?", "не могла бы ты прислать фото?".
_RU_POLITE = re.compile(rf"^(?:{_RU_FUTURE_VERB}|можешь|можете|сможешь|сможете|мог(?:ла|ли)?\s+бы)$")
_RU_INFINITIVE = r"(?:прислать|скинуть|кинуть|отправить|выслать|показать|сфоткать)"
_RU_MODAL = r"(?:можешь|можете|сможешь|сможете|мог(?:ла|ли)?\s+бы|можно)"
# "фото моего кота": the photo is of something else.
_RU_OTHER_SUBJECT = r"(?!\s+(?:(?:мо|тво|сво|наш|ваш)(?:его|ей|их)|этого|этой|этих|того|той|тех)\b)"

_RU_RULES = [
    rf"\b(?P<verb>{_RU_ASK_VERB}|{_RU_FUTURE_VERB}){_WORD_GAP}{_RU_OBJECT}\b{_RU_OTHER_SUBJECT}",
    rf"\b(?P<verb>{_RU_MODAL}){_WORD_GAP}{_RU_INFINITIVE}{_WORD_GAP}{_RU_OBJECT}\b{_RU_OTHER_SUBJECT}",
    rf"\b(?P<verb>сделай(?:те)?){_WORD_GAP}селфи\b",
    r"\b(?P<verb>сфот(?:кай|ографируй)(?:ся|тесь)|сфот(?:ка|ографиру)(?:ешься|етесь)|покажи(?:сь|тесь))\b",
    rf"\b(?P<verb>можно|хочу|хотел[аи]?\s+бы|дай(?:те)?|есть)(?:\s+[^\s.!?;]+){{0,2}}?\s+"
    rf"тво(?:е|ю|и|й|их)\s+{_RU_OBJECT}\b",
    r"\b(?P<verb>можно)\s+(?:мне\s+|еще\s+|одн[уо]\s+)*(?:фото|фотк[уи]|фоточк[уи]|фотографию|селфи)\s*(?:\?|$)",
    r"\b(?P<verb>как)(?:\s+(?:ты|вы|же|сейчас|теперь|вообще|там))*\s+выгляди(?:шь|те)\b",
    r"\b(?P<verb>хочу|хотел[аи]?\s+бы|можно|дай(?:те)?|мечтаю)(?:\s+(?:мне|еще|уже|так|очень|хоть|наконец))*\s+"
    r"(?:тебя\s+увидеть|увидеть\s+тебя|на\s+тебя\s+(?:посмотреть|взглянуть)|(?:посмотреть|взглянуть)\s+на\s+тебя)\b",
]
# "не присылай", "не надо", "не хочу": the request is refused. "не пришлешь фотку?" stays a polite request.
_RU_NEGATION = re.compile(
    r"\b(?:не|нельзя|никогда|хватит|перестань)(?:\s+(?:надо|нужно|стоит|хочу|хочется|буду|будешь|смей|"
    r"вздумай|больше|мне|пока|сейчас|пожалуйста))*\s+$"
)

# --- English (’ is folded to ') ---
_EN_OBJECT = r"(?:photos?|pics?|pictures?|pix|photographs?|selfies?|yourself)"
_EN_VERB = r"(?:send|show|give|share|drop)"
# "a photo of my cat", "pics of the beach": of something else.
_EN_OTHER_SUBJECT = r"(?!\s+(?:of|from)\s+(?!you\b|yourself\b|u\b))"
_EN_RULES = [
    rf"\b(?P<verb>{_EN_VERB}){_WORD_GAP}{_EN_OBJECT}\b{_EN_OTHER_SUBJECT}",
    rf"\b(?P<verb>take|snap)\s+(?:a\s+|another\s+|one\s+more\s+|some\s+)?(?:selfies?|photos?|pics?|pictures?)\b"
    rf"{_EN_OTHER_SUBJECT}",
    r"\b(?P<verb>what)\s+(?:do\s+|does\s+)?(?:you|u)\s+look\s+like\b",
    r"\b(?P<verb>(?:can|could|may)\s+i|let\s+me|i(?:\s+want|\s+wanna|\s+would\s+love|'d\s+love|'d\s+like|\s+would\s+like))"
    r"\s+(?:to\s+)?see\s+(?:you|u|yourself|what\s+you\s+look\s+like)\b"
    r"(?!\s+(?:tomorrow|tonight|later|soon|again|next|on|at|in|after|before|there)\b)",
]
_EN_NEGATION = re.compile(
    r"\b(?:don't|dont|do\s+not|never|no\s+need\s+to|stop)(?:\s+(?:please|ever|again|really|even|just))*\s+$"
)
# "I'll send you a pic", "let me show you a photo": the user offers, not asks.
_EN_FIRST_PERSON = re.compile(
    r"\b(?:i|we|i'll|we'll|i'd|i'm|let\s+me|let's)(?:\s+(?:will|would|can|could|should|might|gonna|wanna|"
    r"want\s+to|need\s+to|have\s+to|am\s+going\s+to|just|also|then|already|did|do))*\s+$"
)

_RU = [re.compile(rule) for rule in _RU_RULES]
_EN = [re.compile(rule) for rule in _EN_RULES]


def photo_requested(text: str) -> bool:
    """True when the user asks the persona for a photo of herself/himself, in Russian or English."""
    folded = (text or "").lower().replace("ё", "е").replace("’", "'")
    for pattern in _RU:
        for match in pattern.finditer(folded):
            before, verb = folded[: match.start()], match.group("verb")
            negated = _RU_NEGATION.search(before)
            if not negated or (_RU_POLITE.match(verb) and "?" in folded[match.end() :]):
                return True
    for pattern in _EN:
        for match in pattern.finditer(folded):
            before = folded[: match.start()]
            if not _EN_NEGATION.search(before) and not _EN_FIRST_PERSON.search(before):
                return True
    return False
