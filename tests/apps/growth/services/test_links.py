"""Acquisition links: their codes are Telegram start payloads, unique, and fixed once made."""

import re

import pytest

from apps.core.exceptions import InvalidInput
from apps.growth.models import AcquisitionLink
from apps.growth.services.links import LinkCodeTaken, acquisition_link_create, acquisition_link_update
from tests.apps.growth.hypothesis_factories import AcquisitionLinkFactory, HypothesisFactory

pytestmark = pytest.mark.django_db


def test_a_given_code_is_kept():
    link = acquisition_link_create(code="  spring_promo-1 ", channel="seo")

    assert (link.code, link.channel) == ("spring_promo-1", "seo")


def test_without_a_code_one_is_made_from_the_channel_and_the_hypothesis():
    hypothesis = HypothesisFactory(channel="telegram_ads")

    link = acquisition_link_create(hypothesis=hypothesis)

    assert link.channel == "telegram_ads"  # the hypothesis' channel
    assert re.fullmatch(rf"tgads-h{hypothesis.pk}-[a-z2-9]{{6}}", link.code)


def test_generated_codes_do_not_repeat():
    codes = {acquisition_link_create(channel="influencers").code for _ in range(30)}

    assert len(codes) == 30
    assert all(code.startswith("blog-") for code in codes)


@pytest.mark.parametrize(
    "code",
    ["with space", "кириллица", "semi;colon", "slash/", "x" * 65, "ref-friend", "REF-friend"],
    ids=["space", "cyrillic", "semicolon", "slash", "too-long", "referral-prefix", "referral-prefix-upper"],
)
def test_codes_that_are_not_valid_start_payloads_are_refused(code):
    with pytest.raises(InvalidInput):
        acquisition_link_create(code=code)

    assert not AcquisitionLink.objects.exists()


def test_sixty_four_characters_are_allowed():
    assert len(acquisition_link_create(code="a" * 64).code) == 64


def test_a_code_ignoring_case_is_taken_once():
    AcquisitionLinkFactory(code="Promo")

    with pytest.raises(LinkCodeTaken):
        acquisition_link_create(code="promo")
    with pytest.raises(LinkCodeTaken):
        acquisition_link_create(code="Promo")


def test_a_links_code_cannot_change_but_its_placement_can():
    link = AcquisitionLinkFactory(code="autumn")

    acquisition_link_update(link=link, data={"placement": "@dating_channel", "is_active": False})
    with pytest.raises(InvalidInput):
        acquisition_link_update(link=link, data={"code": "winter"})

    stored = AcquisitionLink.objects.get(pk=link.pk)
    assert (stored.code, stored.placement, stored.is_active) == ("autumn", "@dating_channel", False)
