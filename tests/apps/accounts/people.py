"""People with something of everything stored about them, for the export, erasure and retention tests."""

from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import TelegramUser
from apps.accounts.services import (
    bot_start_record,
    consent_accept,
    consent_missing,
    feedback_create,
    telegram_user_upsert,
)
from apps.billing.models import BonusBalance, DailyUsage
from apps.conversations.models import Dialogue, DialogueSummary, MemoryFact, Message, PhotoDelivery
from apps.conversations.services import dialogue_start, message_store
from apps.growth.models import Survey, SurveyResponse
from apps.growth.services.custdev import interview_contact_answer, survey_response_answer, survey_response_score
from apps.growth.services.referrals import referral_code_get_or_create
from apps.personas.models import Module
from tests.factories import PaymentFactory, PersonaFactory, RefundFactory, SubscriptionFactory


def person(
    *, telegram_id: int, name: str, phrase: str, invited_by: TelegramUser | None = None, payload: str = "promo_x"
) -> TelegramUser:
    """A user who came through a link, accepted the documents, talked, was remembered, paid (and was partly
    refunded), wrote feedback, answered a survey and the interview question, and has an invitation code.
    Every text they wrote contains `phrase`."""
    start = referral_code_get_or_create(user_id=invited_by.pk).code if invited_by else payload
    user, _created = telegram_user_upsert(
        telegram_id=telegram_id,
        username=f"{name.lower()}_tg",
        first_name=name,
        last_name="Testova",
        start_payload=start,
    )
    bot_start_record(user_id=user.pk, payload=start)
    consent_accept(user_id=user.pk, document_ids=[document.pk for document in consent_missing(user_id=user.pk)])
    persona = PersonaFactory(name=f"Соня-{name}", modules=[Module.objects.get(code="partner")])
    dialogue_id = dialogue_start(user_id=user.pk, persona_id=persona.pk, module_code="partner").dialogue_id
    dialogue = Dialogue.objects.get(pk=dialogue_id)
    source = message_store(dialogue, Message.Role.USER, f"Меня зовут {name}, {phrase}")
    message_store(dialogue, Message.Role.ASSISTANT, f"Рада знакомству! ({phrase})")
    DialogueSummary.objects.create(dialogue=dialogue, text=f"{name} рассказала: {phrase}", covers_until=source.pk)
    MemoryFact.objects.create(
        user=user, category="name", slot="name", text=f"Пользователя зовут {name} ({phrase})", source_message=source
    )
    PhotoDelivery.objects.create(user=user, dialogue=dialogue, persona=persona, trigger="asked")
    feedback_create(user_id=user.pk, text=f"Отзыв: {phrase}")
    survey = Survey.objects.get_or_create(
        title="NPS", defaults={"question_ru": "?", "question_en": "?", "follow_up_ru": "?", "follow_up_en": "?"}
    )[0]
    SurveyResponse.objects.create(survey=survey, user=user, sent_at=timezone.now())
    survey_response_score(user_id=user.pk, survey_id=survey.pk, score=9)
    survey_response_answer(user_id=user.pk, survey_id=survey.pk, text=f"Ответ: {phrase}")
    interview_contact_answer(user_id=user.pk, agreed=True)
    referral_code_get_or_create(user_id=user.pk)
    subscription = SubscriptionFactory(user=user, payment_method_id="pm-saved-card")
    receipt = {"customer": {"email": f"{name.lower()}@example.com"}, "items": []}
    payment = PaymentFactory(
        user=user, subscription=subscription, status="succeeded", paid_at=timezone.now(), receipt=receipt
    )
    RefundFactory(payment=payment, amount=Decimal("100.00"))
    DailyUsage.objects.create(user=user, day=timezone.localdate(), messages=3)
    BonusBalance.objects.create(user=user, messages=30)
    return TelegramUser.objects.get(pk=user.pk)
