"""Experiment pages: design, start, end, the portfolio. Bad input keeps what was typed."""

import datetime
import re

import pytest

from cycles.models import Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.experiments.helpers import cycle_for
from tests.factories import CycleFactory, EntryFactory, ExperimentFactory, PersonFactory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Call before the letter",
    "what_we_will_try": "Phone a week before the reminder.",
    "why": "",
    "prediction": "",
    "how_we_will_know": "",
    "safe_to_fail_limits": "",
    "starts_on": "2030-04-01",
    "ends_on": "2030-06-01",
    "owner": "",
}


def _get(experiment_pk: int) -> Experiment:
    return Experiment.objects.get(pk=experiment_pk)


def test_design_page_and_create(workspace, member, member_client) -> None:
    cycle = cycle_for(workspace, member)
    url = f"/w/riverside/cycles/{cycle.pk}/experiments/new/"
    page = member_client.get(url)
    assert page.status_code == 200
    assert "What we expect to happen" in page.content.decode()

    response = member_client.post(url, {**FORM, "prediction": "Fewer unopened letters."})
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        experiment = Experiment.objects.get()
    assert experiment.status == "planned"
    assert experiment.owner == member.user
    assert response["Location"] == f"/w/riverside/experiments/{experiment.pk}/"
    assert member_client.get(response["Location"]).status_code == 200


def test_end_date_before_start_is_shown_beside_the_end_date(workspace, member, member_client):
    cycle = cycle_for(workspace, member)
    response = member_client.post(
        f"/w/riverside/cycles/{cycle.pk}/experiments/new/",
        {
            **FORM,
            "why": "Because letters frighten",
            "starts_on": "2030-06-01",
            "ends_on": "2030-05-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    error = re.search(r'id="id_ends_on_error">([^<]*)<', html)
    assert error is not None
    assert "before the start date" in error[1]
    assert "Because letters frighten" in html
    assert 'value="2030-05-01"' in html
    with tenant_scope(workspace_id=workspace.pk):
        assert not Experiment.objects.exists()


def test_save_and_start_without_a_prediction_keeps_everything_typed(
    workspace, member, member_client
) -> None:
    cycle = cycle_for(workspace, member)
    response = member_client.post(
        f"/w/riverside/cycles/{cycle.pk}/experiments/new/",
        {**FORM, "why": "My careful reasoning", "start": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_prediction_error"' in html
    assert "it&#x27;s how we learn from the surprise" in html
    assert "My careful reasoning" in html
    with tenant_scope(workspace_id=workspace.pk):
        assert not Experiment.objects.exists()  # all or nothing


def test_start_button_without_a_prediction_opens_the_design_with_the_message(
    workspace, member, member_client
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(
            workspace=workspace,
            cycle=cycle_for(workspace, member),
            prediction="",
            why="Kept reasoning",
            owner=member.user,
        )
    response = member_client.post(f"/w/riverside/experiments/{experiment.pk}/start/")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_prediction_error"' in html
    assert 'id="id_starts_on_error"' in html
    assert "Kept reasoning" in html
    with tenant_scope(workspace_id=workspace.pk):
        assert _get(experiment.pk).status == "planned"


def test_start_then_end_as_stopped_learnt(workspace, member, member_client) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(
            workspace=workspace,
            cycle=cycle_for(workspace, member),
            owner=member.user,
            starts_on=datetime.date(2030, 1, 1),
            ends_on=datetime.date(2030, 3, 1),
        )
    base = f"/w/riverside/experiments/{experiment.pk}/"
    assert member_client.post(base + "start/").status_code == 302
    assert member_client.get(base + "end/").status_code == 200

    empty = member_client.post(base + "end/", {"outcome": "stop_learnt", "learnt": "  "})
    assert empty.status_code == 400
    assert 'id="id_learnt_error"' in empty.content.decode()
    assert re.search(r'value="stop_learnt"[^>]*checked', empty.content.decode())

    done = member_client.post(
        base + "end/", {"outcome": "stop_learnt", "learnt": "Calls felt like chasing."}
    )
    assert done.status_code == 302
    page = member_client.get(base).content.decode()
    assert '<span class="outcome">Stopped: learnt</span>' in page
    assert "Calls felt like chasing." in page


def test_no_outcome_is_refused_beside_the_field(workspace, member, member_client) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(
            workspace=workspace, cycle=cycle_for(workspace, member), status="running"
        )
    response = member_client.post(
        f"/w/riverside/experiments/{experiment.pk}/end/", {"learnt": "Typed learning"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_outcome_error"' in html
    assert "Typed learning" in html


@pytest.mark.parametrize("outcome", ["amplify", "adapt", "stop_learnt"])
def test_every_outcome_is_shown_the_same_way(workspace, member, member_client, outcome) -> None:
    """'Stopped: learnt' has the standing of the others: the same element and class, nothing
    added (no warning colour, no "failed")."""
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(
            workspace=workspace, status="ended", outcome=outcome, learnt="What we learnt"
        )
    label = dict(Experiment.Outcome.choices)[outcome]
    for url in (f"/w/riverside/experiments/{experiment.pk}/", "/w/riverside/experiments/"):
        html = member_client.get(url).content.decode()
        assert f'<p class="outcome-line"><span class="outcome">{label}</span>' in html
        assert "failed" not in html.lower()
        assert re.findall(r'<span class="outcome[^"]*"', html) == ['<span class="outcome"']


def test_editing_a_running_experiment_shows_the_version_chain(
    workspace, member, member_client
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(
            workspace=workspace,
            cycle=cycle_for(workspace, member),
            status="running",
            owner=member.user,
            starts_on=datetime.date(2030, 1, 1),
            ends_on=datetime.date(2030, 3, 1),
        )
    base = f"/w/riverside/experiments/{experiment.pk}/"
    form = member_client.get(base + "edit/").content.decode()
    assert "Save as a new version" in form
    response = member_client.post(
        base + "edit/",
        {
            **FORM,
            "what_we_will_try": "Visit instead of calling.",
            "prediction": experiment.prediction,
            "starts_on": "2030-01-01",
            "ends_on": "2030-03-01",
        },
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        new = Experiment.objects.get(previous_version=experiment)
    assert response["Location"] == f"/w/riverside/experiments/{new.pk}/"
    page = member_client.get(response["Location"]).content.decode()
    assert "Version 1" in page
    assert '<strong aria-current="page">Version 2</strong>' in page
    old = member_client.get(base).content.decode()
    assert "This version was replaced" in old
    assert "Replaced by version 2" in old


def test_check_ins_listed_with_visibility_and_the_add_link(workspace, member, make_member) -> None:
    colleague = make_member(workspace, Role.PRACTITIONER)
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(workspace=workspace, status="running")
        EntryFactory(
            workspace=workspace,
            cycle=experiment.cycle,
            experiment=experiment,
            author=member.user,
            text="**Bold** check-in <script>alert(1)</script>",
        )
        EntryFactory(
            workspace=workspace,
            cycle=experiment.cycle,
            experiment=experiment,
            author=colleague.user,
            text="colleague's private note",
        )
        EntryFactory(
            workspace=workspace,
            cycle=experiment.cycle,
            experiment=experiment,
            author=colleague.user,
            text="shared with everyone",
            visibility=ShareLevel.WORKSPACE,
        )
    html = signed_in(member).get(f"/w/riverside/experiments/{experiment.pk}/").content.decode()
    assert "<strong>Bold</strong> check-in" in html
    assert "<script>alert" not in html
    assert "shared with everyone" in html
    assert "colleague's private note" not in html
    assert "Add a check-in" in html  # the entry form of the cycles area exists
    assert f"experiment={experiment.pk}" in html


def test_overdue_shown_to_the_owner_only(workspace, member, make_member) -> None:
    manager = make_member(workspace, Role.MANAGER)
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(
            workspace=workspace,
            status="running",
            owner=member.user,
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2020, 2, 1),
        )
    for url in (f"/w/riverside/experiments/{experiment.pk}/", "/w/riverside/experiments/"):
        assert "time to decide" in signed_in(member).get(url).content.decode()
        assert "time to decide" not in signed_in(manager).get(url).content.decode()


def test_people_shown_only_to_those_who_work_with_them(workspace, member, make_member) -> None:
    manager = make_member(workspace, Role.MANAGER)
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        person = PersonFactory(workspace=workspace, system=cycle.system, reference="P-SECRET")
        experiment = ExperimentFactory(workspace=workspace, cycle=cycle)
        experiment.people.add(person, through_defaults={"workspace": workspace})
    url = f"/w/riverside/experiments/{experiment.pk}/"
    assert "P-SECRET" in signed_in(member).get(url).content.decode()
    html = signed_in(manager).get(url).content.decode()
    assert "P-SECRET" not in html
    assert "people you do not work with" in html


def test_portfolio_groups_filters_and_shows_learning(workspace, member, member_client) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        ExperimentFactory(workspace=workspace, cycle=cycle, title="Planned one")
        ExperimentFactory(workspace=workspace, title="Running one", status="running")
        ExperimentFactory(
            workspace=workspace,
            cycle=cycle,
            title="Ended one",
            status="ended",
            outcome="adapt",
            learnt="People want visits",
        )
    html = member_client.get("/w/riverside/experiments/").content.decode()
    assert html.index("Running</h2>") < html.index("Planned</h2>") < html.index("Ended</h2>")
    assert "People want visits" in html
    filtered = member_client.get(f"/w/riverside/experiments/?cycle={cycle.pk}&status=ended")
    assert "Ended one" in filtered.content.decode()
    assert "Planned one" not in filtered.content.decode()
    per_cycle = member_client.get(f"/w/riverside/cycles/{cycle.pk}/experiments/").content.decode()
    assert "Planned one" in per_cycle
    assert "Running one" not in per_cycle
    assert "Design an experiment" in per_cycle
    bad = member_client.get("/w/riverside/experiments/?status=winning")
    assert bad.status_code == 400
    assert 'id="id_status_error"' in bad.content.decode()


def test_no_rankings_or_rates_on_the_portfolio(workspace, member, member_client) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        made = [
            ExperimentFactory(
                workspace=workspace, status="ended", outcome=outcome, learnt="x", owner=member.user
            )
            for outcome in ("amplify", "adapt", "stop_learnt")
        ]
    response = member_client.get("/w/riverside/experiments/")
    assert response.status_code == 200
    html = response.content.decode().lower()
    for experiment in made:  # the portfolio shows them, without any ranking
        assert experiment.title.lower() in html
    for word in ("success", "rate", "%", "rank", "score"):
        assert word not in html.split("<main")[1], word


@pytest.mark.parametrize("url", ["/w/riverside/experiments/", "cycle"])
def test_portfolio_query_budget_is_constant(
    workspace, member, member_client, django_assert_num_queries, url
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
    if url == "cycle":
        url = f"/w/riverside/cycles/{cycle.pk}/experiments/"

    def grow(n: int) -> None:
        statuses = [("planned", ""), ("running", ""), ("ended", "stop_learnt"), ("ended", "adapt")]
        with tenant_scope(workspace_id=workspace.pk):
            Experiment.objects.bulk_create(
                Experiment(
                    workspace=workspace,
                    cycle=cycle,
                    title=f"Experiment {i}",
                    what_we_will_try="Try",
                    status=statuses[i % 4][0],
                    outcome=statuses[i % 4][1],
                    learnt="Learnt" if statuses[i % 4][0] == "ended" else "",
                    owner=member.user,
                    ends_on=datetime.date(2020, 1, 1),
                )
                for i in range(n)
            )

    grow(10)
    with django_assert_num_queries(12):
        assert member_client.get(url).status_code == 200
    grow(990)
    with django_assert_num_queries(12):
        response = member_client.get(url)
    assert response.status_code == 200
    assert "Page 1 of 20" in response.content.decode()


def test_fields_needed_to_start_say_so_and_the_owner_stays_chosen_after_an_error(
    workspace, member, member_client, make_member
) -> None:
    """Not "(optional)" on what starting needs; a chosen owner survives a refused save."""
    from cycles.experiments.services import NEEDED_TO_START, ExperimentDesign, _start_problems
    from tests.factories import SystemMemberFactory

    empty = ExperimentDesign(**{**FORM, "starts_on": None, "ends_on": None, "owner": None})
    assert set(_start_problems(empty)) == set(NEEDED_TO_START)
    cycle = cycle_for(workspace, member)
    keeper = make_member(workspace, Role.PRACTITIONER, full_name="Kim Keeper")
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(workspace=workspace, system=cycle.system, user=keeper.user)
    url = f"/w/riverside/cycles/{cycle.pk}/experiments/new/"
    page = member_client.get(url).content.decode()
    for label in ("What we expect to happen", "Starts on", "Ends on"):
        assert re.search(rf">{label} <span class=\"optional\">\(needed to start\)</span>", page)
    assert re.search(r">Why <span class=\"optional\">\(optional\)</span>", page)
    for refused in (
        {**FORM, "title": "", "owner": keeper.user.pk},  # the form's own check
        {**FORM, "starts_on": "2030-06-01", "ends_on": "2030-05-01", "owner": keeper.user.pk},
    ):
        response = member_client.post(url, refused)
        assert response.status_code == 400
        assert f'<option value="{keeper.user.pk}" selected>' in response.content.decode()
