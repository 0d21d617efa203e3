"""The admin audit log: every change made in the admin and every export taken out of it is recorded."""

import logging
import re

from django.http import HttpRequest, HttpResponse

from apps.core.http import client_ip

logger = logging.getLogger(__name__)

# Login and logout are counted by django-axes; the rest of the admin is audited.
NOT_AUDITED = re.compile(r"^/admin/(login|logout|jsi18n)/")
EXPORT_MARKERS = ("export", "download", "qr")
MAX_IDS = 1000


class AdminAuditMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _audited(request):
            try:
                _record(request, response)
            except Exception:  # the audit must never turn a done change into an error page
                logger.exception("could not record an admin audit entry for %s", request.path)
        return response


def _audited(request: HttpRequest) -> bool:
    if not request.path.startswith("/admin/") or NOT_AUDITED.match(request.path):
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    where = (request.path + "?" + request.META.get("QUERY_STRING", "")).lower()
    return any(marker in where for marker in EXPORT_MARKERS)


def _record(request: HttpRequest, response: HttpResponse) -> None:
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from apps.core.models import AdminAuditEntry

    data = request.POST if request.method == "POST" else request.GET
    action = data.get("action", "") or request.GET.get("export", "")
    ids = data.getlist(ACTION_CHECKBOX_NAME)[:MAX_IDS]
    AdminAuditEntry.objects.create(
        user=request.user,
        username=request.user.get_username(),
        method=request.method[:8],
        path=request.get_full_path()[:500] if request.method == "GET" else request.path[:500],
        action=str(action)[:100],
        object_ids=ids,
        status_code=response.status_code,
        ip_address=client_ip(request) or None,
    )
