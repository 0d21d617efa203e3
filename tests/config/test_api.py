import json

import pytest
from django.test import RequestFactory
from django.utils import translation

from apps.core.exceptions import LimitExceeded, NotFound
from config.api import application_error


@pytest.mark.parametrize(
    ("error", "status", "code"), [(NotFound(), 404, "not_found"), (LimitExceeded(), 429, "limit_exceeded")]
)
def test_application_errors_become_json_with_their_status_and_code(error, status, code):
    response = application_error(RequestFactory().get("/api/anything"), error)

    assert response.status_code == status
    assert json.loads(response.content)["code"] == code


def test_error_messages_follow_the_request_language():
    with translation.override("ru"):
        response = application_error(RequestFactory().get("/api/anything"), NotFound())

    assert json.loads(response.content)["message"] == "Не найдено."


def test_custom_message_and_code_are_kept():
    response = application_error(
        RequestFactory().get("/api/x"), NotFound("Persona 7 is gone.", code="persona_not_found")
    )

    assert json.loads(response.content) == {"code": "persona_not_found", "message": "Persona 7 is gone."}
