"""Growth's part of a user's data export: their invitations, survey answers and interview answer."""

from django.db.models import Count, Q

from apps.growth.models import InterviewContact, Referral, ReferralCode, SurveyResponse


def growth_export(*, user_id: int) -> dict:
    """Counts of the people the user invited, and only whether someone invited them: never who (another
    person's identity is not the user's data)."""
    made = Referral.objects.filter(referrer_id=user_id).aggregate(
        invited=Count("id"), rewarded=Count("id", filter=Q(rewarded_at__isnull=False))
    )
    joined_at = Referral.objects.filter(referee_id=user_id).values_list("created_at", flat=True).first()
    code = ReferralCode.objects.filter(user_id=user_id).values_list("code", flat=True).first()
    surveys = [
        {
            "survey": response.survey.title,
            "sent_at": response.sent_at.isoformat(),
            "score": response.score,
            "answer": response.answer or None,
            "answered_at": response.answered_at.isoformat() if response.answered_at else None,
        }
        for response in SurveyResponse.objects.filter(user_id=user_id).select_related("survey").order_by("id")
    ]
    contact = InterviewContact.objects.filter(user_id=user_id).first()
    return {
        "referrals": {
            "personal_code": code,
            "friends_invited": made["invited"],
            "friends_rewarded": made["rewarded"],
            "joined_through_a_friends_link": joined_at is not None,
            "joined_at": joined_at.isoformat() if joined_at else None,
        },
        "survey_responses": surveys,
        "interview": (
            {"agreed": contact.agreed, "answered_at": contact.answered_at.isoformat()} if contact is not None else None
        ),
    }
