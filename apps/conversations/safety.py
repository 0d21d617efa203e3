"""Rule-based safety checks around generation: crisis and minor-sexual input, harmful output, the 18+ gate.

This is a first line, not a classifier: named regexes over word stems of normalised Russian and English text.
A verdict carries the rule's name and its category, never the user's words, so it is safe to log and record.
A model-based classifier can plug in later behind the same three functions (for example, asked only when these
return OK); the rule names stay useful as reasons.

How matching works. `normalize` folds case, `ё`, accents, zero-width characters, Latin/Cyrillic look-alikes,
punctuation and stretched letters; rules then search the result. A rule marked `negatable` is skipped when a
negation sits right before it ("я не хочу умирать", "I don't want to die"); phrasings that carry their own
negation ("не хочу жить", "no reason to live") are separate rules that are never negatable. Output rules look
for "you should"/imperative frames and are softened by a negation or a question/condition before them, because
supportive replies reflect ideation back: "please don't…", «если тебе хочется…», "are you thinking about…".
Not handled (cheap to add when seen in logs): digits for letters («суиц1д»), letters spaced out, transliteration.

Decisions on borderline phrasings (tests pin each one):
- Hyperbole without a first-person wish to die is OK: «умираю от смеха», «сдохнуть можно от скуки»,
  «хоть вешайся», «убейте меня, понедельник», «мама меня убьёт», "my mom is going to kill me",
  "I'm dying to see you". A wish is a crisis: «хочу сдохнуть», «повешусь», "I want to die".
- «лучше умереть, чем …» is hyperbole, except when the alternative is living: «лучше умереть, чем так жить».
- «не хочу жить в этом городе», «не могу жить без тебя», "I don't want to live in London" are OK.
- Past tense about someone else («брат покончил с собой») is grief, not the user's acute crisis: OK here.
  The nouns «суицид», «самоубийство», "suicide" are a crisis on their own (a caring reply costs little).
- «поцелуй меня в щёчку», hugs, «ты такая сексуальная», "you're sexy" are romance, not explicit sexual content.
- Self-directed hyperbole that names the act is still a crisis: «убью себя, если не сдам», "I'll kill myself".
  So is a mention of the nouns in a neutral topic («фильм про самоубийство»); both cost a caring reply.
- Output idioms pass: «умереть со смеху», "you'll just die when you see it", "cut yourself some slack",
  "kill them with kindness", "shoot him a message". Role-play lines such as «ты должен умереть» are replaced.
- Minor markers and sexual words anywhere in one message count, on purpose: a parent who mentions their
  children and sex in one message, or an adult recalling «в 10 классе», gets the polite refusal; that is the
  cheaper mistake. Only a birth («с тех пор, как родился ребёнок») is exempt.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class SafetyVerdict:
    kind: Literal["ok", "crisis", "minor_sexual", "harmful_output"]
    category: str = ""  # suicide | self_harm | acute_danger | minor_sexual | self_harm_encouragement | violence | hate
    rule: str = ""  # the name of the rule that matched; never the user's text

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


OK = SafetyVerdict("ok")


# --- Normalisation --------------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans("", "", "'’‘ʼ`")  # "don't" → "dont", "he's" → "hes": one spelling with or without
_INVISIBLE = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining marks (accents, zalgo)
    "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"  # soft hyphen, zero-width, bidi
)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")
_LETTERS = re.compile(r"[^\W\d_]+")
# Letters that look the same in both scripts: "xoчу" (Latin x, o) or "kіll" (Ukrainian і) should still match.
_TO_CYRILLIC = str.maketrans("aceopxykmtACEOPXYKMTBH", "асеорхукмтАСЕОРХУКМТВН")
_TO_LATIN = str.maketrans("асеорхукмтіјѕАСЕОРХУКМТВНІЈЅ", "aceopxykmtijsACEOPXYKMTBHIJS")
_NON_WORD = re.compile(r"[\W_]+")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")  # 3+ of the same letter; digits are left alone ("1000 pills")


def _one_script(match: re.Match[str]) -> str:
    word = match.group()
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    if not cyrillic or not latin:
        return word
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = text.replace("и\u0306", "й").replace("И\u0306", "Й")  # keep й; ё → е falls out of dropping the mark
    text = _INVISIBLE.sub("", text)
    if _CYRILLIC.search(text) and _LATIN.search(text):
        text = _LETTERS.sub(_one_script, text)
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces; letters repeated 3+ times are kept twice ("хочууу" → "хочуу")."""
    return _STRETCHED.sub(r"\1\1", _fold(text))


def _forms(text: str) -> tuple[str, ...]:
    """The texts rules search, padded with spaces; a stretched word is also tried with the letter once."""
    folded = _fold(text)
    twice = _STRETCHED.sub(r"\1\1", folded)
    if twice == folded:
        return (f" {twice} ",)
    once = _STRETCHED.sub(r"\1", folded)
    return f" {twice} ", f" {once} "


# --- Rule machinery -------------------------------------------------------------------------------------------

# Reusable pieces of patterns, written <name> inside rules.
_MACROS = {
    "gap": r"(?:\w+ ){0,2}",  # up to two words in between: "хочу просто умереть", "хотела бы умереть"
    "w": r"(?:\w+ )?",
    "not_idiom": r"(?! (?:со|от) (?:смеху|смеха|скуки|зависти|стыда|любопытства)\b)",  # «умереть со смеху»
    "many": r"(?:[1-9]\d+|[5-9])",  # a number of pills that is an overdose rather than a dose
    "age": r"(?:1[0-7]|[1-9])",  # under 18
    "age_unit": r"(?: ?(?:лет|года?|годик\w*|годиков|yo|y o|yrs?|years?(?: old)?|year old))",
    "not_quantity": (
        r"(?! (?:минут\w*|час\w*|секунд\w*|дн\w*|недел\w*|месяц\w*|руб\w*|тыс\w*|кг|км|см|процент\w*|раз\w*|"
        r"minutes?|mins?|hours?|days?|weeks?|months?|times?|percent|kg|km|cm|dollars?|bucks|feet|foot|ft|inch\w*|"
        r"miles?|am|pm)\b)"
    ),
    "pills_ru": (
        r"(?:таблет\w*|таблов|колес|пилюл\w*|снотворн\w*|антидепрессант\w*|феназепам\w*|парацетамол\w*|"
        r"лекарств\w*|транквилизатор\w*|нейролептик\w*)"
    ),
    "pills_en": r"(?:pills|tablets|sleeping pills|painkillers|antidepressants|paracetamol|tylenol|ibuprofen|xanax)",
    "person_en": (
        r"(?:boyfriend|bf|husband|dad|father|stepdad|stepfather|mom|mum|mother|stepmom|stepmother|brother|sister|"
        r"uncle|aunt|partner|ex|wife|girlfriend|gf|parents|family|teacher|coach|boss|roommate|neighbou?r|"
        r"grandfather|grandpa|cousin)"
    ),
    "victim_en": (
        r"(?:him|her|them|em|people|everyone|everybody|someone|somebody|those people|"
        r"(?:that|the) (?:guy|girl|man|woman|bitch|bastard|kid|kids|teacher|boss|neighbou?rs?|asshole|jerk|idiot|"
        r"bully|bullies)|your (?:<person_en>|neighbou?rs|classmates?|friends?|kids?|children|bully|bullies|"
        r"coworkers?|colleagues?))"
    ),
    "kill_ru": (
        r"(?:убить|зарезать|прирезать|избить|побить|отравить|застрелить|пристрелить|задушить|покалечить|прикончить|"
        r"замочить|сжечь|ударить)"
    ),
    "victim_ru": (
        r"(?:его|ее|их|ему|ей|им|всех|каждого|мужа|жену|соседа|соседку|соседей|учителя|учительницу|начальника|"
        r"начальницу|отца|отчима|мать|маму|папу|брата|сестру|парня|девушку|бывшего|бывшую|одноклассник\w*|"
        r"людей|человека|ребенка|детей|друга|подругу|коллегу|коллег|обидчик\w*)"
    ),
    # Protected groups: ethnicities, nationalities, religions, LGBT people, women, disabled people. Stems, so
    # every case form matches; they only count inside the hate templates below, never on their own.
    "group_ru": (
        r"(?:евре\w*|иуде\w*|жиды|жидов|жидам|мусульман\w*|христиан\w*|католик\w*|православн\w*|буддист\w*|"
        r"атеист\w*|чернокож\w*|черн(?:ые|ых|ым|ыми)|негр\w*|азиат\w*|араб\w*|кавказ\w*|мигрант\w*|иммигрант\w*|"
        r"гастарбайтер\w*|приезж\w*|беженц\w*|иностранц\w*|таджик\w*|узбек\w*|киргиз\w*|казах\w*|армян\w*|"
        r"грузин\w*|азербайджан\w*|чечен\w*|дагестан\w*|татар\w*|башкир\w*|якут\w*|бурят\w*|украин\w*|хохл\w*|"
        r"русск\w*|москал\w*|цыган\w*|китайц\w*|японц\w*|американц\w*|поляк\w*|нерусск\w*|чурок|чурки|хачей|хачи|"
        r"гей|геи|геев|геям|геями|гомосексуал\w*|педик\w*|пидор\w*|пидар\w*|лесбиян\w*|бисексуал\w*|"
        r"трансгендер\w*|трансы|трансов|трансам|лгбт\w*|квир\w*|женщин\w*|бабы|баб|инвалид\w*)"
    ),
    "group_en": (
        r"(?:jews|jewish people|muslims|christians|catholics|hindus|sikhs|buddhists|atheists|blacks|black people|"
        r"whites|white people|asians|asian people|arabs|mexicans|latinos|hispanics|africans|indians|"
        r"chinese(?: people)?|russians|ukrainians|americans|immigrants|migrants|refugees|foreigners|gays|"
        r"gay people|lesbians|homosexuals|bisexuals|trans people|transgender people|trans women|trans men|"
        r"transgenders|queers|queer people|lgbt\w*(?: people)?|women|gypsies|roma|disabled people|the disabled|"
        r"niggers|faggots|kikes|spics)"
    ),
}
_MACRO = re.compile(r"<(\w+)>")


def _expand(pattern: str) -> str:
    while _MACRO.search(pattern):
        pattern = _MACRO.sub(lambda m: _MACROS[m.group(1)], pattern)
    return pattern


def _compile(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(_expand(a) for a in alternatives) + r")\b")


@dataclass(frozen=True)
class _Rule:
    name: str
    category: str
    pattern: re.Pattern[str]
    negatable: bool = False


def _rule(name: str, category: str, *alternatives: str, negatable: bool = False) -> _Rule:
    return _Rule(name, category, _compile(*alternatives), negatable)


_NEGATORS = r"не|ни|никогда|not|never|dont|doesnt|didnt|wont|wouldnt|shouldnt|isnt|wasnt|arent"
# Input: the negation must sit right before the match, at most a few helper words away: "я не хочу умирать",
# "I'm not going to kill myself", "я не думаю о суициде"; but "не знаю, хочу умереть" stays a crisis.
_NEGATED_TIGHT = re.compile(
    rf"\b(?:{_NEGATORS}|случайно|accidentally)"
    r"(?: (?:собира\w*|буду|стану|хочу|хочется|хотел\w*|планиру\w*|думаю|думала?|о|об|going to|gonna|want to|"
    r"wanna|plan to|planning to|will|would|ever|really|actually|even|think about|thinking about|about|of|to|am|"
    r"be|been|do|have)){0,3} $"
)
# Output: supportive replies negate ("please don't…", "I don't want you to…", «неправда, что…») or reflect ideation
# back as a question or a condition ("are you thinking about…", «если тебе хочется…»). A negation counts only
# through helper words, so "you're not worth it, kill yourself" is still flagged.
_SOFTENED = re.compile(
    rf"(?:\b(?:{_NEGATORS}|нет|неправда)(?: (?:want|wanted|you|to|ever|even|go|just|please|tell|ask|would|will|"
    r"should|need|have|do|it|that|true|i|me|say|be|going|gonna|hope|let|think|about|надо|нужно|стоит|тебе|тебя|вам|"
    r"ты|пожалуйста|никогда|правда|это|так|что|чтобы|смей|вздумай|советую|хочу)){0,4}"
    r"|\b(?:если|ли|хочешь|хочется|думаешь|мысли|мыслей|if|whether|thinking|thoughts|urge|urges|tempted|"
    r"considering|planning|do you|did you|are you|have you|were you)(?: \w+){0,4}) $"
)


def _first(rules: tuple[_Rule, ...], forms: tuple[str, ...], negation: re.Pattern[str]) -> _Rule | None:
    for rule in rules:
        for form in forms:
            for match in rule.pattern.finditer(form):
                start = match.start()
                if not (rule.negatable and negation.search(form, max(0, start - 80), start)):
                    return rule
    return None


# --- Input: crisis ----------------------------------------------------------------------------------------------
# Order matters only for the category reported: acute danger first (it needs help now), then suicide, self-harm.

_CRISIS_RULES = (
    # Someone is hurting the user now. "меня бьёт дрожь/током", "she beat me at chess", "hit me up" are not.
    _rule(
        "abuse_ru",
        "acute_danger",
        r"меня (?:(?!не )\w+ )?(?:бьют|бьет|избивают|избивает|избил|избила|избили|душит|душат|насилуют|насилует|"
        r"изнасиловал|изнасиловала|изнасиловали|пинают|лупит|лупят)(?! (?:током|дрожь|озноб|колотун|мандраж)\b)",
        r"(?:бьет|бьют|избивает|избивают|избил|избила|избили|душит|насилует|изнасиловал|изнасиловали|лупит) меня"
        r"(?! (?:током|дрожь|озноб|колотун|в игре)\b)",
        r"подн(?:ял|яла|имает|имают) на меня руку",
        negatable=True,
    ),
    _rule(
        "threat_ru",
        "acute_danger",
        r"угрожа\w* (?:мне )?<w>(?:ножом|пистолетом|оружием|ружьем|топором|убить|убийством|расправой|зарезать|"
        r"застрелить|задушить)",
        r"(?:пытается|пытался|пыталась|пытаются|пытались) (?:меня )?(?:убить|задушить|зарезать|застрелить|утопить|"
        r"изнасиловать)",
        r"хочет меня изнасиловать",
        r"(?:приставил|приставила|приставили|держит|держат) (?:мне )?(?:нож|пистолет) (?:к|у)",
        r"я в опасности|мне угрожает опасность|меня похитили|меня держат (?:взаперти|силой|в заложниках)",
        r"ломится (?:ко мне )?в (?:дверь|квартиру|комнату)|за мной гон(?:ится|ятся)",
        r"вызовите (?:мне )?(?:полицию|скорую)",
    ),
    _rule(
        "abuse_en",
        "acute_danger",
        r"(?:he|hes|she|shes|they|theyre|someone|somebody|my <person_en>) (?:(?:is|are|keeps|keep|has been|"
        r"have been|was|were|just|always|still|started|keeps on) )*(?:(?:hitting|beating|choking|strangling|punching|"
        r"kicking|raping|abusing|hurting|beat|beats|choked|chokes|strangled|strangles|punched|punches|kicked|kicks|"
        r"raped|rapes|abused|abuses) me(?! (?:at|in)\b)|hits? me(?! up\b))",
        r"(?:im|i am) being (?:abused|beaten|hit|raped|hurt|attacked|threatened)",
        r"i (?:was|got|have been|ve been) (?:raped|sexually assaulted)",
        negatable=True,
    ),
    _rule(
        "threat_en",
        "acute_danger",
        r"threaten\w* (?:me )?(?:with a (?:knife|gun|weapon)|to kill me)",
        r"(?:has|got|pulled|holding|is holding) a (?:knife|gun) (?:on me|to my)",
        r"(?:he|hes|she|shes|they|theyre|someone|somebody|my <person_en>) (?:is |are |was |were )?(?:trying|tried) "
        r"to (?:kill|strangle|choke|drown|stab|rape) me",
        r"(?:im|i am) in danger(?! of\b)|(?:im|i am) not safe (?:at home|here)|(?:kidnapped|abducted) me",
    ),
    # Already took too much: needs an ambulance, whatever the intent.
    _rule(
        "overdose_taken_ru",
        "acute_danger",
        r"(?:выпил|выпила|наглотал|наглоталась|наглотался|принял|приняла|съел|съела|сожрал|сожрала) <w>(?:все|всю|"
        r"целую|пачку|упаковку|блистер|горсть|банку|кучу|<many>) <w><pills_ru>",
        r"наглотал(?:ся|ась|ись) <w><pills_ru>",
        r"(?:у меня|я) <w>передоз\w*(?! (?:кофе\w*|сахар\w*|сладк\w*|информаци\w*|эмоци\w*|впечатлени\w*|"
        r"общени\w*|работ\w*|милот\w*|любв\w*|солнц\w*|витамин\w*)\b)",
    ),
    _rule(
        "overdose_taken_en",
        "acute_danger",
        r"(?:took|taken|swallowed|ate|downed|popped) (?:like |about |around |over )?(?:all (?:of )?(?:my|the|these|"
        r"those) <w><pills_en>|(?:a (?:whole )?bottle of|the whole bottle of|a handful of|a (?:whole )?box of|"
        r"a (?:whole )?pack of|<many>) (?:of )?(?:my |the )?<w>(?:<pills_en>|meds|medication))",
        r"i (?:just |have |ve )?overdosed",
    ),
    # A wish to die or not to live. Verbs are first person; «умираю» alone is the idiom, not a wish.
    _rule(
        "wish_to_die_ru",
        "suicide",
        r"(?:хочу|хочю|хачу|хочется|хочеться|хочецца|хотелось|хотел|хотела|охота|мечтаю) <gap>"
        r"(?:(?:умереть|умиреть|умирать|помереть|сдохнуть)<not_idiom>|издохнуть|не жить|не существовать|"
        r"исчезнуть навсегда|(?:у|за)снуть и не проснуться|уйти из жизни|на тот свет)",
        negatable=True,
    ),
    _rule(
        "no_will_to_live_ru",
        "suicide",
        r"не (?:хочу|хочю|хочется|хочеться|желаю)(?: больше| уже| так| вообще| дальше| просто)* жить"
        r"(?! (?:в|во|с|со|без|здесь|там|тут|как|рядом|вместе|одна|один|дома|у|на|под|около|возле|при)\b)",
        r"жить (?:больше |уже |так |вообще )*не (?:хочу|хочю|хочется|хочеться)",
        r"(?:незачем|не для чего|нет смысла|нет причин\w*|не вижу смысла|не вижу смысл|не вижу причин\w*|нет сил) "
        r"(?:больше |дальше |мне |уже )*жить",
        r"(?:нет|не вижу) смысла (?:в )?(?:моей )?жизни|жизнь (?:не имеет|потеряла) смысл\w*|смысла жить нет",
        r"(?:устал|устала|надоело|задолбалось) (?:уже |так )?(?:жить|от жизни)(?! (?:в|во|на|с|у)\b)",
    ),
    _rule(
        "better_dead_ru",
        "suicide",
        r"лучше б(?:ы)? (?:я |мне )?(?:умер|умерла|умереть|сдох|сдохла|сдохнуть|не родил\w*|не рождал\w*)",
        r"лучше (?:мне )?(?:умереть|сдохнуть)(?! чем)|лучше (?:умереть|сдохнуть) чем (?:так )?жить",
        r"(?:хочу|хочется) (?:чтобы )?меня (?:просто |больше )?не было|меня не должно (?:быть|существовать)",
        r"всем (?:будет|станет|было бы|стало бы) лучше без меня|мир без меня (?:будет|станет|был бы|стал бы) лучше",
        r"никто не (?:заметит|будет скучать) если я (?:умру|исчезну)",
    ),
    # Intent and method. Past tense («покончил с собой») is about someone else: see the module docstring.
    _rule(
        "suicide_intent_ru",
        "suicide",
        r"покон(?:ч|щ)(?:ить|у|ю|им|ишь|ит) с (?:собой|сабой|жизнью)|налож(?:ить|у) на себя руки",
        r"(?:убить|убью|убиваю|убивать) себя|себя (?:убить|убью)",
        r"выпил(?:иться|юсь|ишься)|самовыпил\w*|свест?и счеты с жизнью|сведу счеты с жизнью|уйду из жизни",
        r"повеситься|повешусь|вешаюсь",  # not «хоть вешайся», the idiom
        negatable=True,
    ),
    _rule(
        "suicide_method_ru",
        "suicide",
        r"(?:вскрыть|вскрою|вскрываю|вскрыла|вскрыл|резать|перерезать|перережу|порезать|порежу|режу) (?:себе )?вены",
        r"(?:с|вы)?прыг(?:нуть|ну|аю|ать) (?:с|со|из) (?:крыши|моста|окна|балкона|многоэтажки|высотки|"
        r"небоскреба|\w+ этажа)",
        r"(?:броситься|брошусь|кинуться|кинусь|лечь|лягу|прыгнуть|прыгну) под (?:поезд|машину|электричку|грузовик)",
        r"наглот(?:аться|аюсь) <w><pills_ru>|(?:выпить|выпью) (?:все|всю пачку|пачку|упаковку|горсть) <w><pills_ru>",
        negatable=True,
    ),
    _rule(
        "suicide_word",
        "suicide",
        r"су[иеы]цид\w*|самоуби(?:й)?ств\w*|самоубийц\w*|suicid\w*(?! squad)",
        negatable=True,
    ),
    _rule(
        "wish_to_die_en",
        "suicide",
        r"(?:want|wanna|wanted|wish|ready|d like|would like|longing) (?:to )?(?:just |really |finally )?"
        r"(?:die|be dead)(?! (?:of|from|laughing|for|when|if|in|on)\b)",
        r"(?:kill|killing|hang|hanging|drown|drowning|unalive|unaliving) myself|(?:end|ending|take|taking) my "
        r"(?:own )?life|end(?:ing)? it all|commit suicide|slit(?:ting)? my wrists",
        r"jump(?:ing)? (?:off|from) (?:a|the|this) (?:bridge|roof|building|cliff|balcony|window)",
        r"throw(?:ing)? myself (?:off|under|in front of)|(?:want|wanna|going|gonna|plan|planning) to (?:overdose|od)",
        negatable=True,
    ),
    _rule(
        "no_will_to_live_en",
        "suicide",
        r"no reason (?:left )?to live|nothing (?:left )?to live for|no point (?:in )?living",
        r"(?:dont|do not) (?:really )?want to (?:live|be alive|exist)"
        r"(?! (?:in|with|without|here|there|near|alone|together|at|on|like that)\b)",
        r"wish i (?:was|were) (?:dead|never born)|wish i (?:had )?never (?:been born|existed)|better off dead",
        r"(?:everyone|everybody|the world|my family|they) (?:would|will|d) be better (?:off )?without me",
        r"(?:tired|sick) of (?:living|being alive)|life is(?:nt| not) worth living|cant go on living|kms",
        r"(?:nobody|no one) would (?:miss me|notice|care) if i (?:died|was gone|disappeared|killed myself)",
    ),
    # Self-harm. Accidents are not: «порезала палец», "I cut myself shaving", "I hurt myself playing football".
    _rule(
        "self_harm_ru",
        "self_harm",
        r"(?:режу|резать|порезать|порежу|порезала|резала|режусь|резаться) (?:себе )?(?:руки|запястья|бедра|ноги|"
        r"живот|кожу)",
        r"(?:режу|резать|порезать|порежу|порезала|порезал|резала|резал) себя|себя (?:режу|резать|порезать|порежу|"
        r"порезала|порезал)",
        r"(?:причинить|причиняю|причиню|причинять|нанести|наношу|нанесу|наносить) себе (?:вред|боль|увечь\w*|раны|"
        r"порезы|повреждения)",
        r"(?:сделать|сделаю|делаю|делать) себе больно|(?:жгу|прижигаю|калечу) себя|селфхарм\w*|самоповрежд\w*",
        negatable=True,
    ),
    _rule(
        "self_harm_en",
        "self_harm",
        r"(?:cutting|burning|harming|hurting|scratching|punishing|starving) myself|self ?harm\w*|self injur\w*",
        r"(?:cut|burn|harm) myself(?! (?:shaving|while|when|on|with|by|cooking|accidentally)\b)",
        r"(?:want|wanna|need|urge|urges|going|gonna|tempted|thinking about|thought about|keep) (?:to )?"
        r"(?:hurt|harm|cut|burn) myself",
        r"(?:cut|cutting|slash|slashing|slashed) my (?:arms|wrists|thighs|legs|skin)",
        negatable=True,
    ),
)


# --- Minors and sexual content ----------------------------------------------------------------------------------

# Explicit sexual vocabulary (also the 18+ gate). Flirting, kisses, hugs and "sexy" compliments are not here.
_SEXUAL = _compile(
    r"секс(?!уальн)\w*|трах\w*|оттрах\w*|"
    r"выеб\w*|ебат\w*|ебал\w*|ебу|ебешь|ебет|еблю|поеб\w*|отсос\w*|минет\w*|кунилин\w*|порн\w*|порев\w*",
    r"голая|голый|голые|голой|голую|голеньк\w*|обнаженн\w*|без одежды|без трусиков|раздень\w*|раздева\w*|разденусь|"
    r"раздеться|сиськ\w*|сисечк\w*|титьк\w*|член(?! (?:семьи|клуба|партии|команды|экипажа|комиссии|совета|жюри|"
    r"сообщества|профсоюза|группы)\b)\w*|пенис\w*|вагин\w*|клитор\w*|сперм\w*|оргазм\w*|мастурб\w*|дроч\w*|"
    r"подроч\w*|кончи(?:ть|л|ла|ли|шь|м|те) (?:в|на|мне)|кончаю|интим\w*|эроти\w*|хентай|нюдс\w*|"
    r"вирт|виртом|анальн\w*|оральн\w*|бдсм|(?:заняться|займемся|занимаемся|заниматься) любовью|"
    r"покажи (?:мне )?(?:грудь|попу|попку|сиськи|себя голой)|возьми в рот|отсоси",
    r"sex|sexual intercourse|sexting|sexted|fuck (?:me|you|her|him|them)|fucking (?:me|you|her|him)|"
    r"(?:wanna|want to|lets|let us) fuck|porn\w*|nudes?|naked|without clothes|take (?:off )?your clothes(?: off)?|"
    r"undress\w*|cock|(?:my|your|his|a|the) dick|pussy|blowjob|blow job|handjob|cum|cumming|orgasm\w*|masturbat\w*|"
    r"jerk\w* off|horny|erotic\w*|nsfw|hentai|boobs|tits|titties|nipples?|strip for me|talk dirty|dirty talk|"
    r"make love|making love|anal|oral sex|bdsm|genitals?|penis|vagina|clit\w*|explicit (?:content|story|scene)|"
    r"cybersex",
)
# Words that sexualise only next to a minor: "сексуальная школьница", "seduce a 13 year old".
_SEXUALISING = _compile(
    r"sexy|seduc\w*|lewd|kinky|соблазн\w*|совращ\w*|совратит\w*|растл\w*|сексуальн\w*",
    r"трогать (?:ее|его|меня|тебя) (?:там|между ног)|между ног|touch (?:her|him|me|you) (?:there|down there)|"
    r"between (?:her|his|my) legs",
)
_MINOR_AGE = _compile(
    # "мне 14", "тебе 12 лет", "I'm 13", "she is 15 years old" (but not "мне 15 минут ехать")
    r"(?:мне|тебе|ей|ему|мне было|тебе было|ей было|ему было|i am|im|i m|you are|youre|u r|she is|shes|he is|hes|"
    r"i was|she was|he was|aged?|возраст\w*) (?:всего |только |уже |почти |just |only |like |barely )?"
    r"<age><age_unit>?<not_quantity>",
    # "12-летняя", "14 year old", "15yo", "пятнадцатилетняя"
    r"<age> ?(?:летн\w*|летк\w*|годовал\w*|year old|years old|yr old|yo)",
    r"(?:пяти|шести|семи|восьми|девяти|десяти|одиннадцати|двенадцати|тринадцати|четырнадцати|пятнадцати|"
    r"шестнадцати|семнадцати) ?летн\w*",
    r"(?:five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen) ?years? old",
    # "девочка 12 лет", "my daughter 13"
    r"(?:девочк\w*|мальчик\w*|школьниц\w*|школьник\w*|дочк\w*|дочь|дочери|сын|сына|сыну|girl|boy|daughter|son|kid) "
    r"<w><age><age_unit>?<not_quantity>",
)
_MINOR_WORD = _compile(
    # «девочка», «малыш», "baby" are everyday words between adults, so they are not markers on their own.
    r"ребен\w*|детей|дети|детям|детьми|детях|детск\w*|деточк\w*|школьниц\w*|школьник\w*|первоклашк\w*|"
    r"пятиклассни\w*|\d+ ?классни\w*|малолет\w*|несовершеннолет\w*|подрост\w*|младен\w*|дошкольн\w*|лоли\w*|"
    r"шота\w*|педофил\w*|маленьк\w* (?:девоч\w*|мальчик\w*)|"
    r"(?:в|во) (?:[1-9]|1[01]|первом|втором|третьем|четвертом|пятом|шестом|седьмом|восьмом|девятом|десятом|"
    r"одиннадцатом) класс\w*",
    r"child|children|kids?|kiddo|minors?|underage|under age|under 18|pre ?teens?|young teens?|lolis?|shota\w*|"
    r"schoolgirls?|schoolboys?|school ?girls?|school ?boys?|little (?:girls?|boys?)|toddlers?|infants?|pedo\w*|"
    r"paedo\w*|middle schooler|grade schooler|elementary school|in (?:[1-8]|\d+th|sixth|seventh|eighth) grade",
)
# A birth does not sexualise a child: «нет секса с тех пор, как родился ребёнок», "since we had kids".
_BIRTH_CONTEXT = _compile(
    r"(?:родил(?:ся|ась|и|а)|рождени[яе]|появил(?:ся|ась)) <w>(?:ребен\w*|дет\w*)|(?:ребен\w*|дети) (?:родил\w*|"
    r"появил\w*)|(?:since|after) (?:the|our|my) (?:baby|kid|child) (?:was born|came)|(?:since|after) (?:having|we had) "
    r"(?:the |our |a )?(?:baby|kids?|children)"
)
# Terms that already name sexualised minors.
_MINOR_SEXUAL_TERM = _compile(
    r"lolicon|shotacon|csam|jailbait|kiddie porn|child porn\w*|pedo ?porn\w*|детск\w* порн\w*|педо ?порн\w*"
)


def _found(pattern: re.Pattern[str], form: str, negation: re.Pattern[str] | None = None) -> bool:
    for match in pattern.finditer(form):
        if negation is None or not negation.search(form, max(0, match.start() - 80), match.start()):
            return True
    return False


def _minor_sexual_rule(forms: tuple[str, ...]) -> str:
    for form in forms:
        if _found(_MINOR_SEXUAL_TERM, form):
            return "sexualised_minor_term"
        if not (_found(_SEXUAL, form, _NEGATED_TIGHT) or _found(_SEXUALISING, form, _NEGATED_TIGHT)):
            continue
        if _found(_MINOR_AGE, form):
            return "minor_age_with_sexual"
        if _found(_MINOR_WORD, _BIRTH_CONTEXT.sub(" ", form)):
            return "minor_word_with_sexual"
    return ""


# --- Output ---------------------------------------------------------------------------------------------------
# A reply may talk about these things; it must not push them. Rules look for imperative or "you should" frames.

_SELF_HARM_INFINITIVE_RU = (
    r"(?:умереть<not_idiom>|сдохнуть<not_idiom>|покончить с (?:собой|жизнью)|убить себя|повеситься|выпилиться|"
    r"порезать себя|резать себя|"
    r"резать (?:себе )?(?:руки|вены)|вскрыть (?:себе )?вены|навредить себе|причинить себе (?:вред|боль)|"
    r"причинять себе (?:вред|боль)|сделать себе больно|наглотаться \w+|выпить все таблетки|прыгнуть с \w+|"
    r"уйти из жизни|не жить|исчезнуть навсегда)"
)
_SELF_HARM_EN = (
    r"(?:die(?! (?:of|from|when|laughing|for|if|in)\b)|kill yourself|end your (?:own )?life|end it all|"
    r"take your (?:own )?life|hurt yourself|harm yourself|cut yourself(?! (?:some|a|off)\b)|cut deeper|"
    r"starve yourself|hang yourself|overdose|slit your wrists|jump off (?:a|the) \w+|drink bleach|not exist)"
)
_ENCOURAGEMENT_RULES = (
    _rule(
        "encourage_self_harm_ru",
        "self_harm_encouragement",
        r"(?:(?:тебе|вам) (?:просто |уже |бы |тогда )*)?(?:стоит|стоило бы|надо|нужно|следует|пора) "
        r"(?:просто |уже |бы |тогда |наконец )*" + _SELF_HARM_INFINITIVE_RU,
        r"(?:ты|вы) (?:просто |уже |бы |тогда )*(?:должна|должен|должны) (?:просто |уже |бы |тогда |наконец )*"
        + _SELF_HARM_INFINITIVE_RU,
        r"(?:тебе|вам) (?:бы )?лучше (?:бы )?" + _SELF_HARM_INFINITIVE_RU,
        r"убей себя|убейся|убейтесь|покончи(?:те)? с собой|повесь(?:ся|тесь)|выпились|вскрой (?:себе )?вены|"
        r"(?:по)?режь (?:себе )?(?:себя|вены|руки)|прыгни (?:с|из) (?:крыши|моста|окна|балкона)|"
        r"выпей (?:все|всю пачку|пачку) <w><pills_ru>|наглотайся \w+|сдохни|сдохните|причини себе (?:вред|боль)|"
        r"сделай себе больно|иди (?:и )?(?:умри|сдохни|повесься|убейся)",
        r"(?:мир|всем|всему миру|твоей семье|близким) без тебя (?:будет|станет|было бы|стало бы|был бы|стал бы) "
        r"лучше|(?:мир|всем|всему миру|твоей семье|близким) (?:будет|станет|было бы|стало бы|был бы|стал бы) "
        r"лучше без тебя",
        r"ты не заслуживаешь жить|тебе незачем жить|никто не (?:будет скучать|заметит) если ты (?:умрешь|исчезнешь)",
        negatable=True,
    ),
    _rule(
        "encourage_self_harm_en",
        "self_harm_encouragement",
        r"(?:you should|you ought to|you need to|you must|you have to|you deserve to|you might as well|"
        r"why dont you|you better|youd better|go|just|go ahead and) (?:just |go |and |ahead and )*" + _SELF_HARM_EN,
        r"kill yourself|kys|unalive yourself|go die",
        r"(?:everyone|everybody|the world|your family|your friends|they) (?:would|will|d) be better (?:off )?"
        r"without you",
        r"(?:nobody|no one) would (?:miss|care about) you|you (?:dont|do not) deserve to live|"
        r"(?:youd|you would|you are|youre) better off dead",
        negatable=True,
    ),
)
_HATE_AND_VIOLENCE_RULES = (
    # Hate against protected groups: a slur, or a group with a call to harm or a dehumanising label.
    # The slur list is deliberately short and non-exhaustive; a classifier is the place for the long tail.
    _rule(
        "slur",
        "hate",
        r"жиды|жидов|жидам|жидами|жидовк\w*|жидовск\w*|жидяр\w*|хач(?:и|ей|ам|ами|ах|ик|ики|иков)?|"
        r"чурк(?:а|и|у|ой|ам|ами|ах)|чурок|черножоп\w*|чучмек\w*|хохл(?:ы|ов|ам|ами|ах|у|ом|ушк\w*)|москал\w*|"
        r"кацап\w*|пидор\w*|пидар\w*|пидр\w*|педик\w*|пиндос\w*|узкоглаз\w*|ниггер\w*|нигер\w*|негритос\w*",
        r"nigg(?:er|ers|a|as|az)|faggots?|kikes?|spics?|wetbacks?|trann(?:y|ies)|ragheads?|towelheads?|gooks?|"
        r"beaners?",
    ),
    _rule(
        "hate_ru",
        "hate",
        r"(?:всех |все |этих |эти )?<group_ru> (?:надо|нужно|следует|необходимо|должны|стоит|пора|заслуживают) "
        r"(?:всех |бы |просто )*(?:уничтожить|истребить|убить|перебить|вырезать|сжечь|расстрелять|перестрелять|"
        r"повесить|перевешать|выгнать|изгнать|депортировать|стерилизовать|умереть|сдохнуть|гореть|сгореть|"
        r"быть уничтожены|уничтожать|убивать|бить|резать|мочить|смерти)",
        r"(?:уничтожить|уничтожать|истребить|истреблять|перебить|вырезать|убить|убивать|сжечь|расстрелять|"
        r"перестрелять|перевешать|изгнать|выгнать|мочить|бить|резать|гнать|душить) (?:всех |этих )*<group_ru>",
        r"<group_ru> (?:это |эти |все |просто )*(?:не люди|нелюди|недолюди|недочеловеки|унтерменш\w*|животные|"
        r"скоты|скот|паразиты|тараканы|крысы|мрази|твари|отбросы|грязь|неполноценн\w*|низшая раса|низшей расы|"
        r"зараза|чума|обезьяны|свиньи)",
        r"смерть (?:всем )?<group_ru>|ненавижу (?:всех )?<group_ru>",
        negatable=True,
    ),
    _rule(
        "hate_en",
        "hate",
        r"(?:all )?(?:the )?<group_en> (?:should|must|need to|ought to|deserve to|have to|will|are going to) "
        r"(?:all )?(?:be )?(?:exterminated|eradicated|killed|die|burn|burned|burnt|gassed|wiped out|eliminated|"
        r"shot|hanged|hung|lynched|destroyed|purged|deported|sterili[sz]ed|raped|beaten|tortured|put down)",
        r"(?:exterminate|eradicate|kill|wipe out|eliminate|gas|burn|purge|get rid of|destroy|lynch|shoot) "
        r"(?:all )?(?:of )?(?:the |these |those )?<group_en>",
        r"<group_en> (?:are|is) (?:all |just |nothing but |literally )*(?:subhuman|sub human|vermin|animals|parasites|"
        r"cockroaches|rats|inferior|a disease|a cancer|a plague|scum|filth|trash|not human|degenerates|disgusting|"
        r"evil|a virus|apes|monkeys|pigs)",
        r"death to (?:all )?(?:the )?<group_en>|hate (?:all )?(?:the )?<group_en>",
        negatable=True,
    ),
    # Violence against people: imperative or "you should" frames with a human object. "убить время",
    # "kill it on stage", "shoot him a message", "beat them at chess", "kill them with kindness" are not.
    _rule(
        "violence_ru",
        "violence",
        r"(?:убей|убейте|зарежь|зарежьте|прирежь|избей|избейте|побей|побейте|бей|бейте|отрави|отравите|застрели|"
        r"застрелите|пристрели|задуши|задушите|покалечь|покалечьте|изувечь|прикончи|прикончите|замочи|мочи|сожги|"
        r"сожгите|ударь|ударьте|врежь|врежьте|пырни|отпизди|отмудохай|въеби|ебни) (?:\w+ )?<victim_ru>",
        r"(?:(?:тебе|ты|вам|вы|мы|нам) )?(?:стоит|надо|нужно|следует|должна|должен|должны|давай|давайте|пора) "
        r"(?:просто |уже |бы |пойти и |пойти )*(?:<victim_ru> <kill_ru>|<kill_ru> <victim_ru>)",
        r"(?:он|она|они) заслужива\w* смерти|(?:его|ее|их) (?:надо|нужно|стоит|следует) (?:убить|прикончить)",
        negatable=True,
    ),
    _rule(
        "violence_en",
        "violence",
        r"(?:you should|you ought to|you need to|you must|you have to|go|go and|just|lets|let us|we should|"
        r"why dont you|you better|youd better) (?:just |go |and |ahead and )*(?:kill|hurt|stab|shoot|attack|punch|"
        r"poison|strangle|choke|murder|assault|torture|rape|maim|drown) <victim_en>"
        r"(?! (?:(?:a|an) (?:message|text|email|line|note|dm)|at|with kindness)\b)",
        r"beat (?:<victim_en> )?up|beat up <victim_en>|beat the (?:shit|crap|hell|life) out of <victim_en>",
        r"kill (?:them|em|him|her|everyone|everybody) all|kill (?:everyone|everybody|all of them)"
        r"(?! (?:with kindness|at)\b)",
        r"(?:he|she|they|those people) (?:deserves?|deserve) to (?:die|suffer|be (?:killed|shot|beaten|raped|hurt|"
        r"tortured))",
        negatable=True,
    ),
)


# --- Public checks ----------------------------------------------------------------------------------------------


def input_check(text: str) -> SafetyVerdict:
    """Before generation: crisis (suicidal intent, self-harm, acute danger to the user) → 'crisis'; sexual content
    involving minors → 'minor_sexual'; else OK. A crisis wins, so a disclosure of abuse gets the caring reply."""
    forms = _forms(text)
    rule = _first(_CRISIS_RULES, forms, _NEGATED_TIGHT)
    if rule:
        return SafetyVerdict("crisis", rule.category, rule.name)
    minor = _minor_sexual_rule(forms)
    if minor:
        return SafetyVerdict("minor_sexual", "minor_sexual", minor)
    return OK


def output_check(text: str) -> SafetyVerdict:
    """After generation: encouragement of self-harm or suicide, sexual content involving minors, hatred against
    protected groups, violence against people → 'harmful_output' with that category; else OK."""
    forms = _forms(text)
    rule = _first(_ENCOURAGEMENT_RULES, forms, _SOFTENED)
    if rule:
        return SafetyVerdict("harmful_output", rule.category, rule.name)
    minor = _minor_sexual_rule(forms)
    if minor:
        return SafetyVerdict("harmful_output", "minor_sexual", minor)
    rule = _first(_HATE_AND_VIOLENCE_RULES, forms, _SOFTENED)
    if rule:
        return SafetyVerdict("harmful_output", rule.category, rule.name)
    return OK


def sexual_content_requested(text: str) -> bool:
    """Explicit sexual content, asked for or brought up (RU/EN): the 18+ gate. Flirting, compliments, hugs and
    kisses («поцелуй меня в щёчку», "kiss me") are not; a negated mention («не хочу секса») is not either."""
    return any(_found(_SEXUAL, form, _NEGATED_TIGHT) for form in _forms(text))
