from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel

SUPPORTED_LANGUAGES = ("ru", "en")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    BETA = "beta", _("Beta testers only")


class Visibility(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    BETA = "beta", _("Beta testers only")
    HIDDEN = "hidden", _("Hidden")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


def validate_string_list(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_('Enter a list of texts, for example ["one", "two"].'), code="not_a_string_list")


def validate_languages(value) -> None:
    validate_string_list(value)
    unknown = [code for code in value if code not in SUPPORTED_LANGUAGES]
    if unknown or not value:
        raise ValidationError(
            _("Choose one or more of: %(choices)s."),
            params={"choices": ", ".join(SUPPORTED_LANGUAGES)},
            code="language",
        )


validate_slug = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,39}$",
    _("Use up to 40 lowercase Latin letters, digits and hyphens."),
    code="invalid_slug",
)


class Module(TimeStampedModel):
    """A product section the user picks in the main menu: Support, Partner, Practice, Celebrity."""

    class Code(models.TextChoices):
        SUPPORT = "support", _("Support")
        PARTNER = "partner", _("Partner")
        PRACTICE = "practice", _("Communication practice")
        CELEBRITY = "celebrity", _("Celebrity")

    code = models.CharField(_("code"), max_length=16, choices=Code, unique=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=64)
    title_en = models.CharField(_("title (English)"), max_length=64)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    welcome_ru = models.TextField(
        _("welcome (Russian)"), blank=True, help_text=_("Shown when the user opens the module.")
    )
    welcome_en = models.TextField(_("welcome (English)"), blank=True)
    system_prompt_template = models.TextField(
        _("system prompt template"),
        help_text=_(
            "Instructions for the model in this module; {{char}} and {{user}} stand for the persona and the user."
        ),
    )
    requires_pro = models.BooleanField(_("requires PRO"), default=False)
    allows_adult = models.BooleanField(
        _("allows 18+"), default=False, help_text=_("18+ personas and scenes appear in this module only when set.")
    )
    audience = models.CharField(_("visible to"), max_length=16, choices=Audience, default=Audience.EVERYONE)
    is_active = models.BooleanField(_("active"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title(get_language()) or self.code

    def title(self, language: str | None) -> str:
        return self.title_ru if language == "ru" else self.title_en


class Persona(TimeStampedModel):
    """A character the user talks to: a Character Card V2 plus what the library needs to show it."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[validate_slug])
    # --- Character Card V2 ---
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    personality = models.TextField(_("personality"), blank=True)
    scenario = models.TextField(_("scenario"), blank=True)
    first_message = models.TextField(_("first message"), blank=True)
    alternate_greetings = models.JSONField(
        _("alternate greetings"), default=list, blank=True, validators=[validate_string_list]
    )
    example_dialogues = models.TextField(
        _("example dialogues"),
        blank=True,
        help_text=_("Blocks that start with <START>, lines like {{user}}: … and {{char}}: …"),
    )
    system_prompt = models.TextField(_("system prompt"), blank=True)
    post_history_instructions = models.TextField(_("post-history instructions"), blank=True)
    creator_notes = models.TextField(_("creator notes"), blank=True, help_text=_("Never shown to users or the model."))
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_string_list])
    creator = models.CharField(_("creator"), max_length=128, blank=True)
    character_version = models.CharField(_("character version"), max_length=64, blank=True)
    extensions = models.JSONField(
        _("card extensions"), default=dict, blank=True, help_text=_("Other tools' card data, kept verbatim.")
    )
    character_book = models.JSONField(_("character book"), null=True, blank=True)
    card_v3_extra = models.JSONField(_("Character Card V3 fields"), default=dict, blank=True)
    # --- Library ---
    modules = models.ManyToManyField(Module, verbose_name=_("modules"), related_name="personas", blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="personas/avatars/", blank=True)
    preview_ru = models.CharField(_("card preview (Russian)"), max_length=300, blank=True)
    preview_en = models.CharField(_("card preview (English)"), max_length=300, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender, default=Gender.FEMALE)
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    is_adult = models.BooleanField(_("18+"), default=False)
    is_pro = models.BooleanField(_("PRO"), default=False)
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility, default=Visibility.EVERYONE)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def preview(self, language: str) -> str:
        return (self.preview_ru if language == "ru" else self.preview_en) or self.preview_ru or self.preview_en


class PersonaPhoto(TimeStampedModel):
    persona = models.ForeignKey(Persona, verbose_name=_("persona"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="personas/photos/")
    caption = models.TextField(
        _("caption"),
        help_text=_("What the photo shows (place, activity, mood): used to pick a photo that fits the talk."),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_string_list])
    is_adult = models.BooleanField(_("18+"), default=False)
    is_pro = models.BooleanField(_("PRO"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["persona", "order", "id"]

    def __str__(self) -> str:
        return self.caption[:60]


class Scenario(TimeStampedModel):
    """A role-play situation ("dialogue branch") of one persona, or of every persona of a module."""

    persona = models.ForeignKey(
        Persona, verbose_name=_("persona"), null=True, blank=True, on_delete=models.CASCADE, related_name="scenarios"
    )
    module = models.ForeignKey(
        Module, verbose_name=_("module"), null=True, blank=True, on_delete=models.CASCADE, related_name="scenarios"
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=64)
    title_en = models.CharField(_("title (English)"), max_length=64)
    situation = models.TextField(_("opening situation"))
    first_line = models.TextField(_("persona's first line"))
    suggested_replies = models.JSONField(
        _("suggested replies"),
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text=_("Short replies shown as buttons under the first line."),
    )
    is_adult = models.BooleanField(_("18+"), default=False)
    is_pro = models.BooleanField(_("PRO"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(persona__isnull=False, module__isnull=True)
                | models.Q(persona__isnull=True, module__isnull=False),
                name="scenario_belongs_to_persona_or_module",
                violation_error_message=_("A scenario belongs to a persona or to a module, not both."),
            )
        ]

    def __str__(self) -> str:
        return self.title(get_language()) or self.title_ru

    def title(self, language: str | None) -> str:
        return self.title_ru if language == "ru" else self.title_en

    def clean(self) -> None:
        for reply in self.suggested_replies or []:
            if isinstance(reply, str) and len(reply) > 64:
                raise ValidationError(
                    {"suggested_replies": _("Each suggested reply fits a button: 64 characters at most.")}
                )
