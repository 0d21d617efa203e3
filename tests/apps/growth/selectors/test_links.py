"""Deep links, their QR codes, and how many users links and hypotheses brought."""

import io
from decimal import Decimal

import pytest
import segno
from PIL import Image

from apps.growth.models import AcquisitionLink, Hypothesis
from apps.growth.selectors.hypotheses import hypotheses_with_totals
from apps.growth.selectors.links import (
    QR_BORDER,
    QR_SCALE,
    deep_link_url,
    link_qr_png,
    links_with_users,
    users_acquired_by_code,
)
from tests.apps.growth.hypothesis_factories import AcquisitionLinkFactory, HypothesisFactory, SpendFactory
from tests.factories import TelegramUserFactory

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_deep_link_uses_the_bot_username(settings):
    settings.TELEGRAM_BOT_USERNAME = "sputnik_test_bot"

    assert deep_link_url("tgads-h1-abc234") == "https://t.me/sputnik_test_bot?start=tgads-h1-abc234"


def test_the_qr_code_is_a_png_of_the_deep_links_qr_matrix(settings):
    settings.TELEGRAM_BOT_USERNAME = "sputnik_test_bot"
    url = deep_link_url("tgads-h1-abc234")

    png = link_qr_png("tgads-h1-abc234")

    assert png.startswith(PNG_SIGNATURE)
    expected = segno.make(url, error="m")
    modules = expected.symbol_size(scale=1, border=0)[0]
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == ((modules + 2 * QR_BORDER) * QR_SCALE,) * 2
    # Read the picture back module by module (the centre pixel of each) and compare with the matrix.
    read = [
        [image.getpixel(((QR_BORDER + x) * QR_SCALE + QR_SCALE // 2, (QR_BORDER + y) * QR_SCALE + QR_SCALE // 2)) < 128
         for x in range(modules)]
        for y in range(modules)
    ]  # fmt: skip
    assert read == [[bool(module) for module in row] for row in expected.matrix]
    assert expected.error == "M"


def test_users_are_counted_per_code():
    link = AcquisitionLinkFactory(code="autumn")
    AcquisitionLinkFactory(code="winter")
    TelegramUserFactory.create_batch(3, acquisition_code="autumn")
    TelegramUserFactory(acquisition_code="spring")  # a code without a link

    assert users_acquired_by_code(codes=["autumn", "winter"]) == {"autumn": 3}
    assert {item.code: item.users_acquired for item in links_with_users(AcquisitionLink.objects.all())} == {
        "autumn": 3,
        "winter": 0,
    }
    assert link.code == "autumn"


def test_hypotheses_carry_their_spend_and_users_over_all_links():
    hypothesis = HypothesisFactory()
    AcquisitionLinkFactory(hypothesis=hypothesis, code="a1")
    AcquisitionLinkFactory(hypothesis=hypothesis, code="a2")
    TelegramUserFactory.create_batch(2, acquisition_code="a1")
    TelegramUserFactory(acquisition_code="a2")
    SpendFactory(hypothesis=hypothesis, amount="100.50")
    SpendFactory(hypothesis=hypothesis, amount="200.00")
    empty = HypothesisFactory()

    totals = {item.pk: (item.spend_total, item.users_acquired) for item in hypotheses_with_totals(Hypothesis.objects)}

    assert totals[hypothesis.pk] == (Decimal("300.50"), 3)
    assert totals[empty.pk] == (Decimal(0), 0)
