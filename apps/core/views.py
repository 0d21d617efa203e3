from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.views.static import serve


@staff_member_required
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Uploads (persona photos, some of them 18+) are for staff eyes only; the bot sends files, not links."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
