"""CustDev answers: interview consent, a survey's score (the first tap counts) and its free answer (encrypted)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.analytics.models import Event
from apps.core.exceptions import InvalidInput, NotFound
from apps.growth.models import InterviewContact, Survey, SurveyResponse
from apps.growth.services.custdev import (
    interview_contact_answer,
    interview_contacts_mark_contacted,
    survey_response_answer,
    survey_response_score,
)
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey() -> Survey:
    return Survey.objects.get(title="NPS")  # made by the data migration, off until the owner turns it on


@pytest.fixture
def sent(survey) -> SurveyResponse:
    return SurveyResponse.objects.create(survey=survey, user=TelegramUserFactory(), sent_at=timezone.now())


def test_the_nps_survey_ships_switched_off_in_both_languages(survey):
    assert not survey.is_active
    assert survey.send_after_days == 7
    assert survey.question("en") == "How likely are you to recommend Sputnik to a friend?"
    assert survey.question("ru") == "Насколько вероятно, что вы порекомендуете Спутник другу?"
    assert (survey.follow_up("en"), survey.follow_up("ru")) == (
        "What would make it better?",
        "Что сделало бы его лучше?",
    )


def test_an_interview_answer_is_stored_and_a_later_one_replaces_it():
    user = TelegramUserFactory()

    interview_contact_answer(user_id=user.pk, agreed=False)
    interview_contact_answer(user_id=user.pk, agreed=True)

    contact = InterviewContact.objects.get()
    assert (contact.user, contact.agreed) == (user, True)
    assert [event.properties for event in Event.objects.filter(name="interview_answered").order_by("id")] == [
        {"agreed": False},
        {"agreed": True},
    ]


def test_marking_contacted_touches_only_those_who_agreed_and_were_not_contacted():
    agreed, declined, done = TelegramUserFactory(), TelegramUserFactory(), TelegramUserFactory()
    for user, answer in ((agreed, True), (declined, False), (done, True)):
        interview_contact_answer(user_id=user.pk, agreed=answer)
    earlier = timezone.now() - timedelta(days=3)
    InterviewContact.objects.filter(user=done).update(contacted_at=earlier)

    changed = interview_contacts_mark_contacted(contacts=InterviewContact.objects.all(), actor="owner")

    assert changed == 1
    assert InterviewContact.objects.get(user=agreed).contacted_at is not None
    assert InterviewContact.objects.get(user=declined).contacted_at is None
    assert InterviewContact.objects.get(user=done).contacted_at == earlier


def test_the_first_score_counts_and_a_later_tap_changes_nothing(sent):
    _response, stored = survey_response_score(user_id=sent.user_id, survey_id=sent.survey_id, score=9)
    _response, stored_again = survey_response_score(user_id=sent.user_id, survey_id=sent.survey_id, score=2)

    assert (stored, stored_again) == (True, False)
    sent.refresh_from_db()
    assert sent.score == 9
    assert sent.scored_at is not None
    assert Event.objects.get(name="survey_scored").properties == {"survey_id": sent.survey_id, "score": 9}


def test_a_survey_never_sent_to_the_user_cannot_be_scored(survey):
    with pytest.raises(NotFound):
        survey_response_score(user_id=TelegramUserFactory().pk, survey_id=survey.pk, score=5)


@pytest.mark.parametrize("score", [-1, 11])
def test_a_score_outside_zero_to_ten_is_refused(sent, score):
    with pytest.raises(InvalidInput):
        survey_response_score(user_id=sent.user_id, survey_id=sent.survey_id, score=score)


def test_the_free_answer_is_stored_encrypted_once(sent):
    survey_response_score(user_id=sent.user_id, survey_id=sent.survey_id, score=6)

    survey_response_answer(user_id=sent.user_id, survey_id=sent.survey_id, text="  Больше персонажей-котиков  ")
    survey_response_answer(user_id=sent.user_id, survey_id=sent.survey_id, text="второй ответ")

    sent.refresh_from_db()
    assert sent.answer == "Больше персонажей-котиков"
    with connection.cursor() as cursor:
        cursor.execute("SELECT answer FROM growth_surveyresponse WHERE id = %s", [sent.pk])
        raw = cursor.fetchone()[0]
    assert "котик" not in raw
    event = Event.objects.get(name="survey_answered")
    assert "котик" not in str(event.properties)


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_an_empty_or_overlong_answer_is_refused(sent, text):
    with pytest.raises(InvalidInput):
        survey_response_answer(user_id=sent.user_id, survey_id=sent.survey_id, text=text)
