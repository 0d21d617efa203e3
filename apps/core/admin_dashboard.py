"""The admin index: today's key numbers and the health of the platform (unfold callbacks)."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import user_counts
from apps.analytics.selectors import event_count
from apps.billing.selectors import paying_share, revenue_since
from apps.core.selectors import health_report
from apps.inference.selectors import inference_overview


def environment_callback(request: HttpRequest) -> list[str]:
    return [_("Production"), "danger"] if settings.PRODUCTION else [_("Development"), "info"]


def dashboard_callback(request: HttpRequest, context: dict) -> dict:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    users = user_counts(since=today)
    health = health_report()
    context["kpis"] = [
        {"title": _("Users"), "value": users.total, "footer": _("all time")},
        {"title": _("New today"), "value": users.new_since, "footer": _("first /start since midnight")},
        {"title": _("Active today"), "value": users.active_since, "footer": _("wrote to the bot since midnight")},
        {"title": _("Revenue today"), "value": f"{revenue_since(since=today):,.0f} ₽".replace(",", " "),
         "footer": _("paid since midnight, refunds subtracted")},
        {"title": _("Conversion, 30 days"), "value": _conversion(today - timedelta(days=29)),
         "footer": _("of users who arrived in 30 days have paid")},
        {"title": _("Events today"), "value": event_count(since=today), "footer": _("recorded since midnight")},
    ]  # fmt: skip
    context["health"] = {
        "healthy": health.healthy,
        "headers": [_("Component"), _("State"), _("Required"), _("Latency, ms"), _("Detail")],
        "rows": [
            [part.name, part.status, _("yes") if part.required else _("no"), part.latency_ms or "", part.detail]
            for part in health.components
        ],
    }
    context["models"] = _models_table()
    return context


def _conversion(since) -> str:
    arrived, paid = paying_share(since=since)
    return f"{100 * paid / arrived:.1f}%" if arrived else "—"


def _models_table() -> dict:
    overview = inference_overview()
    stats = overview.stats
    if stats:
        figures = _("%(rate).0f tokens/s, queue %(depth)d of %(capacity)d, mean batch %(batch).1f (at %(at)s)") % {
            "rate": stats["tokens_per_second"],
            "depth": stats["queue_depth"],
            "capacity": stats["queue_capacity"],
            "batch": stats["mean_batch_size"],
            "at": stats["published_at"][:16].replace("T", " "),
        }
    else:
        figures = _("no figures yet: the bot publishes them while it serves")
    return {
        "generator": overview.generator,
        "generator_installed": overview.generator_installed,
        "generator_model_dir": overview.generator_model_dir,
        "figures": figures,
        "headers": [_("Model"), _("Kind"), _("Languages"), _("Licence"), _("Source")],
        "rows": [
            [model.name, model.kind, ", ".join(model.languages), model.licence, model.source]
            for model in overview.models
        ],
    }
