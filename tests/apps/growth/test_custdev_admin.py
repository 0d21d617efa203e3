"""The referral and CustDev admin: lists, the segments page with its CSV, survey results, mark contacted."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from apps.growth.models import InterviewContact, Survey, SurveyResponse
from apps.growth.services.custdev import interview_contact_answer
from tests.factories import PaymentFactory, TelegramUserFactory

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("name", ["referralprogram", "referral", "referralcode", "interviewcontact", "survey"])
def test_every_list_renders(admin_client, name):
    assert admin_client.get(reverse(f"admin:growth_{name}_changelist")).status_code == 200


def test_the_segments_page_counts_and_exports_only_those_who_agreed(admin_client):
    agreed = TelegramUserFactory(username="yes_please", language="en")
    declined = TelegramUserFactory(username="no_thanks")
    for user, answer in ((agreed, True), (declined, False)):
        PaymentFactory(user=user, status="succeeded")
        interview_contact_answer(user_id=user.pk, agreed=answer)
    url = reverse("admin:growth_interviewcontact_segments")

    page = admin_client.get(url)
    export = admin_client.get(url, {"export": "payers"}, headers={"accept-language": "en"})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-segment="payers"' in html
    assert export["Content-Type"].startswith("text/csv")
    header, *lines = rows(export)
    assert header[:4] == ["Telegram id", "username", "first name", "language"]
    assert [line[:4] for line in lines] == [[str(agreed.telegram_id), "yes_please", "Anna", "en"]]


def test_an_unknown_segment_export_is_not_found(admin_client):
    assert admin_client.get(reverse("admin:growth_interviewcontact_segments"), {"export": "nope"}).status_code == 404


def test_mark_contacted_goes_through_the_service(admin_client):
    user = TelegramUserFactory()
    interview_contact_answer(user_id=user.pk, agreed=True)
    contact = InterviewContact.objects.get()

    admin_client.post(
        reverse("admin:growth_interviewcontact_changelist"),
        {"action": "mark_contacted", "_selected_action": [contact.pk]},
    )

    contact.refresh_from_db()
    assert contact.contacted_at is not None


@pytest.fixture
def scored_survey() -> Survey:
    survey = Survey.objects.get(title="NPS")
    now = timezone.now()
    for score, answer in ((10, "Соня лучшая"), (3, "=HYPERLINK(1)"), (8, "")):
        SurveyResponse.objects.create(
            survey=survey,
            user=TelegramUserFactory(),
            sent_at=now,
            score=score,
            scored_at=now,
            answer=answer,
            answered_at=now if answer else None,
        )
    return survey


def test_the_survey_list_shows_the_nps(admin_client, scored_survey):
    page = admin_client.get(reverse("admin:growth_survey_changelist"))

    assert "+0.0" in page.content.decode()  # one promoter, one detractor of three


def test_survey_results_show_the_nps_distribution_and_answers(admin_client, scored_survey):
    url = reverse("admin:growth_survey_results", args=[scored_survey.pk])

    page = admin_client.get(url)
    export = admin_client.get(url, {"export": "csv"}, headers={"accept-language": "en"})

    html = page.content.decode()
    assert 'data-value="nps"' in html
    assert "Соня лучшая" in html
    header, *lines = rows(export)
    assert header == ["user id", "language", "score", "scored at", "answered at", "answer"]
    assert sorted(line[5] for line in lines) == ["", "'=HYPERLINK(1)", "Соня лучшая"]


def test_survey_results_need_the_permission_to_read_responses(client, scored_survey):
    staff = User.objects.create_user("editor", password="pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_survey"))
    client.force_login(staff)

    assert client.get(reverse("admin:growth_survey_changelist")).status_code == 200
    assert client.get(reverse("admin:growth_survey_results", args=[scored_survey.pk])).status_code == 403
