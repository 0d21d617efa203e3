"""Survey results (NPS, distribution, answers) and who is due a survey, on hand-built data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.accounts.services import consent_accept, legal_documents_current
from apps.growth.models import Survey, SurveyResponse
from apps.growth.selectors.custdev import nps_score, survey_recipients, survey_results
from tests.factories import EventFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.mark.parametrize(
    ("scores", "nps"),
    [
        ([10, 9, 8, 7, 6, 0], 0.0),  # 2 promoters, 2 detractors of 6
        ([10, 10, 9, 3], 50.0),
        ([6, 5, 8], -66.7),
        ([7, 8], 0.0),  # passives only
        ([], None),
    ],
)
def test_nps_is_promoters_share_minus_detractors_share(scores, nps):
    assert nps_score(scores) == nps


def test_results_count_scores_answers_and_the_distribution():
    survey = Survey.objects.create(title="t", question_ru="?", question_en="?", follow_up_ru="?", follow_up_en="?")
    for score, answer in ((10, "Всё нравится"), (9, ""), (7, ""), (2, "Медленно"), (None, "")):
        SurveyResponse.objects.create(
            survey=survey,
            user=TelegramUserFactory(),
            sent_at=NOW,
            score=score,
            scored_at=NOW if score is not None else None,
            answer=answer,
            answered_at=NOW if answer else None,
        )

    results = survey_results(survey_id=survey.pk)

    assert (results.sent, results.scored, results.answered) == (5, 4, 2)
    assert (results.promoters, results.passives, results.detractors) == (2, 1, 1)
    assert results.nps == 25.0
    assert results.distribution == (0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1)
    assert sorted(answer.answer for answer in results.answers) == ["Всё нравится", "Медленно"]


# --- who is due a survey ---------------------------------------------------------------------------


def member(*, days: int = 10, wrote: bool = True, consented: bool = True, **fields) -> TelegramUser:
    user = TelegramUserFactory(**fields)
    TelegramUser.objects.filter(pk=user.pk).update(acquired_at=NOW - timedelta(days=days))
    if wrote:
        EventFactory(user=user, name="message_sent")
    if consented:
        consent_accept(user_id=user.pk, document_ids=[document.pk for document in legal_documents_current()])
    return user


def test_recipients_used_the_bot_long_enough_wrote_consented_and_were_not_asked():
    survey = Survey.objects.get(title="NPS")
    due = member()
    member(days=3)  # too new
    member(wrote=False)  # never talked to a persona
    member(consented=False)
    member(has_blocked_bot=True)
    member(telegram_id=-3)  # the team's playground user
    asked = member()
    SurveyResponse.objects.create(survey=survey, user=asked, sent_at=NOW)

    assert list(survey_recipients(survey=survey, at=NOW)) == [due]
