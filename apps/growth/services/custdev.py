"""Customer development: interview consent and what users answer to surveys (a score, then a few words)."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.analytics.services import event_track
from apps.core.exceptions import InvalidInput, NotFound
from apps.growth.models import InterviewContact, SurveyResponse

ANSWER_MAX_CHARS = 4000


@transaction.atomic
def interview_contact_answer(*, user_id: int, agreed: bool) -> InterviewContact:
    """The user's answer to "may the team message you for a short interview?"; a later answer replaces it."""
    now = timezone.now()
    contact = InterviewContact.objects.select_for_update().filter(user_id=user_id).first()
    if contact is None:
        try:
            with transaction.atomic():
                contact = InterviewContact.objects.create(user_id=user_id, agreed=agreed, answered_at=now)
        except IntegrityError:  # the same user's other tap a moment ago
            contact = InterviewContact.objects.select_for_update().get(user_id=user_id)
    contact.agreed, contact.answered_at = agreed, now
    contact.full_clean()
    contact.save()
    event_track(name="interview_answered", user_id=user_id, properties={"agreed": agreed}, source="bot")
    return contact


@transaction.atomic
def interview_contacts_mark_contacted(*, contacts: QuerySet[InterviewContact], actor: str) -> int:
    """The team wrote to these users; only those who agreed and were not contacted yet change. Returns how many."""
    now = timezone.now()
    changed = 0
    for contact in contacts.select_for_update().filter(agreed=True, contacted_at__isnull=True):
        contact.contacted_at = now
        contact.save(update_fields=["contacted_at", "updated_at"])
        event_track(name="interview_contacted", user_id=contact.user_id, properties={"actor": actor}, source="admin")
        changed += 1
    return changed


@transaction.atomic
def survey_response_score(*, user_id: int, survey_id: int, score: int) -> tuple[SurveyResponse, bool]:
    """The user's 0–10 score; the first tap counts. Returns (response, whether this tap was the one stored)."""
    if not 0 <= score <= 10:
        raise InvalidInput(_("A score is a number from 0 to 10."), code="bad_score")
    response = _response_locked(user_id, survey_id)
    if response.score is not None:
        return response, False
    response.score, response.scored_at = score, timezone.now()
    response.full_clean()
    response.save()
    event_track(
        name="survey_scored", user_id=user_id, properties={"survey_id": survey_id, "score": score}, source="bot"
    )
    return response, True


@transaction.atomic
def survey_response_answer(*, user_id: int, survey_id: int, text: str) -> SurveyResponse:
    """The free answer after the score (stored encrypted), once: a later one leaves the first in place."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("The answer cannot be empty."), code="empty_answer")
    if len(text) > ANSWER_MAX_CHARS:
        message = format_lazy(_("The answer is too long: up to {limit} characters."), limit=ANSWER_MAX_CHARS)
        raise InvalidInput(message, code="answer_too_long")
    response = _response_locked(user_id, survey_id)
    if response.answered_at is not None:
        return response
    response.answer, response.answered_at = text, timezone.now()
    response.full_clean()
    response.save()
    event_track(
        name="survey_answered", user_id=user_id, properties={"survey_id": survey_id, "chars": len(text)}, source="bot"
    )
    return response


def _response_locked(user_id: int, survey_id: int) -> SurveyResponse:
    response = (
        SurveyResponse.objects.select_for_update(of=("self",))
        .select_related("survey")
        .filter(user_id=user_id, survey_id=survey_id)
        .first()
    )
    if response is None:
        raise NotFound(_("This survey is no longer open."), code="no_survey_response")
    return response
