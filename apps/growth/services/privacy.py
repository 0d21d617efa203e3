"""Growth's part of erasing a user."""

from django.db import transaction

from apps.growth.models import InterviewContact, ReferralCode, SurveyResponse


@transaction.atomic
def growth_erase(*, user_id: int) -> dict[str, int]:
    """Delete the user's survey responses, interview answer and personal invitation code.

    Referral rows stay, linked to the pseudonymous user row: the inviting friend's reward history and the
    programme's numbers stay true, and neither side can be told from them any more. The deleted code makes
    old links dead, so nobody new is attributed to an erased person."""
    _total, surveys = SurveyResponse.objects.filter(user_id=user_id).delete()
    _total, contact = InterviewContact.objects.filter(user_id=user_id).delete()
    _total, code = ReferralCode.objects.filter(user_id=user_id).delete()
    return {
        "survey_responses": surveys.get(SurveyResponse._meta.label, 0),
        "interview_contacts": contact.get(InterviewContact._meta.label, 0),
        "referral_codes": code.get(ReferralCode._meta.label, 0),
    }
