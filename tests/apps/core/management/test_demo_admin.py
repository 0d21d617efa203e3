import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_creates_a_superuser_once_and_prints_a_working_password(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()

    call_command("demo_admin", stdout=first)
    call_command("demo_admin", stdout=second)

    password = first.getvalue().split("password:")[1].split()[0]
    login = RequestFactory().post("/admin/login/")  # django-axes counts attempts per request
    assert authenticate(login, username="admin", password=password).is_superuser
    assert User.objects.filter(is_superuser=True).count() == 1
    assert password not in second.getvalue()
    assert (tmp_path / "demo-admin.txt").stat().st_mode & 0o777 == 0o600
