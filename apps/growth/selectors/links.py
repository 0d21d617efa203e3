"""Deep links and QR codes of acquisition links, and how many users each one brought."""

import io
from collections.abc import Iterable

import segno
from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.models import TelegramUser
from apps.growth.models import AcquisitionLink

QR_SCALE = 8  # pixels per module: about 300 px for a typical link, crisp in print
QR_BORDER = 4  # the quiet zone the QR standard asks for


def deep_link_url(code: str) -> str:
    return f"https://t.me/{settings.TELEGRAM_BOT_USERNAME}?start={code}"


def link_qr_png(code: str) -> bytes:
    """The link's deep link as a QR code, PNG; error correction M survives a small logo or a crease."""
    buffer = io.BytesIO()
    segno.make(deep_link_url(code), error="m").save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def users_acquired_by_code(*, codes: Iterable[str]) -> dict[str, int]:
    """How many users first arrived through each code (codes nobody used are missing)."""
    rows = (
        TelegramUser.objects.filter(acquisition_code__in=list(codes))
        .order_by()
        .values("acquisition_code")
        .annotate(users=Count("pk"))
    )
    return {row["acquisition_code"]: row["users"] for row in rows}


def links_with_users(queryset: QuerySet[AcquisitionLink]) -> QuerySet[AcquisitionLink]:
    """Links annotated with `users_acquired` (sortable in the admin); one indexed count per link shown."""
    users = TelegramUser.objects.filter(acquisition_code=OuterRef("code")).order_by().values("acquisition_code")
    return queryset.annotate(users_acquired=Coalesce(Subquery(users.annotate(n=Count("pk")).values("n")), 0))
