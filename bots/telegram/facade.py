"""The bot's only way to the database: async wrappers around one service or selector each.

Handlers get frozen dataclasses back, never model instances (no lazy ORM access inside async code).
"""

from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.core.files.storage import default_storage
from django.db import close_old_connections

from apps.accounts.models import Consent, LegalDocument, TelegramUser
from apps.accounts.services import (
    bot_start_record,
    consent_accept,
    consent_missing,
    feedback_create,
    telegram_user_channel_joined,
    telegram_user_confirm_adult,
    telegram_user_mark_blocked,
    telegram_user_set_language,
    telegram_user_upsert,
    update_first_seen,
)
from apps.analytics.services import event_track
from apps.billing.selectors import user_has_pro
from apps.conversations.memory import memory_clear, memory_fact_delete, memory_facts_for_user
from apps.conversations.photos import photo_delivery_record, photo_for_turn
from apps.conversations.services import dialogue_new, dialogue_start, message_rate
from apps.personas.selectors import Viewer, module_list_for_user, persona_card_get, persona_list_for_user


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class UserView:
    id: int
    telegram_id: int
    language: str
    first_name: str
    is_beta_tester: bool
    missing_documents: tuple[DocumentView, ...]
    adult_confirmed: bool = False
    has_pro: bool = False

    @property
    def consented(self) -> bool:
        return not self.missing_documents

    @property
    def viewer(self) -> Viewer:
        return Viewer(
            language=self.language,
            is_beta_tester=self.is_beta_tester,
            adult_confirmed=self.adult_confirmed,
            has_pro=self.has_pro,
        )


def _user_enter(
    *, telegram_id, username, first_name, last_name, language_code, start_payload, is_start=False
) -> UserView:
    user, _created = telegram_user_upsert(
        telegram_id=telegram_id,
        username=username or "",
        first_name=first_name or "",
        last_name=last_name or "",
        language_code=language_code,
        start_payload=start_payload,
    )
    if is_start:
        bot_start_record(user_id=user.pk, payload=start_payload)
    return _user_view(user)


def document_view(document: LegalDocument, language: str) -> DocumentView:
    russian = language == "ru"
    return DocumentView(
        id=document.pk,
        kind=document.kind,
        title=document.title_ru if russian else document.title_en,
        body=document.body_ru if russian else document.body_en,
    )


def _user_view(user: TelegramUser) -> UserView:
    missing = tuple(document_view(document, user.language) for document in consent_missing(user_id=user.pk))
    return UserView(
        id=user.pk,
        telegram_id=user.telegram_id,
        language=user.language,
        first_name=user.first_name,
        is_beta_tester=user.is_beta_tester,
        missing_documents=missing,
        adult_confirmed=user.adult_confirmed_at is not None,
        has_pro=user_has_pro(user_id=user.pk),
    )


def _accept_and_reload(*, user_id: int, document_ids: list[int]) -> UserView:
    consent_accept(user_id=user_id, document_ids=document_ids)
    return _user_view(TelegramUser.objects.get(pk=user_id))


user_enter = sync_to_async(_user_enter)
accept_documents = sync_to_async(_accept_and_reload)
update_is_new = sync_to_async(lambda update_id: update_first_seen(update_id=update_id))
modules_for = sync_to_async(lambda viewer: module_list_for_user(viewer=viewer))
persona_page = sync_to_async(
    lambda module_code, viewer, page: persona_list_for_user(module_code=module_code, viewer=viewer, page=page)
)
persona_card = sync_to_async(
    lambda persona_id, viewer, module_code: persona_card_get(
        persona_id=persona_id, viewer=viewer, module_code=module_code
    )
)
start_dialogue = sync_to_async(
    lambda user_id, persona_id, module_code, scenario_id=None: dialogue_start(
        user_id=user_id, persona_id=persona_id, module_code=module_code, scenario_id=scenario_id
    )
)
close_connections = sync_to_async(close_old_connections)


def read_media(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


read_media_async = sync_to_async(read_media)

memory_list = sync_to_async(lambda user_id: memory_facts_for_user(user_id=user_id))
memory_delete = sync_to_async(lambda user_id, fact_id: memory_fact_delete(user_id=user_id, fact_id=fact_id))
memory_forget_all = sync_to_async(lambda user_id: memory_clear(user_id=user_id))
rate_reply = sync_to_async(
    lambda user_id, message_id, value: message_rate(user_id=user_id, message_id=message_id, rating=value)
)
fresh_dialogue = sync_to_async(lambda user_id: dialogue_new(user_id=user_id))
set_language = sync_to_async(lambda user_id, code: telegram_user_set_language(user_id=user_id, language=code))
mark_blocked = sync_to_async(lambda telegram_id: telegram_user_mark_blocked(telegram_id=telegram_id))
voice_received = sync_to_async(
    lambda user_id, seconds: event_track(
        name="voice_sent", user_id=user_id, properties={"seconds": round(seconds)}, source="bot"
    )
)
channel_joined = sync_to_async(lambda user_id: telegram_user_channel_joined(user_id=user_id))
send_feedback = sync_to_async(lambda user_id, text: feedback_create(user_id=user_id, text=text))
module_chosen = sync_to_async(
    lambda user_id, module_code: event_track(
        name="module_chosen", user_id=user_id, properties={"module": module_code}, source="bot"
    )
)
paywall_shown = sync_to_async(
    lambda user_id, reason: event_track(
        name="paywall_shown", user_id=user_id, properties={"reason": reason}, source="bot"
    )
)
confirm_adult = sync_to_async(
    lambda user_id, confirmed: telegram_user_confirm_adult(user_id=user_id, confirmed=confirmed)
)


@dataclass(frozen=True)
class ConsentView:
    title: str
    version: int
    accepted_at: str


def _consents_of(user_id: int) -> list[ConsentView]:
    language = TelegramUser.objects.values_list("language", flat=True).get(pk=user_id)
    return [
        ConsentView(
            title=consent.document.title_ru if language == "ru" else consent.document.title_en,
            version=consent.document.version,
            accepted_at=consent.accepted_at.strftime("%d.%m.%Y"),
        )
        for consent in Consent.objects.select_related("document").filter(user_id=user_id).order_by("accepted_at")
    ]


consents_of = sync_to_async(_consents_of)


def _photo_decision(user: UserView, result, embedder):
    return photo_for_turn(
        user_id=user.id,
        persona_id=result.persona_id,
        dialogue_id=result.dialogue_id,
        viewer=user.viewer,
        user_text=result.user_text,
        reply_text=result.text,
        embedder=embedder,
    )


photo_decision = sync_to_async(_photo_decision)
photo_delivered = sync_to_async(
    lambda user_id, photo_id, dialogue_id, trigger: photo_delivery_record(
        user_id=user_id, photo_id=photo_id, dialogue_id=dialogue_id, trigger=trigger
    )
)
