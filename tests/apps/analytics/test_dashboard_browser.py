"""The dashboard in a real browser (headless Chromium): the charts are drawn and show the report's numbers."""

import json
import shutil
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from apps.analytics.demo import analytics_demo_generate
from apps.analytics.panels import report_filter_for
from apps.analytics.reports import funnel

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2400"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _log_in(browser, live_server) -> None:
    User.objects.create_superuser("owner", "owner@example.com", "a-long-test-password")
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element("name", "username").send_keys("owner")
    browser.find_element("name", "password").send_keys("a-long-test-password")
    browser.find_element("css selector", "[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    # The click returns before the login round trip ends: wait for it, or the next page finds no session yet.
    WebDriverWait(browser, 15).until(lambda driver: "/login/" not in driver.current_url)


def test_the_charts_are_drawn_with_the_reports_numbers(browser, live_server):
    analytics_demo_generate(users=150, days=20, seed=9)
    today = timezone.localdate()
    expected = funnel.funnel_report(
        steps=funnel.DEFAULT_FUNNEL, filter=report_filter_for(today - timedelta(days=29), today, "")
    )
    _log_in(browser, live_server)

    browser.get(f"{live_server.url}/admin/analytics/dashboard/")

    drawn = browser.execute_script(
        """
        return Array.from(document.querySelectorAll('canvas.chart')).map(canvas => {
            const chart = window.Chart && Chart.getChart(canvas);
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
            return {panel: canvas.closest('[data-panel]').dataset.panel, painted: painted,
                    data: chart ? chart.data.datasets[0].data : null};
        });
        """
    )
    assert drawn, f"no chart on {browser.current_url}: {browser.page_source[:1500]}"
    assert all(chart["data"] is not None for chart in drawn), "Chart.js did not take every canvas"
    assert all(chart["painted"] > 500 for chart in drawn), "a canvas stayed blank"
    funnel_chart = next(chart for chart in drawn if chart["panel"] == "funnel")
    assert funnel_chart["data"] == [float(step.users) for step in expected.steps]
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-table=funnel] tbody tr'))"
        ".map(row => row.cells[1].innerText);"
    )
    assert cells == [str(step.users) for step in expected.steps], json.dumps(cells)
