"""The bot's way to a person's data rights: the export file, what erasure will touch, and erasure itself."""

from dataclasses import dataclass

from asgiref.sync import sync_to_async

from apps.accounts.privacy import (
    ACTOR_USER,
    EXPORT_INTERVAL,
    export_file_name,
    export_to_json,
    user_data_erase,
    user_data_export_request,
)
from apps.billing.selectors import subscription_live

EXPORT_INTERVAL_MINUTES = int(EXPORT_INTERVAL.total_seconds() // 60)


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes  # UTF-8 JSON


@dataclass(frozen=True)
class ErasurePreview:
    live_subscription: bool
    period_end: str  # "31.12.2026", or "" without a live subscription


def _export(user_id: int) -> ExportFile:
    """Raises LimitExceeded when the user asked a few minutes ago."""
    return ExportFile(name=export_file_name(), content=export_to_json(user_data_export_request(user_id=user_id)))


def _preview(user_id: int) -> ErasurePreview:
    subscription = subscription_live(user_id=user_id)
    if subscription is None:
        return ErasurePreview(live_subscription=False, period_end="")
    return ErasurePreview(live_subscription=True, period_end=subscription.current_period_end.strftime("%d.%m.%Y"))


def _erase(user_id: int) -> None:
    user_data_erase(user_id=user_id, actor=ACTOR_USER)  # the destruction record stays on this side


export = sync_to_async(_export)
erasure_preview = sync_to_async(_preview)
erase = sync_to_async(_erase)
