"""The abuse limits' way to the database: one analytics event per notice, never one per dropped message."""

from asgiref.sync import sync_to_async

from apps.analytics.services import event_track

rate_limited = sync_to_async(
    lambda user_id, kind, retry_after_s: event_track(
        name="rate_limited",
        user_id=user_id,
        properties={"kind": kind, "retry_after_seconds": round(retry_after_s)},
        source="bot",
    )
)
