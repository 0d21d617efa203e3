"""Customer development: who agreed to an interview, and short in-bot surveys (NPS and a free answer)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.fields import EncryptedTextField
from apps.core.models import TimeStampedModel


class InterviewContact(TimeStampedModel):
    """A user's answer to "may the team contact you for a short interview?"."""

    user = models.OneToOneField(
        "accounts.TelegramUser", verbose_name=_("user"), on_delete=models.CASCADE, related_name="interview_contact"
    )
    agreed = models.BooleanField(_("agreed"), default=False)
    answered_at = models.DateTimeField(_("answered at"))
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    team_note = models.TextField(_("team note"), blank=True)

    class Meta:
        verbose_name = _("interview contact")
        verbose_name_plural = _("interview contacts")
        ordering = ["-answered_at"]

    def __str__(self) -> str:
        return str(self.user_id)


class Survey(TimeStampedModel):
    """A short survey the bot sends after some days of use: a 0–10 score and an optional free answer."""

    title = models.CharField(_("title"), max_length=200)
    question_ru = models.CharField(_("question (Russian)"), max_length=500)
    question_en = models.CharField(_("question (English)"), max_length=500)
    follow_up_ru = models.CharField(
        _("follow-up (Russian)"), max_length=500, help_text=_("Asked after the score: what could be better?")
    )
    follow_up_en = models.CharField(_("follow-up (English)"), max_length=500)
    send_after_days = models.PositiveSmallIntegerField(
        _("send after days of use"), default=7, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["send_after_days", "id"]

    def __str__(self) -> str:
        return self.title

    def question(self, language: str) -> str:
        return self.question_ru if language == "ru" else self.question_en

    def follow_up(self, language: str) -> str:
        return self.follow_up_ru if language == "ru" else self.follow_up_en


class SurveyResponse(TimeStampedModel):
    """One user's copy of a survey: sent, then scored, then (maybe) answered in words."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        "accounts.TelegramUser", verbose_name=_("user"), on_delete=models.CASCADE, related_name="survey_responses"
    )
    sent_at = models.DateTimeField(_("sent at"))
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    answer = EncryptedTextField(_("free answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="survey_response_once")]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.user_id}"
