from decimal import Decimal

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone

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


class PlanFactory(factory.django.DjangoModelFactory):
    """Plans ship with the product (pro-month, pro-quarter, pro-year come from a data migration): by default
    this fetches pro-month; another code makes a new plan."""

    class Meta:
        model = "billing.Plan"
        django_get_or_create = ("code",)

    code = "pro-month"
    title_ru = factory.LazyAttribute(lambda plan: f"PRO {plan.code}")
    title_en = factory.LazyAttribute(lambda plan: f"PRO {plan.code}")
    price = Decimal("399.00")
    period_months = 1


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "billing.Subscription"

    user = factory.SubFactory(TelegramUserFactory)
    plan = factory.SubFactory(PlanFactory)
    status = "active"
    current_period_start = factory.LazyFunction(timezone.now)
    current_period_end = factory.LazyAttribute(
        lambda subscription: subscription.current_period_start + relativedelta(months=subscription.plan.period_months)
    )


class PaymentFactory(factory.django.DjangoModelFactory):
    """A YooKassa payment row as payment_start leaves it before YooKassa answers (pending, no provider id)."""

    class Meta:
        model = "billing.Payment"

    user = factory.SubFactory(TelegramUserFactory)
    plan = factory.SubFactory(PlanFactory)
    amount = factory.LazyAttribute(lambda payment: payment.plan.price)
    provider = "yookassa"
    status = "pending"


class EventFactory(factory.django.DjangoModelFactory):
    """An analytics event, by default a bot_start of a new user now; build() them for bulk_create."""

    class Meta:
        model = "analytics.Event"

    user = factory.SubFactory(TelegramUserFactory)
    name = "bot_start"
    properties = factory.LazyFunction(dict)
    occurred_at = factory.LazyFunction(timezone.now)
    source = "bot"


class RefundFactory(factory.django.DjangoModelFactory):
    """A refund of a payment, succeeded (as the provider's notification leaves it)."""

    class Meta:
        model = "billing.Refund"

    payment = factory.SubFactory(PaymentFactory, status="succeeded")
    amount = factory.LazyAttribute(lambda refund: refund.payment.amount)
    status = "succeeded"
