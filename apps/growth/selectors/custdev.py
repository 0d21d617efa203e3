"""Reading CustDev data: who gets a survey now, a survey's results (NPS) and interview answers."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from apps.accounts.models import Consent, TelegramUser
from apps.accounts.services import legal_documents_current
from apps.analytics.models import Event
from apps.growth.models import InterviewContact, Survey, SurveyResponse

PROMOTERS = range(9, 11)
DETRACTORS = range(7)


def user_wrote() -> Exists:
    """The user sent at least one message to a persona (its event, found through the user + time index)."""
    return Exists(Event.objects.filter(user_id=OuterRef("pk"), name="message_sent"))


def users_consented(users: QuerySet[TelegramUser]) -> QuerySet[TelegramUser]:
    """Those who accepted every document in force that chatting requires (the bot's own consent gate)."""
    for document in legal_documents_current():
        users = users.filter(Exists(Consent.objects.filter(user_id=OuterRef("pk"), document=document)))
    return users


def survey_recipients(*, survey: Survey, at: datetime) -> QuerySet[TelegramUser]:
    """Users to ask now: with the bot at least `send_after_days`, who wrote to a persona, have accepted the
    documents, have not blocked the bot and were never sent this survey. Oldest first; test users never."""
    since = at - timedelta(days=survey.send_after_days)
    first_touch = Q(acquired_at__lte=since) | Q(acquired_at__isnull=True, created_at__lte=since)
    users = (
        TelegramUser.objects.filter(first_touch, telegram_id__gt=0, has_blocked_bot=False)
        .filter(user_wrote())
        .exclude(Exists(SurveyResponse.objects.filter(survey=survey, user_id=OuterRef("pk"))))
    )
    return users_consented(users).order_by("created_at", "pk")


def interview_contact_answered(*, user_id: int) -> bool:
    return InterviewContact.objects.filter(user_id=user_id).exists()


def nps_score(scores: Iterable[int]) -> float | None:
    """Net Promoter Score: % promoters (9–10) − % detractors (0–6), from −100 to 100; None without scores."""
    scores = list(scores)
    promoters = sum(score in PROMOTERS for score in scores)
    detractors = sum(score in DETRACTORS for score in scores)
    return nps_from_counts(promoters=promoters, detractors=detractors, scored=len(scores))


def nps_from_counts(*, promoters: int, detractors: int, scored: int) -> float | None:
    return round(100 * (promoters - detractors) / scored, 1) if scored else None


@dataclass(frozen=True)
class SurveyAnswer:
    user_id: int
    language: str
    score: int | None
    scored_at: datetime | None
    answer: str
    answered_at: datetime | None


@dataclass(frozen=True)
class SurveyResults:
    sent: int
    scored: int
    answered: int
    nps: float | None
    promoters: int
    passives: int
    detractors: int
    distribution: tuple[int, ...]  # how many gave each score, 0 to 10
    responses: tuple[SurveyAnswer, ...]  # every scored one, newest first; answers decrypted: for the admin only

    @property
    def answers(self) -> tuple[SurveyAnswer, ...]:
        return tuple(response for response in self.responses if response.answer)


def survey_results(*, survey_id: int) -> SurveyResults:
    responses = list(
        SurveyResponse.objects.filter(survey_id=survey_id)
        .select_related("user")
        .only("score", "scored_at", "answer", "answered_at", "user__language")
        .order_by(F("scored_at").desc(nulls_last=True), "-sent_at")
    )
    scores = [response.score for response in responses if response.score is not None]
    distribution = tuple(scores.count(value) for value in range(11))
    promoters = sum(distribution[value] for value in PROMOTERS)
    detractors = sum(distribution[value] for value in DETRACTORS)
    scored = tuple(
        SurveyAnswer(
            response.user_id,
            response.user.language,
            response.score,
            response.scored_at,
            response.answer,
            response.answered_at,
        )
        for response in responses
        if response.score is not None
    )
    return SurveyResults(
        sent=len(responses),
        scored=len(scores),
        answered=sum(response.answered_at is not None for response in responses),
        nps=nps_score(scores),
        promoters=promoters,
        passives=len(scores) - promoters - detractors,
        detractors=detractors,
        distribution=distribution,
        responses=scored,
    )
