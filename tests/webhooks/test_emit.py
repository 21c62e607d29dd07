"""Each domain service emits its event once, in its own transaction, with a thin payload."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.barriers.services import barrier_answer, barrier_raise
from cycles.experiments.services import experiment_end
from cycles.models import BarrierRoute, Experiment
from cycles.services import entry_update
from hls.tenancy.context import tenant_scope
from hls.webhooks.events import EVENTS
from hls.webhooks.models import WebhookDelivery
from hls.webhooks.services import webhook_subscription_disable
from stewardship.sessions.recurrence import slot_at
from stewardship.sessions.services import occurrence_done, session_create
from systems.models import ShareLevel
from tests.barriers.conftest import world  # noqa: F401 - the barrier relay's small world
from tests.bypass import all_workspaces
from tests.factories import CycleFactory, CycleMemberFactory, EntryFactory, ExperimentFactory


def _payloads(event=None):
    with all_workspaces("test"):
        rows = WebhookDelivery.objects.order_by("pk")
        if event:
            rows = rows.filter(event=event)
        return [row.payload for row in rows]


@pytest.fixture
def everything(subscribe):
    return subscribe("https://partner.example.test/hook", list(EVENTS))


def _running_experiment(workspace, steward):
    """A running experiment of a cycle `steward` takes part in (only its own members end it)."""
    cycle = CycleFactory(workspace=workspace)
    CycleMemberFactory(workspace=workspace, cycle=cycle, user=steward.user)
    return ExperimentFactory(
        workspace=workspace,
        cycle=cycle,
        status=Experiment.Status.RUNNING,
        started_at=timezone.now(),
    )


def test_an_entry_widened_to_shared_upward_is_emitted_once(workspace, member, everything):
    with tenant_scope(workspace_id=workspace.pk):
        entry = EntryFactory(
            workspace=workspace, author=member.user, text="Sam's landlord called.",
            visibility=ShareLevel.CYCLE, kind="story",
        )  # fmt: skip
        args = dict(
            workspace=workspace, entry=entry, editor=member.user, kind="story", phase="understand",
            text="Sam's landlord called.",
        )  # fmt: skip
        entry_update(**args, visibility=ShareLevel.CYCLE)
        assert _payloads() == [], "not shared upward yet"
        entry_update(**args, visibility=ShareLevel.SHARED_UPWARD)
        entry_update(**args, visibility=ShareLevel.WORKSPACE)  # already shared: no new event
    (payload,) = _payloads()
    assert payload["type"] == "entry.shared"
    assert payload["data"] == {
        "object": "entry", "id": entry.pk, "url": f"/api/v1/entries/{entry.pk}/",
        "cycle": entry.cycle_id, "kind": "story", "visibility": ShareLevel.SHARED_UPWARD,
    }  # fmt: skip
    assert "Sam" not in str(payload)


def test_an_ended_experiment_is_emitted(workspace, admin, everything):
    with tenant_scope(workspace_id=workspace.pk):
        experiment = _running_experiment(workspace, admin)
        experiment_end(
            workspace=workspace, experiment=experiment, ended_by=admin.user,
            outcome="stop_learnt", learnt="Letters alone do not help Sam.",
        )  # fmt: skip
    (payload,) = _payloads()
    assert payload["type"] == "experiment.ended"
    assert payload["data"]["outcome"] == "stop_learnt"
    assert payload["data"]["cycle"] == experiment.cycle_id
    assert "Sam" not in str(payload)


def test_a_barrier_raised_and_answered_is_emitted(world, admin, subscribe):  # noqa: F811
    subscribe("https://partner.example.test/hook", ["barrier.raised", "barrier.answered"])
    with tenant_scope(workspace_id=world.workspace.pk):
        route = barrier_raise(
            workspace=world.workspace, entry=world.barrier, to_cycle=world.place_cycle,
            raised_by=world.author.user,
        )  # fmt: skip
        barrier_answer(
            workspace=world.workspace, route=route, answered_by=world.place_manager,
            state=BarrierRoute.State.ACKNOWLEDGED,
        )  # fmt: skip
    raised, answered = _payloads()
    assert raised["type"] == "barrier.raised"
    assert raised["data"] == {
        "object": "barrier", "id": route.pk, "url": f"/api/v1/barriers/{route.pk}/",
        "entry": world.barrier.pk, "from_cycle": world.team_cycle.pk,
        "to_cycle": world.place_cycle.pk,
    }  # fmt: skip
    assert answered["type"] == "barrier.answered"
    assert answered["data"]["state"] == "acknowledged"
    assert raised["id"] != answered["id"]
    assert "Sam" not in str(raised) + str(answered)


def test_a_scheduled_session_and_its_recorded_outputs_are_emitted(workspace, admin, everything):
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        starts_at = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
        session = session_create(
            workspace=workspace, user=admin.user, title="Sam's case review", cycles=[cycle],
            facilitator=None, timezone="Europe/London", starts_at=starts_at,
        )  # fmt: skip
        occurrence = occurrence_done(
            workspace=workspace, slot=slot_at(session, starts_at), by=admin
        )
    scheduled, recorded = _payloads()
    assert scheduled["type"] == "session.scheduled"
    assert scheduled["data"]["id"] == session.pk
    assert scheduled["data"]["cycles"] == [cycle.pk]
    assert recorded["type"] == "session.outputs_recorded"
    assert recorded["data"]["id"] == session.pk
    assert recorded["data"]["occurrence"] == occurrence.pk
    assert "Sam" not in str(scheduled) + str(recorded)


def test_only_active_subscriptions_to_the_event_get_a_delivery(workspace, admin, subscribe):
    wants = subscribe("https://a.example.test/hook", ["experiment.ended"])
    subscribe("https://b.example.test/hook", ["report.published"])
    off = subscribe("https://c.example.test/hook", ["experiment.ended"])
    with tenant_scope(workspace_id=workspace.pk):
        webhook_subscription_disable(workspace=workspace, subscription=off, disabled_by=admin.user)
        experiment = _running_experiment(workspace, admin)
        experiment_end(
            workspace=workspace, experiment=experiment, ended_by=admin.user, outcome="adapt",
            learnt="Timing matters.",
        )  # fmt: skip
    with all_workspaces("test"):
        assert list(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == [wants.pk]


def test_another_workspaces_subscription_hears_nothing(
    workspace, other_workspace, admin, outsider, subscribe
):
    from hls.webhooks.services import webhook_subscription_create

    with tenant_scope(workspace_id=other_workspace.pk):
        webhook_subscription_create(
            workspace=other_workspace, created_by=outsider.user,
            url="https://hilltop.example.test/hook", events=["experiment.ended"],
        )  # fmt: skip
    with tenant_scope(workspace_id=workspace.pk):
        experiment = _running_experiment(workspace, admin)
        experiment_end(
            workspace=workspace, experiment=experiment, ended_by=admin.user, outcome="adapt",
            learnt="Timing matters.",
        )  # fmt: skip
    assert _payloads() == []
