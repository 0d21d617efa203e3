"""Hypotheses with the totals the admin lists and the board shows."""

from decimal import Decimal

from django.db.models import DecimalField, Func, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.accounts.models import TelegramUser
from apps.growth.models import AcquisitionLink, Hypothesis, Spend

MONEY = DecimalField(max_digits=14, decimal_places=2)


def hypotheses_with_totals(queryset: QuerySet[Hypothesis]) -> QuerySet[Hypothesis]:
    """Hypotheses annotated with `spend_total` (₽) and `users_acquired` (over all their links)."""
    spends = Spend.objects.filter(hypothesis_id=OuterRef("pk")).order_by().values("hypothesis_id")
    codes = AcquisitionLink.objects.filter(hypothesis_id=OuterRef(OuterRef("pk"))).values("code")
    users = TelegramUser.objects.filter(acquisition_code__in=codes).order_by()
    return queryset.annotate(
        spend_total=Coalesce(
            Subquery(spends.annotate(total=Sum("amount")).values("total")), Value(Decimal(0)), output_field=MONEY
        ),
        users_acquired=Coalesce(Subquery(users.annotate(n=Func("pk", function="COUNT")).values("n")), 0),
    )
