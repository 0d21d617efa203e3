import factory

from apps.accounts.models import TelegramUser


class TelegramUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TelegramUser

    telegram_id = factory.Sequence(lambda n: 100_000 + n)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Anna"
