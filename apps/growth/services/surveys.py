"""Sending surveys: each active survey once to each user who has used the bot long enough (hourly task)."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.accounts.services import telegram_user_mark_blocked
from apps.analytics.services import event_track
from apps.core.exceptions import Forbidden, InvalidInput, ServiceUnavailable
from apps.core.telegram import telegram_send_message
from apps.growth.models import Survey, SurveyResponse
from apps.growth.selectors.custdev import survey_recipients

logger = logging.getLogger(__name__)
SURVEYS_PER_RUN = 200  # one message a user, well under Telegram's ~30 a second; the rest go next hour
# The bot's button data for a score; bots/telegram/callbacks.py SurveyScore packs to exactly this.
SCORE_CALLBACK = "survey:{survey_id}:{score}"
SCORE_ROWS = (range(6), range(6, 11))


def surveys_send_due(*, at: datetime | None = None, limit: int = SURVEYS_PER_RUN) -> int:
    """Send what is due now; returns how many went out. Stops early when Telegram cannot take messages."""
    if not settings.TELEGRAM_BOT_TOKEN:
        logger.info("no TELEGRAM_BOT_TOKEN: surveys are not sent")
        return 0
    at = at or timezone.now()
    sent = 0
    for survey in Survey.objects.filter(is_active=True):
        for user_id in survey_recipients(survey=survey, at=at).values_list("pk", flat=True)[: limit - sent]:
            outcome = survey_send(survey_id=survey.pk, user_id=user_id)
            if outcome == "unavailable":
                return sent
            if outcome == "sent":
                sent += 1
        if sent >= limit:
            break
    return sent


def survey_send(*, survey_id: int, user_id: int) -> str:
    """Ask one user: "sent", "already" (asked before), "blocked", "failed" or "unavailable".

    The response row is created and committed before the message goes out, so a crash or a second worker
    can never ask twice (the row is unique per survey and user); it is removed again only when Telegram
    answered that it could not take the message now, so a later run asks."""
    response = _claim(survey_id, user_id)
    if response is None:
        return "already"
    survey, user = response.survey, response.user
    with translation.override(user.language):
        hint = gettext("0 — not at all likely, 10 — extremely likely.")
    try:
        telegram_send_message(
            chat_id=user.telegram_id,
            text=f"{survey.question(user.language)}\n\n{hint}",
            inline_keyboard=score_keyboard(survey_id),
        )
    except Forbidden:
        telegram_user_mark_blocked(telegram_id=user.telegram_id)
        return "blocked"
    except ServiceUnavailable:
        SurveyResponse.objects.filter(pk=response.pk, score__isnull=True).delete()
        return "unavailable"
    except InvalidInput as error:  # a chat Telegram does not know: asking again would not help
        logger.warning("survey %s not sent to user %s: %s", survey_id, user_id, error.code)
        return "failed"
    event_track(name="survey_sent", user_id=user_id, properties={"survey_id": survey_id}, source="worker")
    return "sent"


def score_keyboard(survey_id: int) -> list[list[dict]]:
    return [
        [
            {"text": str(score), "callback_data": SCORE_CALLBACK.format(survey_id=survey_id, score=score)}
            for score in row
        ]
        for row in SCORE_ROWS
    ]


def _claim(survey_id: int, user_id: int) -> SurveyResponse | None:
    try:
        with transaction.atomic():
            response = SurveyResponse(survey_id=survey_id, user_id=user_id, sent_at=timezone.now())
            response.full_clean(validate_unique=False, validate_constraints=False)
            response.save()
    except IntegrityError:
        return None
    return SurveyResponse.objects.select_related("survey", "user").get(pk=response.pk)
