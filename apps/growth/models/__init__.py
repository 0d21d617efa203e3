from apps.growth.models.custdev import InterviewContact, Survey, SurveyResponse
from apps.growth.models.hypotheses import AcquisitionChannel, AcquisitionLink, Hypothesis, Spend, SuccessMetric
from apps.growth.models.referrals import Referral, ReferralCode, ReferralProgram

__all__ = [
    "AcquisitionChannel",
    "AcquisitionLink",
    "Hypothesis",
    "InterviewContact",
    "Referral",
    "ReferralCode",
    "ReferralProgram",
    "Spend",
    "SuccessMetric",
    "Survey",
    "SurveyResponse",
]
