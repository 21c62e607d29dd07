"""Only the cycle steers its own work, and owners are named only inside it (issue 10).

The world: an organisation (its manager works there, above the team), two teams below it (North,
whose cycle holds the experiments, and South, a peer), and the workspace admin, who takes part
in none of them. Each outsider is refused by the services, the pages and the API, and sees the
cycle's name where an insider sees the owner's."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cycles.experiments import services
from cycles.models import Experiment
from hls.tenancy.context import tenant_scope
from hls.webhooks.models import WebhookDelivery
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.experiments.helpers import design, steering_world
from tests.factories import EntryFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db

OUTSIDERS = ["manager_above", "peer", "admin"]


@pytest.fixture
def world(cast, make_member) -> SimpleNamespace:
    return steering_world(cast, make_member)


def _status(world, pk: int) -> tuple[str, str]:
    with tenant_scope(workspace_id=world.workspace.pk):
        experiment = Experiment.objects.get(pk=pk)
        return experiment.status, experiment.title


# Services ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_services_refuse_everyone_outside_the_cycle(world, who) -> None:
    user = getattr(world, who).user
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        with pytest.raises(PermissionDenied):
            services.experiment_create(
                workspace=ws, cycle=world.cycle, created_by=user, design=design()
            )
        with pytest.raises(PermissionDenied):
            services.experiment_update(
                workspace=ws, experiment=world.planned, editor=user, design=design(title="Mine")
            )
        with pytest.raises(PermissionDenied):
            services.experiment_start(workspace=ws, experiment=world.planned, started_by=user)
        with pytest.raises(PermissionDenied):
            services.experiment_end(
                workspace=ws,
                experiment=world.running,
                ended_by=user,
                outcome="stop_learnt",
                learnt="Not ours to say",
            )
        assert Experiment.objects.count() == 2
    assert _status(world, world.planned.pk) == ("planned", "Planned try")
    assert _status(world, world.running.pk) == ("running", "Running try")


def test_those_inside_steer_a_team_member_and_a_cycle_member_alike(world) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        services.experiment_start(
            workspace=ws, experiment=world.planned, started_by=world.colleague.user
        )
        ended = services.experiment_end(
            workspace=ws,
            experiment=world.running,
            ended_by=world.owner.user,
            outcome="adapt",
            learnt="Calls work better in the morning.",
        )
    assert ended.status == "ended"
    assert _status(world, world.planned.pk)[0] == "running"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_owner_must_be_inside_the_cycle(world, who) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        with pytest.raises(ValidationError) as error:
            services.experiment_create(
                workspace=ws,
                cycle=world.cycle,
                created_by=world.owner.user,
                design=design(owner=getattr(world, who).user),
            )
        assert "owner" in error.value.message_dict
        made = services.experiment_create(
            workspace=ws,
            cycle=world.cycle,
            created_by=world.owner.user,
            design=design(owner=world.colleague.user),
        )
    assert made.owner == world.colleague.user


def test_the_ended_webhook_carries_no_owner(world) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        WebhookSubscriptionFactory(workspace=ws, events=["experiment.ended"])
        services.experiment_end(
            workspace=ws,
            experiment=world.running,
            ended_by=world.owner.user,
            outcome="amplify",
            learnt="It helped.",
        )
        payload = WebhookDelivery.objects.get().payload
    assert set(payload["data"]) == {"object", "id", "url", "cycle", "outcome"}
    assert "owner" not in str(payload)


# Pages ---------------------------------------------------------------------------------------

STEER_BUTTONS = ("End and record what we learnt", "Change the design", ">Start<")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_pages_refuse_outsiders_even_to_look_at_the_forms(world, who) -> None:
    client = signed_in(getattr(world, who))
    base = "/w/riverside/"
    for url in (
        f"{base}cycles/{world.cycle.pk}/experiments/new/",
        f"{base}experiments/{world.planned.pk}/edit/",
        f"{base}experiments/{world.running.pk}/end/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{base}experiments/{world.planned.pk}/start/").status_code == 403
    ended = client.post(
        f"{base}experiments/{world.running.pk}/end/",
        {"outcome": "stop_learnt", "learnt": "Not ours"},
    )
    assert ended.status_code == 403
    assert _status(world, world.planned.pk)[0] == "planned"
    assert _status(world, world.running.pk)[0] == "running"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_are_offered_no_steering_and_see_the_cycle_not_the_owner(world, who) -> None:
    client = signed_in(getattr(world, who))
    with tenant_scope(workspace_id=world.workspace.pk):
        EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            experiment=world.running,
            author=world.colleague.user,
            text="Week one went well",
            visibility=ShareLevel.WORKSPACE,
        )
    for experiment in (world.planned, world.running):
        html = client.get(f"/w/riverside/experiments/{experiment.pk}/").content.decode()
        for button in STEER_BUTTONS:
            assert button not in html
        assert "Ola Owner" not in html
        assert "<dt>Owner</dt><dd>North team cycle</dd>" in html
    check_ins = client.get(f"/w/riverside/experiments/{world.running.pk}/").content.decode()
    assert "Week one went well" in check_ins
    assert "Cal Colleague" not in check_ins
    per_cycle = client.get(f"/w/riverside/cycles/{world.cycle.pk}/experiments/").content.decode()
    assert "Design an experiment" not in per_cycle
    portfolio = client.get("/w/riverside/experiments/").content.decode()
    assert "Running try" in portfolio
    assert "Ola Owner" not in portfolio


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_insiders_are_offered_steering_and_see_the_owner(world, who) -> None:
    client = signed_in(getattr(world, who))
    with tenant_scope(workspace_id=world.workspace.pk):
        EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            experiment=world.running,
            author=world.colleague.user,
            text="Week one went well",
            visibility=ShareLevel.CYCLE,
        )
    planned = client.get(f"/w/riverside/experiments/{world.planned.pk}/").content.decode()
    assert ">Start<" in planned
    assert "Change the design" in planned
    running = client.get(f"/w/riverside/experiments/{world.running.pk}/").content.decode()
    assert "End and record what we learnt" in running
    assert "<dt>Owner</dt><dd>Ola Owner</dd>" in running
    assert "Cal Colleague" in running  # the check-in's author
    per_cycle = client.get(f"/w/riverside/cycles/{world.cycle.pk}/experiments/").content.decode()
    assert "Design an experiment" in per_cycle
    assert "Ola Owner" in per_cycle
    assert client.get(f"/w/riverside/experiments/{world.running.pk}/end/").status_code == 200


def test_the_owner_choices_are_those_inside_and_an_outsider_is_a_field_error(world) -> None:
    client = signed_in(world.owner)
    url = f"/w/riverside/cycles/{world.cycle.pk}/experiments/new/"
    form = client.get(url).content.decode()
    assert "Ola Owner" in form
    assert "Cal Colleague" in form
    response = client.post(
        url,
        {
            "title": "Someone else's",
            "what_we_will_try": "Try",
            "owner": world.manager_above.user.pk,
        },
    )
    assert response.status_code == 400
    assert 'id="id_owner_error"' in response.content.decode()
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Experiment.objects.filter(title="Someone else's").exists()
