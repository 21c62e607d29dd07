"""Experiment services and selectors, called directly."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cycles.experiments import selectors, services
from cycles.models import Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.experiments.helpers import cycle_for, design
from tests.factories import (
    ActorFactory,
    EntryFactory,
    ExperimentFactory,
    PersonFactory,
    SystemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_design_makes_a_planned_experiment_owned_by_its_designer(workspace, member) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        person = PersonFactory(workspace=workspace, system=cycle.system)
        actor = ActorFactory(workspace=workspace, system=cycle.system)
        experiment = services.experiment_create(
            workspace=workspace,
            cycle=cycle,
            created_by=member.user,
            design=design(people=[person], actors=[actor]),
        )
        assert experiment.status == Experiment.Status.PLANNED
        assert experiment.owner == member.user
        assert experiment.workspace == workspace
        assert list(experiment.people.all()) == [person]
        assert list(experiment.actors.all()) == [actor]


def test_a_planned_design_may_have_no_prediction_yet(workspace, member) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        experiment = services.experiment_create(
            workspace=workspace,
            cycle=cycle,
            created_by=member.user,
            design=design(prediction="", starts_on=None, ends_on=None),
        )
    assert experiment.prediction == ""


def test_end_before_start_is_refused_beside_the_end_date(workspace, member) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk), pytest.raises(ValidationError) as error:
        services.experiment_create(
            workspace=workspace,
            cycle=cycle,
            created_by=member.user,
            design=design(starts_on=datetime.date(2030, 6, 1), ends_on=datetime.date(2030, 5, 1)),
        )
    assert "before the start date" in error.value.message_dict["ends_on"][0]


def test_owner_must_be_a_member_and_people_must_be_worked_with(
    workspace, member, make_member
) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        stranger_person = PersonFactory(
            workspace=workspace, system=SystemFactory(workspace=workspace)
        )
        other_actor = ActorFactory(workspace=workspace)  # another system's map
        with pytest.raises(ValidationError) as error:
            services.experiment_create(
                workspace=workspace,
                cycle=cycle,
                created_by=member.user,
                design=design(owner=UserFactory(), people=[stranger_person], actors=[other_actor]),
            )
    assert set(error.value.message_dict) == {"owner", "people", "actors"}


def test_start_without_a_prediction_is_refused_with_the_reason(workspace, member) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        experiment = services.experiment_create(
            workspace=workspace,
            cycle=cycle,
            created_by=member.user,
            design=design(prediction="  ", ends_on=None),
        )
        with pytest.raises(ValidationError) as error:
            services.experiment_start(
                workspace=workspace, experiment=experiment, started_by=member.user
            )
        experiment.refresh_from_db()
    assert error.value.message_dict["prediction"] == [
        "Write what you expect to happen before it starts — it's how we learn from the surprise."
    ]
    assert "ends_on" in error.value.message_dict
    assert experiment.status == Experiment.Status.PLANNED
    assert experiment.started_at is None


def test_start_sets_running_and_started_at(workspace, member) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        experiment = services.experiment_create(
            workspace=workspace, cycle=cycle, created_by=member.user, design=design()
        )
        started = services.experiment_start(
            workspace=workspace, experiment=experiment, started_by=member.user
        )
        with pytest.raises(ValidationError):  # not twice
            services.experiment_start(
                workspace=workspace, experiment=experiment, started_by=member.user
            )
    assert started.status == Experiment.Status.RUNNING
    assert started.started_at is not None


def _running(workspace, member, **overrides) -> Experiment:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        experiment = services.experiment_create(
            workspace=workspace, cycle=cycle, created_by=member.user, design=design(**overrides)
        )
        return services.experiment_start(
            workspace=workspace, experiment=experiment, started_by=member.user
        )


def test_end_without_what_was_learnt_is_refused(workspace, member) -> None:
    experiment = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        with pytest.raises(ValidationError) as error:
            services.experiment_end(
                workspace=workspace,
                experiment=experiment,
                ended_by=member.user,
                outcome="stop_learnt",
                learnt="   ",
            )
        experiment.refresh_from_db()
    assert "Write what was learnt" in error.value.message_dict["learnt"][0]
    assert experiment.status == Experiment.Status.RUNNING


def test_end_without_an_outcome_is_refused(workspace, member) -> None:
    experiment = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk), pytest.raises(ValidationError) as error:
        services.experiment_end(
            workspace=workspace,
            experiment=experiment,
            ended_by=member.user,
            outcome="failed",
            learnt="Something",
        )
    assert "outcome" in error.value.message_dict


@pytest.mark.parametrize("outcome", ["amplify", "adapt", "stop_learnt"])
def test_end_records_outcome_and_learning(workspace, member, outcome) -> None:
    experiment = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        ended = services.experiment_end(
            workspace=workspace,
            experiment=experiment,
            ended_by=member.user,
            outcome=outcome,
            learnt="  People wanted a visit, not a call.  ",
        )
    assert ended.status == Experiment.Status.ENDED
    assert ended.outcome == outcome
    assert ended.learnt == "People wanted a visit, not a call."
    assert ended.ended_at is not None


def test_a_planned_design_is_edited_in_place(workspace, member) -> None:
    cycle = cycle_for(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        experiment = services.experiment_create(
            workspace=workspace, cycle=cycle, created_by=member.user, design=design()
        )
        saved = services.experiment_update(
            workspace=workspace,
            experiment=experiment,
            editor=member.user,
            design=design(title="Visit instead"),
        )
        assert saved.pk == experiment.pk
        assert Experiment.objects.filter(workspace=workspace).count() == 1
    assert saved.title == "Visit instead"
    assert saved.version == 1


def test_editing_a_running_experiment_makes_a_new_version_and_keeps_the_old(
    workspace, member
) -> None:
    first = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        second = services.experiment_update(
            workspace=workspace,
            experiment=first,
            editor=member.user,
            design=design(what_we_will_try="Visit, with a cup of tea."),
        )
        third = services.experiment_update(
            workspace=workspace,
            experiment=second,
            editor=member.user,
            design=design(what_we_will_try="Visit, with a neighbour."),
        )
        first.refresh_from_db()
        second.refresh_from_db()
        chain = selectors.experiment_versions(workspace=workspace, experiment=second)
        portfolio = list(selectors.experiments_portfolio(workspace=workspace, user=member.user))

    assert first.what_we_will_try == "Phone people a week before the reminder letter goes out."
    assert (first.status, first.outcome, first.learnt) == ("ended", "", "Replaced by version 2")
    assert first.ended_at is not None
    assert (second.version, second.previous_version_id) == (2, first.pk)
    assert second.learnt == "Replaced by version 3"
    assert (third.version, third.status, third.previous_version_id) == (3, "running", second.pk)
    assert third.what_we_will_try == "Visit, with a neighbour."
    assert [e.pk for e in chain] == [first.pk, second.pk, third.pk]
    assert portfolio == [third]  # the history is on the experiment's page, not the list


def test_an_unchanged_save_of_a_running_experiment_makes_no_version(workspace, member) -> None:
    experiment = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        same = services.experiment_update(
            workspace=workspace, experiment=experiment, editor=member.user, design=design()
        )
        assert Experiment.objects.filter(workspace=workspace).count() == 1
    assert same.pk == experiment.pk


def test_a_running_version_still_needs_its_prediction(workspace, member) -> None:
    experiment = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk), pytest.raises(ValidationError) as error:
        services.experiment_update(
            workspace=workspace,
            experiment=experiment,
            editor=member.user,
            design=design(prediction=""),
        )
    assert "prediction" in error.value.message_dict


def test_an_ended_experiment_cannot_be_redesigned(workspace, member) -> None:
    experiment = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        services.experiment_end(
            workspace=workspace,
            experiment=experiment,
            ended_by=member.user,
            outcome="adapt",
            learnt="x",
        )
        with pytest.raises(ValidationError):
            services.experiment_update(
                workspace=workspace, experiment=experiment, editor=member.user, design=design()
            )


def test_people_the_editor_does_not_work_with_stay_involved(workspace, member, make_member) -> None:
    colleague = make_member(workspace, Role.PRACTITIONER)
    cycle = cycle_for(workspace, member, colleague)
    with tenant_scope(workspace_id=workspace.pk):
        mine = PersonFactory(workspace=workspace, system=cycle.system)
        theirs = PersonFactory(workspace=workspace, created_by=colleague.user)
        experiment = services.experiment_create(
            workspace=workspace,
            cycle=cycle,
            created_by=colleague.user,
            design=design(people=[theirs]),
        )
        # member does not work with `theirs`: they neither see nor drop them
        visible, hidden = selectors.experiment_people_visible_to(
            workspace=workspace, user=member.user, experiment=experiment
        )
        assert (visible, hidden) == ([], True)
        services.experiment_update(
            workspace=workspace,
            experiment=experiment,
            editor=member.user,
            design=design(people=[mine]),
        )
        assert set(experiment.people.all()) == {mine, theirs}


def test_check_ins_are_the_entries_the_viewer_may_see(workspace, member, make_member) -> None:
    colleague = make_member(workspace, Role.PRACTITIONER)
    outsider_in_workspace = make_member(workspace, Role.PRACTITIONER)
    experiment = _running(workspace, member)
    with tenant_scope(workspace_id=workspace.pk):
        cycle = experiment.cycle
        mine_private = EntryFactory(
            workspace=workspace, cycle=cycle, experiment=experiment, author=member.user, text="mine"
        )
        theirs_private = EntryFactory(
            workspace=workspace,
            cycle=cycle,
            experiment=experiment,
            author=colleague.user,
            text="theirs, private",
        )
        shared = EntryFactory(
            workspace=workspace,
            cycle=cycle,
            experiment=experiment,
            author=colleague.user,
            visibility=ShareLevel.WORKSPACE,
        )
        EntryFactory(workspace=workspace, cycle=cycle, author=member.user)  # not a check-in

        def seen_by(user):
            return set(
                selectors.experiment_check_ins(
                    workspace=workspace, user=user, experiments=[experiment]
                )
            )

        assert seen_by(member.user) == {mine_private, shared}
        assert seen_by(colleague.user) == {theirs_private, shared}
        assert seen_by(outsider_in_workspace.user) == {shared}


def test_overdue_is_flagged_to_the_owner_only(workspace, member, make_member) -> None:
    other = make_member(workspace, Role.MANAGER)
    experiment = _running(
        workspace, member, starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2020, 2, 1)
    )
    assert selectors.is_overdue_for(experiment=experiment, user=member.user)
    assert not selectors.is_overdue_for(experiment=experiment, user=other.user)
    assert not selectors.is_overdue_for(
        experiment=experiment, user=member.user, on=datetime.date(2020, 2, 1)
    )
    with tenant_scope(workspace_id=workspace.pk):
        for_owner = list(selectors.experiments_portfolio(workspace=workspace, user=member.user))
        for_other = list(selectors.experiments_portfolio(workspace=workspace, user=other.user))
    assert [e.overdue for e in for_owner] == [True]
    assert [e.overdue for e in for_other] == [False]


def test_an_ended_experiment_is_never_overdue(workspace, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        experiment = ExperimentFactory(
            workspace=workspace,
            owner=member.user,
            status="ended",
            outcome="stop_learnt",
            learnt="x",
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2020, 2, 1),
        )
    assert not selectors.is_overdue_for(experiment=experiment, user=member.user)


def test_portfolio_groups_running_planned_ended_and_filters(workspace, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        cycle = cycle_for(workspace)
        ended = ExperimentFactory(
            workspace=workspace, cycle=cycle, status="ended", outcome="stop_learnt", learnt="x"
        )
        planned = ExperimentFactory(workspace=workspace, cycle=cycle)
        running = ExperimentFactory(workspace=workspace, status="running")
        everything = list(selectors.experiments_portfolio(workspace=workspace, user=member.user))
        in_cycle = list(
            selectors.experiments_portfolio(
                workspace=workspace, user=member.user, cycle_id=cycle.pk
            )
        )
        stopped = list(
            selectors.experiments_portfolio(
                workspace=workspace, user=member.user, outcome="stop_learnt"
            )
        )
    assert everything == [running, planned, ended]
    assert in_cycle == [planned, ended]
    assert stopped == [ended]
