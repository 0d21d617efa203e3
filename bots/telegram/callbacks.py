"""Callback data of the bot's buttons (Telegram allows 64 bytes)."""

from aiogram.filters.callback_data import CallbackData


class ConsentAccept(CallbackData, prefix="consent"):
    documents: str  # comma-separated ids of the versions shown


class ModuleOpen(CallbackData, prefix="module"):
    code: str


class CardAction(CallbackData, prefix="card"):
    module: str
    page: int
    persona: int
    action: str  # choose / previous / next / about / unlock


class ReplyRate(CallbackData, prefix="rate"):
    message: int
    value: int  # 1 or -1


class ReplyAgain(CallbackData, prefix="again"):
    message: int  # the reply to write anew


class MemoryAction(CallbackData, prefix="memory"):
    action: str  # delete / clear
    fact: int = 0


class LanguageSet(CallbackData, prefix="lang"):
    code: str


class AgeAnswer(CallbackData, prefix="age"):
    adult: int  # 1: "I am 18 or older", 0: not
    module: str
    persona: int


class SceneStart(CallbackData, prefix="scene"):
    module: str
    persona: int
    scenario: int


class ChannelCheck(CallbackData, prefix="joined"):
    pass  # "I have subscribed"


class PlanChoose(CallbackData, prefix="plan"):
    code: str
    provider: str = "yk"  # "yk": YooKassa, "stars": Telegram Stars


class OfferAccept(CallbackData, prefix="offer"):
    plan: str
    document: int  # the offer version shown
    provider: str = "yk"


class AutoRenewOff(CallbackData, prefix="renewoff"):
    confirm: int = 0  # 0: ask, 1: confirmed


class SurveyScore(CallbackData, prefix="survey"):
    """Packs to "survey:<survey>:<score>", the data apps.growth.services.surveys puts on the buttons it sends."""

    survey: int
    score: int  # 0..10


class InterviewAnswer(CallbackData, prefix="interview"):
    agreed: int  # 1: yes, the team may write; 0: no


class PrivacyAction(CallbackData, prefix="privacy"):
    """The /privacy buttons. `user` is the pressing user's own id: a button from another account (forwarded
    history, a stale chat after erasure) is refused, never acted on."""

    action: str  # export / erase (first question) / erase_sure (second) / erase_now / cancel
    user: int
