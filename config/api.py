"""The one NinjaAPI of the project, mounted at /api/. Each app contributes a router."""

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI

from apps.billing.api import router as billing_router
from apps.core.api import router as core_router
from apps.core.exceptions import ApplicationError

api = NinjaAPI(
    title="Sputnik API",
    version="1",
    urls_namespace="api",
    docs_url=None if settings.PRODUCTION else "/docs",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, error: ApplicationError):
    return api.create_response(request, {"code": error.code, "message": str(error.message)}, status=error.http_status)


api.add_router("/", core_router)
api.add_router("/billing/", billing_router)
