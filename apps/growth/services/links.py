"""Acquisition links: the deep-link codes that attribute new users to a channel and a hypothesis."""

import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.core.exceptions import Conflict, InvalidInput
from apps.core.validators import validate_start_payload
from apps.growth.models import AcquisitionChannel, AcquisitionLink, Hypothesis
from apps.growth.models.hypotheses import REFERRAL_PREFIX

# Readable prefixes of generated codes, per channel ("ref-" is taken by the referral program).
CODE_PREFIXES = {
    AcquisitionChannel.TELEGRAM_ADS: "tgads",
    AcquisitionChannel.CHANNEL_POSTS: "post",
    AcquisitionChannel.INFLUENCERS: "blog",
    AcquisitionChannel.SEO: "seo",
    AcquisitionChannel.REFERRAL: "partner",
    AcquisitionChannel.OTHER: "link",
}
# No 0/o, 1/l/i: codes get read aloud and typed from screenshots.
SUFFIX_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SUFFIX_LENGTH = 6
GENERATION_ATTEMPTS = 20
UPDATABLE_FIELDS = frozenset({"hypothesis", "channel", "placement", "is_active"})


class LinkCodeTaken(Conflict):
    code = "link_code_taken"
    default_message = _("This code is already used by another link.")


def link_code_validate(code: str, *, exclude_id: int | None = None) -> None:
    """The rules for a code beyond its format: not the referral prefix, and unique ignoring case (people type
    codes by hand, and "Promo" next to "promo" would split one campaign in two). Raises ValidationError."""
    validate_start_payload(code)
    if code.lower().startswith(REFERRAL_PREFIX):
        raise ValidationError(
            _("Codes starting with “%(prefix)s” belong to the referral program.") % {"prefix": REFERRAL_PREFIX},
            code="referral_prefix",
        )
    taken = AcquisitionLink.objects.filter(code__iexact=code)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise ValidationError(LinkCodeTaken.default_message, code=LinkCodeTaken.code)


@transaction.atomic
def acquisition_link_create(
    *,
    code: str = "",
    hypothesis: Hypothesis | None = None,
    channel: str | None = None,
    placement: str = "",
    is_active: bool = True,
) -> AcquisitionLink:
    """A new link; without a code one is made from the channel (and the hypothesis), e.g. "tgads-h12-k3x9pa".
    Without a channel the hypothesis' one is used."""
    channel = channel or (hypothesis.channel if hypothesis else AcquisitionChannel.OTHER)
    code = code.strip() or _generated_code(channel, hypothesis)
    try:
        link_code_validate(code)
    except ValidationError as error:
        error_class = LinkCodeTaken if error.code == LinkCodeTaken.code else InvalidInput
        raise error_class("; ".join(error.messages)) from error
    link = AcquisitionLink(code=code, hypothesis=hypothesis, channel=channel, placement=placement, is_active=is_active)
    _validate(link)
    link.save()
    return link


@transaction.atomic
def acquisition_link_update(*, link: AcquisitionLink, data: Mapping[str, Any]) -> AcquisitionLink:
    """Change what a link tests or where it is placed; its code is fixed once users may have arrived through it."""
    refused = sorted(set(data) - UPDATABLE_FIELDS)
    if refused:
        raise InvalidInput(_("A link's code cannot change: create a new link instead."))
    for name, value in data.items():
        setattr(link, name, value)
    _validate(link)
    link.save(update_fields=[*data, "updated_at"])
    return link


def _generated_code(channel: str, hypothesis: Hypothesis | None) -> str:
    prefix = CODE_PREFIXES.get(channel, "link")
    if hypothesis is not None:
        prefix = f"{prefix}-h{hypothesis.pk}"
    for _attempt in range(GENERATION_ATTEMPTS):
        suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _position in range(SUFFIX_LENGTH))
        code = f"{prefix}-{suffix}"
        if not AcquisitionLink.objects.filter(code__iexact=code).exists():
            return code
    raise LinkCodeTaken(_("No free code could be generated; enter one by hand."))


def _validate(link: AcquisitionLink) -> None:
    try:
        link.full_clean()
    except ValidationError as error:
        raise InvalidInput("; ".join(error.messages)) from error
