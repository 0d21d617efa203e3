"""A person's data rights: a copy of everything stored about them, and erasing it.

Erasing destroys what the person said and what identifies them; the user row stays as a pseudonym that
keeps payment records (which the law requires) attached to nobody. The same Telegram account writing again
is simply a new user.
"""

import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import DEFAULT_USER_TIMEZONE, DataErasure, Feedback, Language, TelegramUser
from apps.accounts.selectors import user_data_export
from apps.analytics.selectors import event_last_at
from apps.analytics.services import event_track, events_anonymise_for_user
from apps.billing.services.erasure import billing_erase
from apps.conversations.services.erasure import conversations_erase
from apps.core.exceptions import Conflict, LimitExceeded, NotFound
from apps.growth.services.privacy import growth_erase

ACTOR_USER = "user"  # the person asked in the bot
ACTOR_RETENTION = "retention"  # the retention job; anything else is a staff member's login
EXPORT_INTERVAL = timedelta(minutes=10)
# Erased rows get telegram_id = ERASED_TELEGRAM_ID_BASE - pk: unique, never a real Telegram id (those are
# positive), and far below the negative ids of playground (-staff id) and regression (about -10**12) users.
ERASED_TELEGRAM_ID_BASE = -(10**15)


def export_file_name(*, at=None) -> str:
    return f"sputnik-data-{timezone.localdate(at):%Y-%m-%d}.json"


def export_to_json(data: dict) -> bytes:
    """Readable by the person: UTF-8, letters as they are, indented."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


@transaction.atomic
def user_data_export_request(*, user_id: int, actor: str = ACTOR_USER) -> dict:
    """The user's data for them (at most once per EXPORT_INTERVAL from the bot) or for a staff member."""
    user = TelegramUser.objects.select_for_update().filter(pk=user_id).first()  # one export at a time
    if user is None:
        raise NotFound(code="user_not_found")
    if user.erased_at is not None:
        raise Conflict(_("This user's data was erased: there is nothing to export."), code="already_erased")
    by_user = actor == ACTOR_USER
    if by_user:
        last = event_last_at(user_id=user_id, name="data_exported", source="bot")
        if last is not None and timezone.now() - last < EXPORT_INTERVAL:
            raise LimitExceeded(
                _("You asked for your data a moment ago. Please try again in a few minutes."), code="export_too_soon"
            )
    data = user_data_export(user_id=user_id)
    event_track(
        name="data_exported",
        user_id=user_id,
        properties={"by": "user" if by_user else "staff"},
        source="bot" if by_user else "admin",
    )
    return data


@transaction.atomic
def user_data_erase(*, user_id: int, actor: str, reason: str = "") -> DataErasure:
    """Erase a person's data; returns the destruction record (counts only, never personal data)."""
    user = TelegramUser.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(code="user_not_found")
    if user.erased_at is not None:
        raise Conflict(_("This user's data was already erased."), code="already_erased")
    removed = billing_erase(user_id=user_id)  # first: nothing renews while the rest goes
    removed |= conversations_erase(user_id=user_id)
    removed |= growth_erase(user_id=user_id)
    _total, feedback = Feedback.objects.filter(user_id=user_id).delete()
    removed["feedback"] = feedback.get(Feedback._meta.label, 0)
    removed["events_anonymised"] = events_anonymise_for_user(user_id=user_id)  # last: the steps above add events
    _pseudonymise(user)
    erasure = DataErasure(user=user, actor=actor[:150], reason=(reason or "").strip()[:200], removed=removed)
    erasure.full_clean()
    erasure.save()
    kind = actor if actor in (ACTOR_USER, ACTOR_RETENTION) else "staff"
    source = {ACTOR_USER: "bot", ACTOR_RETENTION: "worker"}.get(actor, "admin")
    event_track(name="data_erased", properties={"by": kind}, source=source)  # belongs to nobody
    return erasure


def _pseudonymise(user: TelegramUser) -> None:
    """Keep the row (payments refer to it) with nothing that says whose it was. Consents stay: they hold a
    document version and a time, and show on what terms the kept payments were made."""
    user.telegram_id = ERASED_TELEGRAM_ID_BASE - user.pk
    user.username = user.first_name = user.last_name = ""
    user.acquisition_code = ""
    user.language = Language.RUSSIAN
    user.timezone = DEFAULT_USER_TIMEZONE
    user.last_seen_at = user.blocked_bot_at = user.adult_confirmed_at = user.channel_joined_at = None
    user.has_blocked_bot = user.is_beta_tester = user.remembers_health = False
    user.erased_at = timezone.now()
    user.full_clean(validate_unique=False)
    user.save()
