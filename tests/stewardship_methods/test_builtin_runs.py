"""Each built-in method run end to end through its services, as a group would: two members of
the cycle and a guest answer every step (with consent where a step asks for it), the
facilitator reveals private steps, moves the group on, goes round again where the method
repeats, and completes; what the method writes lands in the cycle linked back to the run.
Then the healthy-system reflection's own promise: one person's answers reach others only when
that person shared them."""

from typing import Any

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import selectors, services
from stewardship.methods.builtin import BUILTINS
from stewardship.methods.definition import Field, parse
from stewardship.models import MethodRun, RunOutput
from tests.factories import CycleFactory, CycleMemberFactory


def _value(field: Field, n: int, items: list[selectors.Item]) -> Any:
    if field.type in ("text", "long_text", "story"):
        return f"{field.label} ({n})"
    if field.type == "choice":
        return field.choices[0]
    if field.type == "multi":
        return list(field.choices[:2])
    if field.type == "scale":
        return {"value": field.min + n % (field.max - field.min + 1), "low": "a", "high": "b"}
    if field.type == "select":
        chosen = [i.id for i in items[: field.pick]]
        return {"chosen": chosen, "reasons": {i: "It changed how we work" for i in chosen}}
    return [i.id for i in items]  # rank


def _answer(workspace, run, participant, step, n):
    data: dict[str, Any] = {"consent": True}
    for field in step.fields:
        items = (
            selectors.items(workspace=workspace, run=run, source=field.source)
            if field.source
            else []
        )
        data[field.key] = _value(field, n, items)
    services.answer_save(
        workspace=workspace, run=run, participant=participant, step_key=step.key, data=data
    )


@pytest.fixture
def team(workspace, make_member):
    ana = make_member(workspace, Role.PRACTITIONER, email="ana@r.test", full_name="Ana").user
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@r.test", full_name="Ben").user
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="North team cycle")
        for user in (ana, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=user)
    return ana, ben, cycle


@pytest.mark.parametrize("key", sorted(BUILTINS))
def test_each_built_in_method_runs_end_to_end(workspace, team, key):
    ana, ben, cycle = team
    definition = parse(BUILTINS[key].definition)
    with tenant_scope(workspace_id=workspace.pk):
        run = services.run_start(
            workspace=workspace, user=ana, cycle=cycle, builtin=key, guests=True,
            title="This month", why_this_method="The team chose it at its last meeting",
        )  # fmt: skip
        people = [
            selectors.participant_for(workspace=workspace, run=run, user=ana),
            services.run_join(workspace=workspace, run=run, user=ben),
            services.guest_join(workspace=workspace, run=run, name="Kit")[0],
        ]
        rounds = 2 if definition.repeat_from else 1
        for round_ in range(1, rounds + 1):
            start = run.step
            for index in range(start, len(definition.steps)):
                step = definition.steps[index]
                answering = people if step.who == "each" else people[:1]
                for n, participant in enumerate(answering):
                    _answer(workspace, run, participant, step, n)
                if step.private:
                    run = services.run_reveal(
                        workspace=workspace, run=run, user=ana, step_key=step.key
                    )
                if index + 1 < len(definition.steps):
                    run = services.run_move(
                        workspace=workspace, run=run, user=ana, to=index + 1, expected=index
                    )
            if round_ < rounds:
                run = services.run_again(workspace=workspace, run=run, user=ana, expected=run.step)
        outputs = services.run_complete(workspace=workspace, run=run, user=ana)
        run.refresh_from_db()
        assert run.status == MethodRun.Status.COMPLETED
        assert run.round == rounds
        assert outputs, f"{key} wrote nothing into the cycle"
        assert RunOutput.objects.filter(run=run).count() == len(outputs)
        for output in outputs:
            made = output.entry or output.experiment or output.actor or output.factor
            assert made is not None
            target = made.system if output.actor or output.factor else made.cycle
            assert target == (cycle.system if output.actor or output.factor else cycle)


def test_healthy_system_answers_reach_others_only_when_shared(workspace, team):
    ana, ben, cycle = team
    step = parse(BUILTINS["healthy_system"].definition).steps[0]
    with tenant_scope(workspace_id=workspace.pk):
        run = services.run_start(
            workspace=workspace, user=ana, cycle=cycle, builtin="healthy_system"
        )
        mine = selectors.participant_for(workspace=workspace, run=run, user=ana)
        theirs = services.run_join(workspace=workspace, run=run, user=ben)
        kept = {
            f.key: {"value": 2} if f.type == "scale" else "Ana's private words" for f in step.fields
        }
        told = {
            f.key: {"value": 5} if f.type == "scale" else "Ben shares this" for f in step.fields
        }
        services.answer_save(
            workspace=workspace, run=run, participant=mine, step_key=step.key, data=kept
        )
        services.answer_save(
            workspace=workspace, run=run, participant=theirs, step_key=step.key, data=told,
            shared=True,
        )  # fmt: skip

        def seen_by(participant):
            view = selectors.step_views(workspace=workspace, run=run, participant=participant)[0]
            return view, {s.by for s in view.answers if not s.mine}

        view, others = seen_by(theirs)
        assert others == set()  # before the reveal, nobody's but one's own
        assert view.answered == 2
        assert view.spread == {}
        run = services.run_reveal(workspace=workspace, run=run, user=ana, step_key=step.key)
        view, others = seen_by(theirs)
        assert others == set()  # Ana did not share: Ben never sees her answer
        assert ("2", 1) in view.spread["shared_purpose"]  # her view counts in the spread, unnamed
        assert ("5", 1) in view.spread["shared_purpose"]
        view, others = seen_by(mine)
        assert others == {"Ben"}  # Ben chose to share
        _step, pictures = selectors.picture_over_time(workspace=workspace, cycle=cycle, run=run)
        assert [p.answered for p in pictures] == [2]
        assert [who for who, _data in pictures[0].shared] == ["Ben"]
