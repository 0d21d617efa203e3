"""The hypothesis workflow: which moves are allowed, the dates they stamp, the events they leave."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.analytics.models import Event
from apps.core.exceptions import ApplicationError, InvalidInput
from apps.growth.models import Hypothesis
from apps.growth.services.hypotheses import (
    ConclusionRequired,
    InvalidTransition,
    hypotheses_pause,
    hypotheses_plan,
    hypotheses_reject,
    hypotheses_start,
    hypotheses_validate,
    hypothesis_create,
    hypothesis_transition,
    hypothesis_update,
)
from tests.apps.growth.hypothesis_factories import HypothesisFactory

pytestmark = pytest.mark.django_db

Status = Hypothesis.Status


def status_events() -> list[dict]:
    return [event.properties for event in Event.objects.filter(name="hypothesis_status_changed").order_by("pk")]


def test_a_new_hypothesis_is_an_idea_with_its_ice_score_computed():
    hypothesis = hypothesis_create(title="Ads in dating channels", data={"impact": 8, "confidence": 5, "ease": 3})

    assert (hypothesis.status, hypothesis.ice_score) == (Status.IDEA, 120)


def test_editing_scores_recomputes_ice():
    hypothesis = HypothesisFactory(impact=2, confidence=2, ease=2)

    hypothesis_update(hypothesis=hypothesis, data={"ease": 10})

    assert Hypothesis.objects.get(pk=hypothesis.pk).ice_score == 40
    assert hypothesis.ice_score == 40


def test_the_status_cannot_be_edited_around_the_workflow():
    hypothesis = HypothesisFactory()

    with pytest.raises(InvalidInput):
        hypothesis_update(hypothesis=hypothesis, data={"status": Status.VALIDATED})


def test_scores_outside_one_to_ten_are_refused():
    with pytest.raises(InvalidInput):
        hypothesis_create(title="Too good", data={"impact": 11})


def test_the_full_path_stamps_each_date_and_records_each_move():
    hypothesis = HypothesisFactory()
    before = timezone.now()

    hypothesis_transition(hypothesis=hypothesis, to=Status.PLANNED, actor="marketer")
    hypothesis_transition(hypothesis=hypothesis, to=Status.RUNNING)
    hypothesis_transition(hypothesis=hypothesis, to=Status.PAUSED)
    hypothesis_transition(hypothesis=hypothesis, to=Status.RUNNING)
    hypothesis_transition(hypothesis=hypothesis, to=Status.VALIDATED, conclusion="  CAC 180 ₽, keep it.  ")

    stored = Hypothesis.objects.get(pk=hypothesis.pk)
    assert stored.status == Status.VALIDATED
    assert stored.conclusion == "CAC 180 ₽, keep it."
    assert before <= stored.planned_at <= stored.started_at <= stored.ended_at
    assert stored.paused_at is None  # resumed since
    assert status_events() == [
        {"hypothesis_id": hypothesis.pk, "from": "idea", "to": "planned", "actor": "marketer"},
        {"hypothesis_id": hypothesis.pk, "from": "planned", "to": "running"},
        {"hypothesis_id": hypothesis.pk, "from": "running", "to": "paused"},
        {"hypothesis_id": hypothesis.pk, "from": "paused", "to": "running"},
        {"hypothesis_id": hypothesis.pk, "from": "running", "to": "validated"},
    ]
    assert set(Event.objects.filter(name="hypothesis_status_changed").values_list("source", flat=True)) == {"admin"}


def test_resuming_keeps_the_first_start():
    started = timezone.now() - timedelta(days=10)
    hypothesis = HypothesisFactory(status=Status.PAUSED, started_at=started, paused_at=timezone.now())

    hypothesis_transition(hypothesis=hypothesis, to=Status.RUNNING)

    assert Hypothesis.objects.get(pk=hypothesis.pk).started_at == started


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.IDEA, Status.RUNNING),
        (Status.IDEA, Status.REJECTED),
        (Status.PLANNED, Status.PAUSED),
        (Status.PLANNED, Status.VALIDATED),
        (Status.RUNNING, Status.PLANNED),
        (Status.PAUSED, Status.PAUSED),
        (Status.VALIDATED, Status.RUNNING),
        (Status.REJECTED, Status.PLANNED),
    ],
)
def test_moves_outside_the_workflow_are_refused_and_leave_no_trace(current, target):
    hypothesis = HypothesisFactory(status=current)

    with pytest.raises(InvalidTransition) as refused:
        hypothesis_transition(hypothesis=hypothesis, to=target, conclusion="because")

    assert isinstance(refused.value, ApplicationError)
    assert hypothesis.title in str(refused.value.message)
    assert Hypothesis.objects.get(pk=hypothesis.pk).status == current
    assert status_events() == []


@pytest.mark.parametrize("current", [Status.PLANNED, Status.RUNNING, Status.PAUSED])
def test_rejecting_is_possible_from_planned_running_and_paused(current):
    hypothesis = HypothesisFactory(status=current)

    hypothesis_transition(hypothesis=hypothesis, to=Status.REJECTED, conclusion="No one clicked.")

    assert Hypothesis.objects.get(pk=hypothesis.pk).status == Status.REJECTED


@pytest.mark.parametrize("target", [Status.VALIDATED, Status.REJECTED])
def test_closing_without_a_conclusion_is_refused(target):
    hypothesis = HypothesisFactory(status=Status.RUNNING)

    with pytest.raises(ConclusionRequired):
        hypothesis_transition(hypothesis=hypothesis, to=target, conclusion="   ")

    assert Hypothesis.objects.get(pk=hypothesis.pk).status == Status.RUNNING


def test_the_move_checks_the_stored_status_not_a_stale_copy():
    hypothesis = HypothesisFactory(status=Status.PLANNED)
    stale = Hypothesis.objects.get(pk=hypothesis.pk)
    hypothesis_transition(hypothesis=hypothesis, to=Status.REJECTED, conclusion="Dropped.")

    with pytest.raises(InvalidTransition):
        hypothesis_transition(hypothesis=stale, to=Status.RUNNING)


def test_bulk_moves_what_it_can_and_reports_the_rest():
    idea = HypothesisFactory(title="Idea")
    planned = HypothesisFactory(title="Planned", status=Status.PLANNED)
    paused = HypothesisFactory(title="Paused", status=Status.PAUSED)
    done = HypothesisFactory(title="Done", status=Status.VALIDATED)

    batch = hypotheses_start(hypotheses=Hypothesis.objects.all(), actor="lead")

    assert sorted(batch.moved) == sorted([planned.pk, paused.pk])
    assert sorted((item.title, item.status) for item in batch.skipped) == [("Done", "validated"), ("Idea", "idea")]
    assert Hypothesis.objects.get(pk=idea.pk).status == Status.IDEA
    assert Hypothesis.objects.get(pk=done.pk).status == Status.VALIDATED
    assert len(status_events()) == 2


def test_bulk_plan_and_pause():
    idea = HypothesisFactory()
    running = HypothesisFactory(status=Status.RUNNING)

    assert hypotheses_plan(hypotheses=[idea, running]).moved == (idea.pk,)
    assert hypotheses_pause(hypotheses=[idea, running]).moved == (running.pk,)


def test_bulk_closing_saves_the_conclusion_on_each():
    first = HypothesisFactory(status=Status.RUNNING)
    second = HypothesisFactory(status=Status.PAUSED)
    idea = HypothesisFactory()

    batch = hypotheses_validate(hypotheses=[first, second, idea], conclusion="Both pay back.")

    assert len(batch.moved) == 2
    assert [item.id for item in batch.skipped] == [idea.pk]
    assert set(Hypothesis.objects.filter(pk__in=batch.moved).values_list("conclusion", flat=True)) == {"Both pay back."}


def test_bulk_closing_without_a_conclusion_moves_nothing():
    running = HypothesisFactory(status=Status.RUNNING)

    with pytest.raises(ConclusionRequired):
        hypotheses_reject(hypotheses=[running], conclusion="")

    assert Hypothesis.objects.get(pk=running.pk).status == Status.RUNNING
    assert status_events() == []
