import factory

from apps.accounts.models import TelegramUser


class TelegramUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TelegramUser

    telegram_id = factory.Sequence(lambda n: 100_000 + n)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Anna"


class ModuleFactory(factory.django.DjangoModelFactory):
    """Modules ship with the product (a data migration creates all four); tests fetch and adjust them."""

    class Meta:
        model = "personas.Module"
        django_get_or_create = ("code",)

    code = "partner"
    title_ru = "Партнёр"
    title_en = "Partner"
    system_prompt_template = "You are {{char}}."
    is_active = True


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "personas.Persona"
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"persona-{n}")
    name = factory.Sequence(lambda n: f"Персона {n}")
    description = "Добрая и весёлая."
    first_message = "Привет, {{user}}!"
    preview_ru = "Добрая и весёлая."
    preview_en = "Kind and cheerful."
    languages = factory.LazyFunction(lambda: ["ru"])

    @factory.post_generation
    def modules(self, create, extracted, **kwargs):
        if create:
            self.modules.set(extracted if extracted is not None else [ModuleFactory(code="partner")])


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "personas.Scenario"

    persona = factory.SubFactory(PersonaFactory)
    title_ru = "Прогулка"
    title_en = "A walk"
    situation = "Вы гуляете по парку."
    first_line = "Смотри, какие листья!"


class PersonaPhotoFactory(factory.django.DjangoModelFactory):
    """A gallery photo with a real (tiny) image file: point MEDIA_ROOT at a temporary folder first."""

    class Meta:
        model = "personas.PersonaPhoto"

    persona = factory.SubFactory(PersonaFactory)
    image = factory.django.ImageField(filename="photo.png", format="PNG", width=4, height=4, color="blue")
    caption = "Селфи в парке"
