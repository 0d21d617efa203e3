import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Consent, Feedback, Language, LegalDocument, ProcessedUpdate, TelegramUser
from apps.analytics.services import event_track
from apps.core.exceptions import InvalidInput
from apps.core.validators import START_PAYLOAD_PATTERN
from apps.growth.models.hypotheses import REFERRAL_PREFIX

logger = logging.getLogger(__name__)

# Telegram interface languages whose speakers are served best in Russian; every other one gets English.
RUSSIAN_READING_LANGUAGES = frozenset({"ru", "uk", "be", "kk", "ky", "uz", "tg", "hy", "az", "ka", "tk", "mo"})


def language_from_telegram(language_code: str | None) -> str:
    """Map Telegram's IETF language tag to one of ours (Russian when Telegram does not say)."""
    if not language_code:
        return Language.RUSSIAN
    primary = language_code.split("-")[0].lower()
    if primary == "en":
        return Language.ENGLISH
    return Language.RUSSIAN if primary in RUSSIAN_READING_LANGUAGES else Language.ENGLISH


# "Last seen" feeds retention and silence segments measured in days: refreshing it once a minute spares a
# write on almost every update of a conversation.
LAST_SEEN_PRECISION = timedelta(minutes=1)


def telegram_user_upsert(
    *,
    telegram_id: int,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    language_code: str | None = None,
    start_payload: str | None = None,
) -> tuple[TelegramUser, bool]:
    """Find or register the user behind an update; returns (user, created).

    The acquisition code is recorded on the first touch only, so a later /start with another link
    never re-attributes a user. Profile fields follow Telegram; the chosen language is kept.
    """
    profile = {
        "username": (username or "")[:32],
        "first_name": (first_name or "")[:64],
        "last_name": (last_name or "")[:64],
    }
    now = timezone.now()
    user = TelegramUser.objects.filter(telegram_id=telegram_id).first()
    if user is None:
        try:
            return _telegram_user_create(telegram_id, profile, language_code, start_payload, now), True
        except IntegrityError:  # the same user's other update registered them a moment ago
            user = TelegramUser.objects.get(telegram_id=telegram_id)
    changed = {name: value for name, value in profile.items() if getattr(user, name) != value}
    if user.last_seen_at is None or now - user.last_seen_at >= LAST_SEEN_PRECISION:
        changed["last_seen_at"] = now
    if user.has_blocked_bot:  # writing to the bot again means it is no longer blocked
        changed.update(has_blocked_bot=False, blocked_bot_at=None)
    if not changed:
        return user, False
    for name, value in changed.items():
        setattr(user, name, value)
    user.save(update_fields=[*changed, "updated_at"])
    return user, False


@transaction.atomic
def _telegram_user_create(telegram_id, profile, language_code, start_payload, now) -> TelegramUser:
    payload_valid = bool(start_payload) and bool(START_PAYLOAD_PATTERN.match(start_payload))
    if start_payload and not payload_valid:
        logger.warning("ignored a malformed start payload for a new user (%d characters)", len(start_payload))
    user = TelegramUser(
        telegram_id=telegram_id,
        language=language_from_telegram(language_code),
        last_seen_at=now,
        acquisition_code=start_payload if payload_valid else "",
        acquired_at=now,
        **profile,
    )
    user.full_clean(validate_unique=False)
    user.save()
    event_track(
        name="user_registered",
        user_id=user.pk,
        properties={
            "acquisition_code": user.acquisition_code or None,
            "language": user.language,
            "malformed_start_payload": bool(start_payload) and not payload_valid,
        },
        source="bot",
    )
    if payload_valid and start_payload.startswith(REFERRAL_PREFIX):
        from apps.growth.services.referrals import referral_attribute  # growth imports accounts

        referral_attribute(referee_id=user.pk, code=start_payload)
    return user


@transaction.atomic
def telegram_users_set_beta_tester(*, users: QuerySet[TelegramUser], is_beta_tester: bool) -> int:
    """Open (or close) beta-only modules and personas to these users; returns how many changed."""
    changed = 0
    for user in users.select_for_update().filter(is_beta_tester=not is_beta_tester):
        user.is_beta_tester = is_beta_tester
        user.save(update_fields=["is_beta_tester", "updated_at"])
        event_track(
            name="beta_tester_changed", user_id=user.pk, properties={"is_beta_tester": is_beta_tester}, source="admin"
        )
        changed += 1
    return changed


@transaction.atomic
def telegram_user_mark_blocked(*, telegram_id: int) -> None:
    """Record that Telegram refused delivery because the user blocked the bot."""
    user = TelegramUser.objects.select_for_update().filter(telegram_id=telegram_id, has_blocked_bot=False).first()
    if user is None:
        return
    user.has_blocked_bot = True
    user.blocked_bot_at = timezone.now()
    user.save(update_fields=["has_blocked_bot", "blocked_bot_at", "updated_at"])
    event_track(name="bot_blocked", user_id=user.pk, source="bot")


# --- Consent ------------------------------------------------------------------------------------

REQUIRED_BEFORE_CHAT = (LegalDocument.Kind.PRIVACY, LegalDocument.Kind.TERMS)


def legal_documents_current(*, kinds=REQUIRED_BEFORE_CHAT) -> list[LegalDocument]:
    """The newest published version of each kind."""
    current = []
    for kind in kinds:
        document = (
            LegalDocument.objects.filter(kind=kind, published_at__isnull=False, published_at__lte=timezone.now())
            .order_by("-version")
            .first()
        )
        if document:
            current.append(document)
    return current


def consent_missing(*, user_id: int) -> list[LegalDocument]:
    """Current documents the user has not accepted yet (empty: they may chat)."""
    accepted = set(Consent.objects.filter(user_id=user_id).values_list("document_id", flat=True))
    return [document for document in legal_documents_current() if document.pk not in accepted]


def offer_current() -> LegalDocument | None:
    """The public offer in force (its newest published version); None: nothing may be sold."""
    current = legal_documents_current(kinds=(LegalDocument.Kind.OFFER,))
    return current[0] if current else None


def offer_accepted(*, user_id: int) -> bool:
    """Whether the user accepted the offer in force; a newer version must be accepted again before paying."""
    offer = offer_current()
    return offer is not None and Consent.objects.filter(user_id=user_id, document=offer).exists()


@transaction.atomic
def consent_accept(*, user_id: int, document_ids: list[int]) -> None:
    """Record acceptance of exactly the versions the user was shown; a newer version asks again."""
    current = {document.pk: document for document in legal_documents_current(kinds=LegalDocument.Kind.values)}
    for document_id in document_ids:
        if document_id not in current:
            continue  # the user accepted a version that has since been replaced: they will be asked again
        _consent, created = Consent.objects.get_or_create(user_id=user_id, document_id=document_id)
        if created:
            document = current[document_id]
            event_track(
                name="consent_accepted",
                user_id=user_id,
                properties={"kind": document.kind, "version": document.version},
                source="bot",
            )


def update_first_seen(*, update_id: int) -> bool:
    """Mark a Telegram update as handled; False when it was handled before (a redelivery)."""
    try:
        with transaction.atomic():
            ProcessedUpdate.objects.create(update_id=update_id)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def telegram_user_set_language(*, user_id: int, language: str) -> None:
    if language not in Language.values:
        raise InvalidInput(code="unknown_language")
    TelegramUser.objects.filter(pk=user_id).update(language=language)
    event_track(name="language_changed", user_id=user_id, properties={"language": language}, source="bot")


@transaction.atomic
def telegram_user_confirm_adult(*, user_id: int, confirmed: bool) -> None:
    """The explicit "I am 18 or older" answer; declining keeps the user in safe content."""
    if confirmed:
        TelegramUser.objects.filter(pk=user_id, adult_confirmed_at__isnull=True).update(
            adult_confirmed_at=timezone.now()
        )
    event_track(name="age_confirmed" if confirmed else "age_declined", user_id=user_id, source="bot")


@transaction.atomic
def bot_start_record(*, user_id: int, payload: str | None) -> None:
    """Every /start is a funnel step; the payload (an acquisition code) goes along when it is a valid one."""
    payload = (payload or "").strip()
    valid = bool(START_PAYLOAD_PATTERN.fullmatch(payload))
    event_track(
        name="bot_start",
        user_id=user_id,
        properties={"payload": payload if valid else None, "malformed_payload": bool(payload) and not valid},
        source="bot",
    )


@transaction.atomic
def telegram_user_channel_joined(*, user_id: int) -> bool:
    """Record the first time the user is seen in the required channel; False when it was recorded before."""
    updated = TelegramUser.objects.filter(pk=user_id, channel_joined_at__isnull=True).update(
        channel_joined_at=timezone.now()
    )
    if updated:
        event_track(name="channel_joined", user_id=user_id, source="bot")
    return bool(updated)


FEEDBACK_MAX_CHARS = 4000


@transaction.atomic
def feedback_create(*, user_id: int, text: str) -> Feedback:
    """A user's free-text message to the team; listed in the admin."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Feedback cannot be empty."), code="empty_feedback")
    if len(text) > FEEDBACK_MAX_CHARS:
        message = format_lazy(_("Feedback is too long: up to {limit} characters."), limit=FEEDBACK_MAX_CHARS)
        raise InvalidInput(message, code="feedback_too_long")
    user = TelegramUser.objects.get(pk=user_id)
    feedback = Feedback(user=user, text=text, language=user.language)
    feedback.full_clean()
    feedback.save()
    event_track(name="feedback_sent", user_id=user_id, properties={"feedback_id": feedback.pk}, source="bot")
    return feedback


@transaction.atomic
def feedback_mark_resolved(*, feedback: QuerySet[Feedback]) -> int:
    """Mark feedback as handled by the team; returns how many changed."""
    return feedback.filter(is_resolved=False).update(is_resolved=True, updated_at=timezone.now())
