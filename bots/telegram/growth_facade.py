"""The bot's way to the referral program, surveys and interview consent (async wrappers, frozen views)."""

from dataclasses import dataclass

from asgiref.sync import sync_to_async

from apps.growth.selectors.custdev import interview_contact_answered
from apps.growth.selectors.referrals import ReferralInvite, referral_invite
from apps.growth.services.custdev import interview_contact_answer, survey_response_answer, survey_response_score
from apps.growth.services.referrals import referral_code_get_or_create


@dataclass(frozen=True)
class ScoreOutcome:
    stored: bool  # False: the survey was scored before (a second tap)
    follow_up: str  # the question asked next, in the user's language


def _invite(user_id: int) -> ReferralInvite:
    code = referral_code_get_or_create(user_id=user_id)
    return referral_invite(user_id=user_id, code=code.code)


def _score(user_id: int, survey_id: int, score: int, language: str) -> ScoreOutcome:
    response, stored = survey_response_score(user_id=user_id, survey_id=survey_id, score=score)
    return ScoreOutcome(stored=stored, follow_up=response.survey.follow_up(language))


def _answer(user_id: int, survey_id: int, text: str) -> bool:
    """Store the free answer; True when the user has not been asked about an interview yet."""
    survey_response_answer(user_id=user_id, survey_id=survey_id, text=text)
    return not interview_contact_answered(user_id=user_id)


def _interview(user_id: int, agreed: bool) -> None:
    interview_contact_answer(user_id=user_id, agreed=agreed)  # the model stays on this side


invite = sync_to_async(_invite)
survey_score = sync_to_async(_score)
survey_answer = sync_to_async(_answer)
interview_not_asked = sync_to_async(lambda user_id: not interview_contact_answered(user_id=user_id))
interview_answer = sync_to_async(_interview)
