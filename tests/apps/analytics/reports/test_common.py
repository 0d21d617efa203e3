import pytest
from django.db import connection

from apps.analytics.reports.funnel import FunnelStep, funnel_report
from tests.apps.analytics.reports.helpers import period, user_with

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT and planner settings exist on PostgreSQL only")
def test_a_report_leaves_the_sessions_planner_settings_as_they_were():
    user_with(("bot_start", "2024-03-04 10:00"))
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
        cursor.execute("SET enable_nestloop = on")

    funnel_report(steps=[FunnelStep("bot_start")], filter=period("2024-03-01", "2024-03-31"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('enable_nestloop')")
        assert cursor.fetchone() == ("on", "on")
