"""The hypothesis bank in the admin: pages render, actions go through the workflow, links get codes and QR codes."""

from datetime import date
from decimal import Decimal

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.analytics.models import Event
from apps.growth.admin.hypotheses import HypothesisResource
from apps.growth.models import AcquisitionLink, Hypothesis
from tests.apps.growth.hypothesis_factories import AcquisitionLinkFactory, HypothesisFactory, SpendFactory, acquired

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANGELIST = "admin:growth_hypothesis_changelist"


@pytest.fixture(autouse=True)
def english_admin(settings):
    """The admin speaks Russian by default; these tests read its English texts."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def running(settings):
    settings.TELEGRAM_BOT_USERNAME = "sputnik_test_bot"
    hypothesis = HypothesisFactory(title="Ads in dating channels", status="running", impact=8, confidence=6, ease=5)
    link = AcquisitionLinkFactory(hypothesis=hypothesis, code="dating-ads", placement="@dating")
    acquired("dating-ads", "2024-03-01 10:00", ("message_sent", "2024-03-01 10:01"))
    SpendFactory(hypothesis=hypothesis, link=link, amount=Decimal("1500.00"))
    return hypothesis


def hypothesis_form(**changes) -> dict:
    data = {
        "title": "Posts in channels", "description": "", "channel": "channel_posts", "target_segment": "",
        "owner": "", "impact": "6", "confidence": "5", "ease": "4", "success_metric": "cac",
        "success_threshold": "300", "min_users": "50", "budget": "10000", "conclusion": "",
        "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0", "spends-TOTAL_FORMS": "0", "spends-INITIAL_FORMS": "0",
    }  # fmt: skip
    return {**data, **changes}


@pytest.mark.parametrize("name", ["hypothesis", "acquisitionlink", "spend"])
def test_every_growth_list_renders(admin_client, running, name):
    assert admin_client.get(reverse(f"admin:growth_{name}_changelist")).status_code == 200


def test_the_list_shows_ice_status_spend_and_users(admin_client, running):
    page = admin_client.get(reverse(CHANGELIST), {"o": "2"}).content.decode()  # sorted by ICE

    assert "Ads in dating channels" in page
    assert "240" in page  # 8 × 6 × 5
    assert "1500" in page.replace("\u202f", "").replace(",", "").replace(" ", "")


def test_the_list_sorts_by_status_in_workflow_order(admin_client):
    HypothesisFactory(title="Zeta idea")
    HypothesisFactory(title="Alpha rejected", status="rejected")

    page = admin_client.get(reverse(CHANGELIST), {"o": "3"}).content.decode()  # the status column

    assert page.index("Zeta idea") < page.index("Alpha rejected")


def test_the_change_page_shows_results_links_and_spends(admin_client, running):
    page = admin_client.get(reverse("admin:growth_hypothesis_change", args=[running.pk])).content.decode()

    assert "data-results-panel" in page
    assert 'data-verdict="not_enough_data"' in page  # 1 of the 100 users needed
    assert "dating-ads" in page
    assert "https://t.me/sputnik_test_bot?start=dating-ads" in page
    assert "growth/copy_link.js" in page


def test_adding_a_hypothesis_with_a_link_makes_its_code(admin_client):
    data = hypothesis_form(**{
        "links-TOTAL_FORMS": "1", "links-0-code": "", "links-0-channel": "channel_posts",
        "links-0-placement": "@cats", "links-0-is_active": "on",
    })  # fmt: skip

    response = admin_client.post(reverse("admin:growth_hypothesis_add"), data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    hypothesis = Hypothesis.objects.get(title="Posts in channels")
    assert (hypothesis.status, hypothesis.ice_score) == ("idea", 120)
    link = hypothesis.links.get()
    assert link.code.startswith(f"post-h{hypothesis.pk}-")
    assert link.placement == "@cats"


def test_a_taken_code_is_an_error_on_the_form(admin_client):
    AcquisitionLinkFactory(code="Taken")

    response = admin_client.post(
        reverse("admin:growth_acquisitionlink_add"),
        {"code": "taken", "channel": "seo", "placement": "", "is_active": "on"},
    )

    assert response.status_code == 200
    assert AcquisitionLink.objects.filter(code__iexact="taken").count() == 1


def test_the_status_is_not_editable_on_the_form(admin_client, running):
    url = reverse("admin:growth_hypothesis_change", args=[running.pk])

    admin_client.post(url, hypothesis_form(title="Renamed", status="validated"))

    stored = Hypothesis.objects.get(pk=running.pk)
    assert (stored.title, stored.status) == ("Renamed", "running")


def test_start_action_moves_planned_and_reports_the_rest(admin_client):
    planned = HypothesisFactory(status="planned")
    idea = HypothesisFactory(title="Just an idea")

    response = admin_client.post(
        reverse(CHANGELIST), {"action": "start_selected", "_selected_action": [planned.pk, idea.pk]}, follow=True
    )

    assert Hypothesis.objects.get(pk=planned.pk).status == "running"
    assert Hypothesis.objects.get(pk=idea.pk).status == "idea"
    shown = [str(message) for message in response.context["messages"]]
    assert any("1 hypothesis moved" in message for message in shown)
    assert any("Just an idea" in message for message in shown)


def test_marking_validated_asks_for_the_conclusion_first(admin_client, running):
    selection = {"action": "validate_selected", "_selected_action": [running.pk]}

    asked = admin_client.post(reverse(CHANGELIST), selection)

    assert asked.status_code == 200
    assert 'name="conclusion"' in asked.content.decode()
    assert Hypothesis.objects.get(pk=running.pk).status == "running"

    empty = admin_client.post(reverse(CHANGELIST), {**selection, "apply": "1", "conclusion": ""})
    assert empty.status_code == 200
    assert Hypothesis.objects.get(pk=running.pk).status == "running"

    done = admin_client.post(reverse(CHANGELIST), {**selection, "apply": "1", "conclusion": "CAC is 150 ₽."})
    assert done.status_code == 302
    stored = Hypothesis.objects.get(pk=running.pk)
    assert (stored.status, stored.conclusion) == ("validated", "CAC is 150 ₽.")
    assert Event.objects.filter(name="hypothesis_status_changed", properties__to="validated").count() == 1


def test_marking_rejected_lists_what_cannot_be_rejected(admin_client):
    idea = HypothesisFactory(title="Still an idea")

    page = admin_client.post(reverse(CHANGELIST), {"action": "reject_selected", "_selected_action": [idea.pk]})

    assert 'id="unmovable-hypotheses"' in page.content.decode()


def test_the_board_has_a_column_per_status_with_cards(admin_client, running):
    HypothesisFactory(title="Someday", status="idea")

    page = admin_client.get(reverse("admin:growth_hypothesis_board")).content.decode()

    for status in Hypothesis.Status.values:
        assert f'data-column="{status}"' in page
    assert f'data-card="{running.pk}"' in page
    assert "ICE 240" in page
    assert "1 user" in page


def test_the_changelist_links_to_the_board_and_the_comparison(admin_client):
    page = admin_client.get(reverse(CHANGELIST)).content.decode()

    assert reverse("admin:growth_hypothesis_board") in page
    assert reverse("admin:growth_hypothesis_comparison") in page


def test_the_comparison_page_and_its_csv(admin_client, running):
    url = reverse("admin:growth_hypothesis_comparison")

    page = admin_client.get(url, {"date_from": "2024-03-01", "date_to": "2024-03-31", "o": "roi"})
    export = admin_client.get(url, {"export": "csv"}, headers={"accept-language": "en"})

    assert page.status_code == 200
    assert f'data-hypothesis="{running.pk}"' in page.content.decode()
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("Hypothesis,Status,Channel,ICE,Users")
    assert lines[1].startswith("Ads in dating channels,Running,telegram_ads,240,1,")


def test_the_link_page_shows_the_deep_link_copy_button_and_qr(admin_client, running):
    link = running.links.get()

    page = admin_client.get(reverse("admin:growth_acquisitionlink_change", args=[link.pk])).content.decode()

    assert 'data-copy="https://t.me/sputnik_test_bot?start=dating-ads"' in page
    assert reverse("admin:growth_acquisitionlink_download_qr", args=[link.pk]) in page
    assert "onclick" not in page.split("data-copy=")[1][:300]


def test_the_qr_code_downloads_as_a_png_attachment(admin_client, running):
    link = running.links.get()

    response = admin_client.get(reverse("admin:growth_acquisitionlink_download_qr", args=[link.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="qr-dating-ads.png"'
    assert response.content.startswith(PNG_SIGNATURE)


def test_the_qr_code_needs_the_view_permission(client, running):
    staff = get_user_model().objects.create_user("support", password="x", is_staff=True)
    client.force_login(staff)
    url = reverse("admin:growth_acquisitionlink_download_qr", args=[running.links.get().pk])

    assert client.get(url).status_code == 403

    staff.user_permissions.add(*_permissions("view_acquisitionlink"))
    assert client.get(url).status_code == 200


def test_adding_a_link_without_a_code_generates_one(admin_client, running):
    response = admin_client.post(
        reverse("admin:growth_acquisitionlink_add"),
        {"code": "", "hypothesis": running.pk, "channel": "influencers", "placement": "", "is_active": "on"},
    )

    assert response.status_code == 302
    assert running.links.filter(code__startswith=f"blog-h{running.pk}-").exists()


def test_spend_export_and_filters(admin_client, running):
    page = admin_client.get(reverse("admin:growth_spend_changelist"), {"spent_on_from": date(2024, 3, 1).isoformat()})

    assert page.status_code == 200


def _permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="growth", codename__in=codenames)


def test_the_bank_round_trips_through_a_spreadsheet_without_touching_the_workflow(running):
    owner = get_user_model().objects.create_user("lead")
    exported = HypothesisResource().export()
    assert exported.dict[0]["ice_score"] == "240"
    assert exported.dict[0]["status"] == "running"

    incoming = tablib.Dataset(headers=["id", "title", "impact", "confidence", "ease", "status", "owner", "budget"])
    incoming.append(["", "Stickers with the persona", 7, 7, 7, "validated", "lead", "5000"])
    incoming.append([running.pk, "Ads in dating channels, v2", 8, 6, 5, "rejected", "", "0"])
    result = HypothesisResource().import_data(incoming, dry_run=False)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    new = Hypothesis.objects.get(title="Stickers with the persona")
    assert (new.status, new.ice_score, new.owner, new.budget) == ("idea", 343, owner, Decimal("5000"))
    edited = Hypothesis.objects.get(pk=running.pk)
    assert (edited.title, edited.status) == ("Ads in dating channels, v2", "running")
