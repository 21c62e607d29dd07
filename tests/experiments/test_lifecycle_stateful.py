"""The experiment life cycle, as a state machine (issue 17): experiments are designed (with or
without what we expect and their dates), started, redesigned (in place while planned; a new
version that goes on running while running), ended with an outcome and what was learnt, by a
member of the cycle, and tried by a member outside it, in any order, through the services.

After every step the rows agree with a model kept beside them: an illegal move (starting what
is not planned or lacks its prediction and dates, ending what is not running or without what
was learnt, changing an ended design, anything by someone outside the cycle) is refused with
the service's error and writes nothing; planned has no start, running has its start and its
prediction and dates, ended has its end and either an outcome with what was learnt or "Replaced
by version N"; each chain of versions counts up by one and has one current version."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, rule

from cycles.experiments import services
from cycles.models import Experiment
from hls.tenancy.context import tenant_scope
from tests.factories import CycleMemberFactory
from tests.stateful import InSavepoint, run

pytestmark = pytest.mark.django_db

Status = Experiment.Status
ROW = ["status", "outcome", "learnt", "title", "version", "started_at", "ended_at", "revision"]
TITLES = st.sampled_from(["Ring first", "Ring before the letter", "Visit at home"])
OUTCOMES = st.sampled_from([*Experiment.Outcome.values, "", "win"])
LEARNT = st.sampled_from(["", "  ", "People answered a call they expected."])


def test_the_experiment_life_cycle_holds_whatever_the_order(cast):
    ws, cycle = cast.workspace, cast.cycle
    inside, outside = cast.author, cast.manager  # the manager takes part in no cycle here
    with tenant_scope(workspace_id=ws.pk):
        CycleMemberFactory(workspace=ws, cycle=cycle, user=inside.user)

    def design(title: str, ready: bool) -> services.ExperimentDesign:
        today = dt.date(2026, 6, 1)
        return services.ExperimentDesign(
            title=title,
            what_we_will_try="Ring the day before.",
            prediction="Fewer missed visits." if ready else "",
            starts_on=today if ready else None,
            ends_on=today + dt.timedelta(days=28) if ready else None,
        )

    class Experiments(InSavepoint):
        experiments = Bundle("experiments")

        def __init__(self) -> None:
            super().__init__()
            self.ready: dict[int, bool] = {}  # id: has its prediction and dates

        def _row(self, pk: int) -> tuple:
            return tuple(Experiment.objects.filter(pk=pk).values_list(*ROW).get())

        def _refused(self, pk: int, call, error=ValidationError) -> None:
            before = self._row(pk)
            count = Experiment.objects.count()
            with pytest.raises(error):
                call()
            assert self._row(pk) == before  # nothing half-written
            assert Experiment.objects.count() == count

        @rule(target=experiments, title=TITLES, ready=st.booleans())
        def design_one(self, title, ready):
            with tenant_scope(workspace_id=ws.pk):
                made = services.experiment_create(
                    workspace=ws, cycle=cycle, created_by=inside.user, design=design(title, ready)
                )
            self.ready[made.pk] = ready
            return made.pk

        @rule(pk=experiments)
        def start(self, pk):
            with tenant_scope(workspace_id=ws.pk):
                experiment = Experiment.objects.get(pk=pk)
                call = lambda: services.experiment_start(  # noqa: E731
                    workspace=ws, experiment=experiment, started_by=inside.user
                )
                if experiment.status == Status.PLANNED and self.ready[pk]:
                    assert call().status == Status.RUNNING
                else:
                    self._refused(pk, call)

        @rule(pk=experiments, outcome=OUTCOMES, learnt=LEARNT)
        def end(self, pk, outcome, learnt):
            with tenant_scope(workspace_id=ws.pk):
                experiment = Experiment.objects.get(pk=pk)
                call = lambda: services.experiment_end(  # noqa: E731
                    workspace=ws, experiment=experiment, ended_by=inside.user, outcome=outcome,
                    learnt=learnt,
                )  # fmt: skip
                legal = (
                    experiment.status == Status.RUNNING
                    and outcome in Experiment.Outcome.values
                    and learnt.strip()
                )
                if legal:
                    ended = call()
                    assert (ended.status, ended.outcome) == (Status.ENDED, outcome)
                else:
                    self._refused(pk, call)

        @rule(pk=experiments, title=TITLES, ready=st.booleans())
        def redesign(self, pk, title, ready):
            with tenant_scope(workspace_id=ws.pk):
                experiment = Experiment.objects.get(pk=pk)
                current = not Experiment.objects.filter(previous_version=experiment).exists()
                call = lambda: services.experiment_update(  # noqa: E731
                    workspace=ws, experiment=experiment, editor=inside.user,
                    design=design(title, ready),
                )  # fmt: skip
                if experiment.status == Status.ENDED or not current:
                    self._refused(pk, call)
                elif experiment.status == Status.RUNNING and not ready:
                    self._refused(pk, call)  # a running design keeps its prediction and dates
                else:
                    was = experiment.status
                    now = call()
                    self.ready[now.pk] = ready
                    if was == Status.PLANNED:
                        assert now.pk == pk
                    elif now.pk != pk:  # a running design changed: a new version runs on
                        assert now.previous_version_id == pk
                        assert now.status == Status.RUNNING

        @rule(pk=experiments, what=st.sampled_from(["start", "end", "redesign"]))
        def someone_outside_the_cycle_tries(self, pk, what):
            with tenant_scope(workspace_id=ws.pk):
                experiment = Experiment.objects.get(pk=pk)
                calls = {
                    "start": lambda: services.experiment_start(
                        workspace=ws, experiment=experiment, started_by=outside.user
                    ),
                    "end": lambda: services.experiment_end(
                        workspace=ws, experiment=experiment, ended_by=outside.user,
                        outcome="adapt", learnt="Something.",
                    ),
                    "redesign": lambda: services.experiment_update(
                        workspace=ws, experiment=experiment, editor=outside.user,
                        design=design("Theirs", ready=True),
                    ),
                }  # fmt: skip
                self._refused(pk, calls[what], PermissionDenied)

        @invariant()
        def each_state_holds_what_it_needs(self):
            with tenant_scope(workspace_id=ws.pk):
                for e in Experiment.objects.filter(workspace=ws):
                    if e.status == Status.PLANNED:
                        assert e.started_at is None
                        assert e.ended_at is None
                    elif e.status == Status.RUNNING:
                        assert e.started_at is not None
                        assert e.ended_at is None
                        assert e.prediction.strip()
                        assert e.starts_on is not None
                        assert e.ends_on is not None
                    else:
                        assert e.status == Status.ENDED
                        assert e.ended_at is not None
                        replaced = e.learnt.startswith("Replaced by version")
                        assert (e.outcome == "" and replaced) or (
                            e.outcome in Experiment.Outcome.values and e.learnt.strip()
                        )

        @invariant()
        def versions_count_up_with_one_current(self):
            with tenant_scope(workspace_id=ws.pk):
                rows = list(Experiment.objects.filter(workspace=ws))
                by_pk = {e.pk: e for e in rows}
                successors = [e.previous_version_id for e in rows if e.previous_version_id]
                assert len(successors) == len(set(successors))  # one next version at most
                for e in rows:
                    if e.previous_version_id:
                        before = by_pk[e.previous_version_id]
                        assert e.version == before.version + 1
                        assert before.status == Status.ENDED
                    else:
                        assert e.version == 1

    run(Experiments, examples=10, steps=14)
