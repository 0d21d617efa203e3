"""Whether a hypothesis' numbers meet its success metric and threshold.

Shares (activation, D7 retention, paid conversion) and ROI pass at or above the threshold, CAC at or below it.
Compared exactly on the counts (part ≥ threshold × whole), not on rounded rates. "Not enough data" when fewer
users than the hypothesis asks for were acquired, when fewer of them are old enough for D7 retention, or when
no money was spent (CAC and ROI mean nothing then). Money spent with nobody paying is an infinite CAC: failed.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.growth.models import Hypothesis, SuccessMetric

if TYPE_CHECKING:
    from apps.growth.selectors.results import AcquisitionResults

AT_MOST = frozenset({SuccessMetric.CAC})


class Outcome(models.TextChoices):
    VALIDATED = "validated", _("Validated")
    FAILED = "failed", _("Failed")
    NOT_ENOUGH_DATA = "not_enough_data", _("Not enough data")


@dataclass(frozen=True)
class Verdict:
    outcome: str
    metric: str
    threshold: Decimal
    value: float | Decimal | None  # the metric's value; None when it cannot be computed
    sample: int  # users behind the value: acquired users, or for D7 retention those old enough
    min_users: int
    reason: str | Promise = ""  # why there is not enough data (or why it failed without a value)

    @property
    def label(self) -> str:
        return Outcome(self.outcome).label

    @property
    def metric_label(self) -> str:
        return SuccessMetric(self.metric).label

    @property
    def at_most(self) -> bool:
        return self.metric in AT_MOST


def verdict_for(*, hypothesis: Hypothesis, results: "AcquisitionResults") -> Verdict:
    metric, threshold, needed = hypothesis.success_metric, hypothesis.success_threshold, hypothesis.min_users
    sample = results.d7_measurable if metric == SuccessMetric.RETENTION_D7 else results.users
    value = {
        SuccessMetric.ACTIVATION: results.activation_rate,
        SuccessMetric.RETENTION_D7: results.d7_retention,
        SuccessMetric.PAID_CONVERSION: results.paid_conversion,
        SuccessMetric.CAC: results.cac,
        SuccessMetric.ROI: results.roi,
    }.get(metric)

    def verdict(outcome: str, reason: str | Promise = "") -> Verdict:
        return Verdict(outcome, metric, threshold, value, sample, needed, reason)

    if results.users < needed:
        return verdict(
            Outcome.NOT_ENOUGH_DATA,
            _("%(users)d of the %(needed)d users needed have arrived.") % {"users": results.users, "needed": needed},
        )
    if sample < needed:
        return verdict(
            Outcome.NOT_ENOUGH_DATA,
            _("Only %(sample)d users are old enough for day 7; %(needed)d needed.")
            % {"sample": sample, "needed": needed},
        )
    if metric in (SuccessMetric.CAC, SuccessMetric.ROI) and not results.spend:
        return verdict(Outcome.NOT_ENOUGH_DATA, _("No spend is recorded."))
    if metric == SuccessMetric.CAC and not results.payers:
        return verdict(Outcome.FAILED, _("Money was spent and nobody paid."))
    part, whole = {
        SuccessMetric.ACTIVATION: (results.activated, results.users),
        SuccessMetric.RETENTION_D7: (results.d7_retained, results.d7_measurable),
        SuccessMetric.PAID_CONVERSION: (results.payers, results.users),
        SuccessMetric.CAC: (results.spend, results.payers),
        SuccessMetric.ROI: (results.revenue - results.spend, results.spend),
    }[metric]
    target = threshold * Decimal(whole)
    passed = Decimal(part) <= target if metric in AT_MOST else Decimal(part) >= target
    return verdict(Outcome.VALIDATED if passed else Outcome.FAILED)
