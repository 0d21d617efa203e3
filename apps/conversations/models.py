from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.fields import EncryptedTextField
from apps.core.models import TimeStampedModel


class Dialogue(TimeStampedModel):
    """A user's conversation with one persona in one module; resumed when they choose that persona again."""

    user = models.ForeignKey(
        "accounts.TelegramUser", verbose_name=_("user"), on_delete=models.CASCADE, related_name="dialogues"
    )
    persona = models.ForeignKey(
        "personas.Persona", verbose_name=_("persona"), null=True, on_delete=models.SET_NULL, related_name="dialogues"
    )
    module = models.ForeignKey(
        "personas.Module", verbose_name=_("module"), null=True, on_delete=models.SET_NULL, related_name="dialogues"
    )
    scenario = models.ForeignKey(
        "personas.Scenario", verbose_name=_("scenario"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("The dialogue the user is in now."))
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)

    class Meta:
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_active=True), name="one_active_dialogue_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} × {self.persona_id}"


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("User")
        ASSISTANT = "assistant", _("Persona")

    class Safety(models.TextChoices):
        NONE = "", _("—")
        CRISIS = "crisis", _("Crisis reply")
        REFUSED = "refused", _("Refused")
        DECLINED_ADULT = "declined_adult", _("18+ declined")
        OUTPUT_REPLACED = "output_replaced", _("Unsafe reply replaced")
        FALLBACK = "fallback", _("Fallback line")

    dialogue = models.ForeignKey(
        Dialogue, verbose_name=_("dialogue"), on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role)
    text = EncryptedTextField(_("text"))
    from_voice = models.BooleanField(_("from voice"), default=False)
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), default=0)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), default=0)
    latency_ms = models.PositiveIntegerField(_("latency, ms"), default=0)
    backend = models.CharField(_("backend"), max_length=120, blank=True)
    safety = models.CharField(_("safety"), max_length=16, choices=Safety, blank=True, default=Safety.NONE)
    quality_score = models.FloatField(_("quality score"), null=True, blank=True)
    rating = models.SmallIntegerField(
        _("rating"), null=True, blank=True, choices=[(1, "👍"), (-1, "👎")], help_text=_("The user's 👍 or 👎.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["dialogue", "id"], name="message_dialogue_idx")]

    def __str__(self) -> str:
        return f"{self.role} #{self.pk}"


class MemoryFact(TimeStampedModel):
    """Something the user told about themselves, remembered across dialogues (or for one persona only)."""

    class Category(models.TextChoices):
        NAME = "name", _("Name")
        AGE = "age", _("Age")
        CITY = "city", _("City")
        WORK = "work", _("Work or study")
        FAMILY = "family", _("Family")
        PETS = "pets", _("Pets")
        LIKES = "likes", _("Likes")
        DISLIKES = "dislikes", _("Dislikes")
        PLANS = "plans", _("Plans and dates")
        HEALTH = "health", _("Health (sensitive)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUPERSEDED = "superseded", _("Superseded")
        DELETED = "deleted", _("Deleted")

    user = models.ForeignKey(
        "accounts.TelegramUser", verbose_name=_("user"), on_delete=models.CASCADE, related_name="memory_facts"
    )
    persona = models.ForeignKey(
        "personas.Persona",
        verbose_name=_("persona scope"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every persona may use the fact."),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category)
    # What a newer fact replaces: the category for single-valued facts, else category plus a keyed digest
    # of the subject (the subject itself is personal and lives only in the encrypted text).
    slot = models.CharField(_("slot"), max_length=64)
    text = EncryptedTextField(_("fact"))
    language = models.CharField(_("language"), max_length=2, default="ru")
    source_message = models.ForeignKey(
        Message, verbose_name=_("source message"), null=True, blank=True, on_delete=models.SET_NULL
    )
    confidence = models.FloatField(_("confidence"), default=0.9)
    embedding = EncryptedTextField(_("embedding"), blank=True, help_text=_("Base64 float16 vector, encrypted."))
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Always given to the persona."))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE, db_index=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("memory fact")
        verbose_name_plural = _("memory facts")
        ordering = ["-pinned", "-updated_at"]
        indexes = [models.Index(fields=["user", "status", "slot"], name="memoryfact_user_slot_idx")]

    def __str__(self) -> str:
        return f"{self.category} #{self.pk}"


class DialogueSummary(TimeStampedModel):
    """A rolling summary of the turns that no longer fit into the prompt."""

    dialogue = models.OneToOneField(
        Dialogue, verbose_name=_("dialogue"), on_delete=models.CASCADE, related_name="summary"
    )
    text = EncryptedTextField(_("summary"))
    covers_until = models.PositiveBigIntegerField(_("covers messages up to id"), default=0)

    class Meta:
        verbose_name = _("dialogue summary")
        verbose_name_plural = _("dialogue summaries")


class Helpline(models.Model):
    """Numbers the crisis reply gives; edited by the product owner."""

    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("helpline")
        verbose_name_plural = _("helplines")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.phone} — {self.name_en}"

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en


class RegressionScript(TimeStampedModel):
    """A saved playground conversation replayed before a new model, prompt or persona goes live."""

    name = models.CharField(_("name"), max_length=120)
    module = models.ForeignKey("personas.Module", verbose_name=_("module"), on_delete=models.CASCADE)
    persona = models.ForeignKey("personas.Persona", verbose_name=_("persona"), on_delete=models.CASCADE)
    scenario = models.ForeignKey(
        "personas.Scenario", verbose_name=_("scenario"), null=True, blank=True, on_delete=models.SET_NULL
    )
    turns = models.JSONField(_("user turns"), default=list, help_text=_("What the user writes, in order."))
    must_recall = models.JSONField(
        _("must be recalled"),
        default=list,
        blank=True,
        help_text=_('Words from facts told earlier that some reply must mention, e.g. ["Барсик"].'),
    )
    must_not_contain = models.JSONField(
        _("must not appear"), default=list, blank=True, help_text=_("Words no reply may contain.")
    )
    check_persona_name = models.BooleanField(
        _("persona keeps its name"), default=True, help_text=_("Fail when a reply calls the persona by another name.")
    )
    created_by = models.ForeignKey(
        "auth.User", verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_passed = models.BooleanField(_("passed"), null=True, blank=True)
    last_report = models.JSONField(_("last report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("regression script")
        verbose_name_plural = _("regression scripts")
        ordering = ["persona", "name"]

    def __str__(self) -> str:
        return self.name


class PhotoDelivery(TimeStampedModel):
    """A gallery photo the bot sent to a user: the daily quota, no-repeat and unasked-photo pacing read these."""

    class Trigger(models.TextChoices):
        ASKED = "asked", _("The user asked")
        MOMENT = "moment", _("The conversation fit")

    user = models.ForeignKey(
        "accounts.TelegramUser", verbose_name=_("user"), on_delete=models.CASCADE, related_name="photo_deliveries"
    )
    dialogue = models.ForeignKey(
        Dialogue, verbose_name=_("dialogue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SET_NULL: a photo removed from the gallery still counts towards the day's quota.
    photo = models.ForeignKey(
        "personas.PersonaPhoto", verbose_name=_("photo"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    persona = models.ForeignKey(
        "personas.Persona", verbose_name=_("persona"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger)

    class Meta:
        verbose_name = _("photo delivery")
        verbose_name_plural = _("photo deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="photodelivery_user_created_idx")]

    def __str__(self) -> str:
        return f"{self.trigger} #{self.pk}"
