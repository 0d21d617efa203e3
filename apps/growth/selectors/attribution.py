"""Which hypothesis brought a user: their first-touch code (TelegramUser.acquisition_code) names a link."""

from django.db.models import OuterRef, Subquery

from apps.growth.models import AcquisitionLink


def hypothesis_title_of_code(code: OuterRef) -> Subquery:
    """The title of the hypothesis whose link has this code, for use inside another app's query (NULL when
    the code is no link's or the link tests no hypothesis)."""
    return Subquery(AcquisitionLink.objects.filter(code=code).values("hypothesis__title")[:1])
