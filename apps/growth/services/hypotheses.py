"""The hypothesis bank: creating and editing hypotheses, and moving them through their workflow.

idea → planned → running ⇄ paused; running or paused → validated or rejected (with a conclusion);
planned → rejected. Every move is recorded as a `hypothesis_status_changed` event.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.analytics.services import event_track
from apps.core.exceptions import Conflict, InvalidInput
from apps.growth.models import Hypothesis

Status = Hypothesis.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.IDEA: frozenset({Status.PLANNED}),
    Status.PLANNED: frozenset({Status.RUNNING, Status.REJECTED}),
    Status.RUNNING: frozenset({Status.PAUSED, Status.VALIDATED, Status.REJECTED}),
    Status.PAUSED: frozenset({Status.RUNNING, Status.VALIDATED, Status.REJECTED}),
}
ENDED = frozenset({Status.VALIDATED, Status.REJECTED})

# What people edit; the status, its dates and the ICE score change only here or in the database.
EDITABLE_FIELDS = frozenset(
    {
        "title", "description", "channel", "target_segment", "impact", "confidence", "ease", "owner", "budget",
        "success_metric", "success_threshold", "min_users", "conclusion",
    }
)  # fmt: skip


class InvalidTransition(Conflict):
    code = "hypothesis_invalid_transition"
    default_message = _("The hypothesis cannot move to this status.")


class ConclusionRequired(InvalidInput):
    code = "hypothesis_conclusion_required"
    default_message = _("Write a conclusion: what the numbers showed and what the team decided.")


@dataclass(frozen=True)
class SkippedHypothesis:
    id: int
    title: str
    status: str


@dataclass(frozen=True)
class TransitionBatch:
    """What a bulk move did: the ids moved, and the hypotheses left where they were (their status did not allow it)."""

    moved: tuple[int, ...]
    skipped: tuple[SkippedHypothesis, ...]


def hypothesis_can_move(*, hypothesis: Hypothesis, to: str) -> bool:
    return to in TRANSITIONS.get(hypothesis.status, frozenset())


@transaction.atomic
def hypothesis_create(*, title: str, data: Mapping[str, Any] | None = None) -> Hypothesis:
    """A new idea in the bank; `data` holds any other editable fields."""
    hypothesis = Hypothesis(title=title)
    _assign(hypothesis, data or {})
    _validate(hypothesis)
    hypothesis.save()
    hypothesis.refresh_from_db(fields=["ice_score"])  # computed by the database
    return hypothesis


@transaction.atomic
def hypothesis_update(*, hypothesis: Hypothesis, data: Mapping[str, Any]) -> Hypothesis:
    """Change editable fields; the status moves only through the transitions."""
    _assign(hypothesis, data)
    _validate(hypothesis)
    hypothesis.save(update_fields=[*data, "updated_at"])
    if {"impact", "confidence", "ease"} & set(data):
        hypothesis.refresh_from_db(fields=["ice_score"])
    return hypothesis


@transaction.atomic
def hypothesis_transition(*, hypothesis: Hypothesis, to: str, conclusion: str = "", actor: str = "") -> Hypothesis:
    """Move one hypothesis to status `to`, stamping the matching date; validated and rejected need a conclusion."""
    current = Hypothesis.objects.select_for_update().values_list("status", flat=True).get(pk=hypothesis.pk)
    hypothesis.status = current
    if not hypothesis_can_move(hypothesis=hypothesis, to=to):
        raise InvalidTransition(
            format_lazy(
                _("“{title}” cannot go from “{current}” to “{target}”."),
                title=hypothesis.title,
                current=Status(current).label,
                target=Status(to).label if to in Status.values else to,
            )
        )
    conclusion = conclusion.strip()
    if to in ENDED and not conclusion:
        raise ConclusionRequired()
    now = timezone.now()
    changed = ["status"]
    if to == Status.PLANNED:
        hypothesis.planned_at = now
        changed.append("planned_at")
    elif to == Status.RUNNING:
        hypothesis.started_at = hypothesis.started_at or now  # resuming keeps the first start
        hypothesis.paused_at = None
        changed += ["started_at", "paused_at"]
    elif to == Status.PAUSED:
        hypothesis.paused_at = now
        changed.append("paused_at")
    else:
        hypothesis.ended_at = now
        hypothesis.conclusion = conclusion
        changed += ["ended_at", "conclusion"]
    hypothesis.status = to
    _validate(hypothesis)
    hypothesis.save(update_fields=[*changed, "updated_at"])
    properties = {"hypothesis_id": hypothesis.pk, "from": current, "to": to}
    if actor:
        properties["actor"] = actor
    event_track(name="hypothesis_status_changed", properties=properties, source="admin")
    return hypothesis


@transaction.atomic
def hypotheses_transition(
    *, hypotheses: QuerySet[Hypothesis] | Iterable[Hypothesis], to: str, conclusion: str = "", actor: str = ""
) -> TransitionBatch:
    """Move every hypothesis that may go to `to`; the others are skipped and reported, not an error."""
    if to in ENDED and not conclusion.strip():
        raise ConclusionRequired()
    ids = [hypothesis.pk for hypothesis in hypotheses]
    moved, skipped = [], []
    for hypothesis in Hypothesis.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        if hypothesis_can_move(hypothesis=hypothesis, to=to):
            hypothesis_transition(hypothesis=hypothesis, to=to, conclusion=conclusion, actor=actor)
            moved.append(hypothesis.pk)
        else:
            skipped.append(SkippedHypothesis(id=hypothesis.pk, title=hypothesis.title, status=hypothesis.status))
    return TransitionBatch(moved=tuple(moved), skipped=tuple(skipped))


def hypotheses_plan(*, hypotheses, actor: str = "") -> TransitionBatch:
    return hypotheses_transition(hypotheses=hypotheses, to=Status.PLANNED, actor=actor)


def hypotheses_start(*, hypotheses, actor: str = "") -> TransitionBatch:
    """Start planned hypotheses and resume paused ones."""
    return hypotheses_transition(hypotheses=hypotheses, to=Status.RUNNING, actor=actor)


def hypotheses_pause(*, hypotheses, actor: str = "") -> TransitionBatch:
    return hypotheses_transition(hypotheses=hypotheses, to=Status.PAUSED, actor=actor)


def hypotheses_validate(*, hypotheses, conclusion: str, actor: str = "") -> TransitionBatch:
    return hypotheses_transition(hypotheses=hypotheses, to=Status.VALIDATED, conclusion=conclusion, actor=actor)


def hypotheses_reject(*, hypotheses, conclusion: str, actor: str = "") -> TransitionBatch:
    return hypotheses_transition(hypotheses=hypotheses, to=Status.REJECTED, conclusion=conclusion, actor=actor)


def _assign(hypothesis: Hypothesis, data: Mapping[str, Any]) -> None:
    refused = sorted(set(data) - EDITABLE_FIELDS)
    if refused:
        raise InvalidInput(
            format_lazy(
                _("These fields change through the workflow, not by editing: {fields}."), fields=", ".join(refused)
            )
        )
    for name, value in data.items():
        setattr(hypothesis, name, value)


def _validate(hypothesis: Hypothesis) -> None:
    try:
        hypothesis.full_clean(exclude=["ice_score"])
    except ValidationError as error:
        raise InvalidInput("; ".join(error.messages)) from error
