from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.views.static import serve


@staff_member_required
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Uploads (persona photos, some of them 18+) are for staff eyes only; the bot sends files, not links."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def admin_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): the admin's look, 429."""
    from django.contrib import admin
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"site_title": admin.site.site_title, "cooloff_minutes": minutes}
    return render(request, "admin/locked_out.html", context, status=429)
