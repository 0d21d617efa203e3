from django.http import HttpRequest
from ninja import Router, Status

from apps.core.schemas import HealthOut
from apps.core.selectors import health_report

router = Router(tags=["platform"])


@router.get(
    "/health", response={200: HealthOut, 503: HealthOut}, auth=None, summary="Health of database, cache, broker"
)
def health(request: HttpRequest):
    report = health_report()
    body = {
        "status": "ok" if report.healthy else "fail",
        "components": {
            part.name: {
                "status": part.status,
                "required": part.required,
                "detail": part.detail,
                "latency_ms": part.latency_ms,
            }
            for part in report.components
        },
    }
    return Status(200 if report.healthy else 503, body)
