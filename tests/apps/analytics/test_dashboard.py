"""The marketing dashboard in the admin: every panel renders with the report's numbers and exports CSV."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from apps.analytics.demo import analytics_demo_generate
from apps.analytics.panels import dashboard_panels, report_filter_for
from apps.analytics.reports import funnel

pytestmark = pytest.mark.django_db
URL = "/admin/analytics/dashboard/"


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        analytics_demo_generate(users=200, days=20, seed=5)
    yield
    with django_db_blocker.unblock():
        from apps.analytics.demo import analytics_demo_remove

        analytics_demo_remove()


def test_every_panel_renders_with_a_table_and_the_charts_have_data(admin_client, history):
    page = admin_client.get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    keys = re.findall(r'data-panel="([a-z_]+)"', html)
    assert keys == [panel.key for panel in dashboard_panels()]
    charts = re.findall(r'data-value="([^"]+)"', html)
    assert charts
    for chart in charts:
        data = json.loads(chart.replace("&quot;", '"'))
        assert data["labels"]
        assert any(value for value in data["datasets"][0]["data"])


def test_the_funnel_table_shows_the_reports_numbers(admin_client, history):
    today = timezone.localdate()
    report = funnel.funnel_report(
        steps=funnel.DEFAULT_FUNNEL, filter=report_filter_for(today - timedelta(days=29), today, "")
    )
    _header, rows = report.as_table()

    html = admin_client.get(URL).content.decode()

    table = html.split('data-table="funnel"')[1].split("</table>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells[1] == str(rows[0][1])  # users who started the bot
    assert str(rows[4][1]) in cells  # users who sent a message


def test_csv_export_is_the_reports_table(admin_client, history):
    today = timezone.localdate()
    report_filter = report_filter_for(today - timedelta(days=29), today, "")
    header, rows = funnel.funnel_report(steps=funnel.DEFAULT_FUNNEL, filter=report_filter).as_table()

    response = admin_client.get(URL, {"export": "funnel"})

    assert response["Content-Type"].startswith("text/csv")
    parsed = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(parsed[0]) == len(header)  # headers are in the admin's language
    assert [row[1] for row in parsed[1:]] == [str(row[1]) for row in rows]


def test_the_channel_filter_narrows_the_numbers(admin_client, history):
    everyone = admin_client.get(URL, {"export": "funnel"}).content.decode().splitlines()[1]
    one_channel = admin_client.get(URL, {"export": "funnel", "channel": "seo_blog"}).content.decode().splitlines()[1]

    assert int(one_channel.split(",")[1]) < int(everyone.split(",")[1])


def test_an_unknown_export_is_not_found(admin_client):
    assert admin_client.get(URL, {"export": "nope"}).status_code == 404


def test_staff_without_the_analytics_permission_is_refused(client):
    staff = User.objects.create_user("support", password="x", is_staff=True)
    client.force_login(staff)

    assert client.get(URL).status_code == 403

    staff.user_permissions.add(Permission.objects.get(codename="view_event"))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    assert client.get(URL).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
