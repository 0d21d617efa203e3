"""Funnels edited in the admin: validated steps, shown on the dashboard in order."""

import pytest
from django.core.exceptions import ValidationError

from apps.analytics.models import FunnelDefinition
from apps.analytics.selectors import funnels_on_dashboard

pytestmark = pytest.mark.django_db


def test_the_main_funnel_ships_with_the_default_steps():
    [main] = funnels_on_dashboard()

    assert main.name == "Main funnel"
    assert [step.event for step in main.steps][:3] == ["bot_start", "consent_accepted", "module_chosen"]
    assert [step.min_count for step in main.steps if step.event == "message_sent"] == [1, 10]


@pytest.mark.parametrize(
    "steps",
    [
        [{"event": "bot_start"}],  # one step is no funnel
        [{"event": "bot_start", "min_count": 2}, {"event": "message_sent"}],  # entry counted once
        [{"event": "$returned_next_day"}, {"event": "message_sent"}],  # not a first step
        [{"event": "bot_start"}, {"event": ""}],
        [{"event": "bot_start"}, {"event": "message_sent", "min_count": 0}],
        "bot_start, message_sent",
    ],
)
def test_broken_steps_are_refused_with_a_reason(steps):
    funnel = FunnelDefinition(name="Broken", steps=steps)

    with pytest.raises(ValidationError):
        funnel.full_clean()


def test_a_new_funnel_appears_on_the_dashboard_after_the_main_one(admin_client):
    FunnelDefinition.objects.create(
        name="Voice", steps=[{"event": "bot_start"}, {"event": "voice_sent", "label": "Sent a voice"}], order=5
    )

    names = [funnel.name for funnel in funnels_on_dashboard()]
    page = admin_client.get("/admin/analytics/dashboard/").content.decode()

    assert names == ["Main funnel", "Voice"]
    assert 'data-panel="funnel-' in page


def test_the_admin_saves_only_valid_funnels(admin_client):
    response = admin_client.post(
        "/admin/analytics/funneldefinition/add/",
        {"name": "Bad", "steps": '[{"event": "bot_start"}]', "window_days": 30, "order": 1, "is_active": "on"},
    )

    assert response.status_code == 200  # the form comes back with the error
    assert not FunnelDefinition.objects.filter(name="Bad").exists()
