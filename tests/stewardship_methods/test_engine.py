"""The method engine through its services: a run keeps its version, answers are checked field by
field, private answers stay private until revealed (or shared), two facilitators cannot both
move the group, a required group step is not skipped, guests join by code while the run is open,
and completing writes into the cycle with a link back to the run."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cycles.models import Entry, Experiment
from hls.conflicts import EditConflict
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import selectors, services
from stewardship.methods.services import MovedMeanwhile, TemplateFields
from stewardship.models import MethodRun, RunOutput
from systems.models import Actor
from tests.factories import CycleFactory, CycleMemberFactory

STEPS = {
    "steps": [
        {
            "key": "frame",
            "title": "What are we looking at?",
            "who": "group",
            "fields": [{"key": "topic", "label": "Topic", "type": "text", "required": True}],
        },
        {
            "key": "stories",
            "title": "Stories",
            "who": "each",
            "consent": True,
            "fields": [{"key": "story", "label": "A story", "type": "story"}],
            "writes": [{"as": "entry", "kind": "story", "field": "story"}],
        },
        {
            "key": "feel",
            "title": "How it feels",
            "who": "each",
            "private": True,
            "reveal": "spread",
            "fields": [
                {"key": "trust", "label": "Trust", "type": "scale", "own_anchors": True},
                {"key": "why", "label": "Why", "type": "long_text"},
            ],
        },
        {
            "key": "choose",
            "title": "Choose",
            "who": "group",
            "fields": [
                {"key": "pick", "label": "Most significant", "type": "select",
                 "from": "stories.story", "pick": 1, "reasons": True},
                {"key": "try", "label": "What we will try", "type": "text"},
            ],
            "writes": [
                {"as": "entry", "kind": "insight", "field": "pick"},
                {"as": "experiment", "fields": {"title": "try", "what_we_will_try": "try"}},
            ],
        },
    ]
}  # fmt: skip


@pytest.fixture
def world(workspace, make_member):
    ana = make_member(workspace, Role.PRACTITIONER, email="ana@riverside.test", full_name="Ana")
    ben = make_member(workspace, Role.PRACTITIONER, email="ben@riverside.test", full_name="Ben")
    out = make_member(workspace, Role.MANAGER, email="out@riverside.test", full_name="Olu")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="North team cycle")
        for m in (ana, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
        template = services.template_create(
            workspace=workspace,
            user=ana.user,
            fields=TemplateFields("Our check-in", "", "", ["experiment"], ["team"], STEPS),
        )
    return ana.user, ben.user, out.user, cycle, template


def test_a_run_from_start_to_its_outputs(workspace, world):
    ana, ben, _out, cycle, template = world
    with tenant_scope(workspace_id=workspace.pk):
        run = services.run_start(
            workspace=workspace, user=ana, cycle=cycle, template=template, guests=True
        )
        me = selectors.participant_for(workspace=workspace, run=run, user=ana)
        with pytest.raises(ValidationError) as skipped:
            services.run_move(workspace=workspace, run=run, user=ana, to=1, expected=0)
        assert "Topic" in str(skipped.value)
        services.answer_save(
            workspace=workspace, run=run, participant=me, step_key="frame",
            data={"topic": "Missed visits"},
        )  # fmt: skip
        run = services.run_move(workspace=workspace, run=run, user=ana, to=1, expected=0)
        with pytest.raises(MovedMeanwhile):  # a second facilitator's page still shows step 0
            services.run_move(workspace=workspace, run=run, user=ben, to=1, expected=0)
        theirs = services.run_join(workspace=workspace, run=run, user=ben)
        with pytest.raises(ValidationError) as no_consent:
            services.answer_save(
                workspace=workspace, run=run, participant=theirs, step_key="stories",
                data={"story": "Mr K was home when we came."},
            )  # fmt: skip
        assert "consent" in no_consent.value.message_dict
        services.answer_save(
            workspace=workspace, run=run, participant=theirs, step_key="stories",
            data={"story": "Mr K was home when we came.", "consent": "on"},
        )  # fmt: skip
        guest, secret = services.guest_join(workspace=workspace, run=run, name="Dee")
        assert guest.token == services.guest_secret_hash(secret) != secret
        services.answer_save(
            workspace=workspace, run=run, participant=guest, step_key="stories",
            data={"story": "I waited three weeks for a call back.", "consent": True},
        )  # fmt: skip
        run = services.run_move(workspace=workspace, run=run, user=ana, to=2, expected=1)
        for who, value in ((me, 2), (theirs, 4)):
            services.answer_save(
                workspace=workspace, run=run, participant=who, step_key="feel",
                data={"trust": {"value": value, "low": "not yet", "high": "a lot"},
                      "why": f"private {value}"},
            )  # fmt: skip
        feel = selectors.step_views(workspace=workspace, run=run, participant=me)[2]
        assert [s.by for s in feel.answers] == ["Ana"]
        assert feel.answered == 2
        run = services.run_reveal(workspace=workspace, run=run, user=ana, step_key="feel")
        feel = selectors.step_views(workspace=workspace, run=run, participant=me)[2]
        assert [s.by for s in feel.answers] == ["Ana"]  # spread: others' words stay theirs
        assert ("2", 1) in feel.spread["trust"]
        assert ("4", 1) in feel.spread["trust"]
        run = services.run_move(workspace=workspace, run=run, user=ana, to=3, expected=2)
        offered = selectors.items(workspace=workspace, run=run, source="stories.story")
        assert [i.by for i in offered] == ["Ben", "Dee"]
        with pytest.raises(ValidationError) as no_reason:
            services.answer_save(
                workspace=workspace, run=run, participant=me, step_key="choose",
                data={"pick": {"chosen": [offered[1].id]}, "try": "Call back within a week"},
            )  # fmt: skip
        assert "pick" in no_reason.value.message_dict
        group = services.answer_save(
            workspace=workspace, run=run, participant=me, step_key="choose",
            data={"pick": {"chosen": [offered[1].id], "reasons": {offered[1].id: "Waiting"}},
                  "try": "Call back within a week"},
            revision=0,
        )  # fmt: skip
        with pytest.raises(EditConflict):  # Ben's page opened before Ana saved
            services.answer_save(
                workspace=workspace, run=run, participant=theirs, step_key="choose",
                data={"pick": {"chosen": []}, "try": "Something else"}, revision=0,
            )  # fmt: skip
        assert group.revision == 1
        outputs = services.run_complete(workspace=workspace, run=run, user=ana)
        run.refresh_from_db()
        assert run.status == MethodRun.Status.COMPLETED
        assert run.guest_code == ""
        kinds = sorted(o.entry.kind if o.entry else "experiment" for o in outputs)
        assert kinds == ["experiment", "insight", "story", "story"]
        insight = Entry.objects.get(kind="insight", cycle=cycle)
        assert "I waited three weeks" in insight.text
        assert "Why it was chosen: Waiting" in insight.text
        assert (
            Entry.objects.get(kind="story", text__startswith="Mr K").author == ben
        )  # inside: their name
        assert (
            Entry.objects.get(kind="story", text__startswith="I waited").author == ana
        )  # a guest's words
        assert Experiment.objects.get(cycle=cycle).title == "Call back within a week"
        assert RunOutput.objects.filter(run=run).count() == 4
        with pytest.raises(ValidationError):
            services.guest_join(workspace=workspace, run=run, name="Late")


def test_a_run_keeps_its_version_while_the_template_changes(workspace, world):
    ana, _ben, _out, cycle, template = world
    with tenant_scope(workspace_id=workspace.pk):
        run = services.run_start(workspace=workspace, user=ana, cycle=cycle, template=template)
        changed = {"steps": [dict(STEPS["steps"][0], title="Another title")]}
        template = services.template_update(
            workspace=workspace, template=template, user=ana, revision=1,
            fields=TemplateFields("Our check-in", "", "", ["experiment"], [], changed),
        )  # fmt: skip
        assert template.version == 2
        assert template.versions.count() == 2
        run.refresh_from_db()
        assert run.version == 1
        assert run.definition == STEPS
        with pytest.raises(EditConflict):
            services.template_update(
                workspace=workspace, template=template, user=ana, revision=1,
                fields=TemplateFields("Stale", "", "", ["experiment"], [], STEPS),
            )  # fmt: skip
        with pytest.raises(ValidationError) as bad:
            services.template_update(
                workspace=workspace, template=template, user=ana, revision=2,
                fields=TemplateFields("", "", "", [], [], {"steps": []}),
            )  # fmt: skip
        assert set(bad.value.message_dict) == {"name", "phases", "definition"}


def test_outside_the_cycle_no_run_and_no_view(workspace, world):
    ana, _ben, out, cycle, _template = world
    with tenant_scope(workspace_id=workspace.pk):
        with pytest.raises(PermissionDenied):
            services.run_start(workspace=workspace, user=out, cycle=cycle, builtin="rapid_learning")
        run = services.run_start(
            workspace=workspace, user=ana, cycle=cycle, builtin="rapid_learning"
        )
        assert not selectors.may_see_run(workspace=workspace, run=run, user=out)
        with pytest.raises(PermissionDenied):
            services.run_join(workspace=workspace, run=run, user=out)
        with pytest.raises(PermissionDenied):
            services.run_move(workspace=workspace, run=run, user=out, to=0, expected=0)


def test_a_run_changes_the_map_once_per_name(workspace, world):
    ana, _ben, _out, cycle, _template = world
    boundary = {
        "steps": [
            {
                "key": "missing",
                "title": "Who is missing?",
                "who": "group",
                "fields": [{"key": "who", "label": "Who", "type": "long_text"}],
                "writes": [
                    {"as": "actor", "field": "who", "kind": "group", "participation": "not_yet"},
                    {"as": "factor", "field": "who"},
                ],
            }
        ]
    }
    with tenant_scope(workspace_id=workspace.pk):
        template = services.template_create(
            workspace=workspace, user=ana,
            fields=TemplateFields("Boundary", "", "", ["understand"], [], boundary),
        )  # fmt: skip
        Actor.objects.create(workspace=workspace, system=cycle.system, name="GPs", kind="group")
        run = services.run_start(workspace=workspace, user=ana, cycle=cycle, template=template)
        me = selectors.participant_for(workspace=workspace, run=run, user=ana)
        services.answer_save(
            workspace=workspace, run=run, participant=me, step_key="missing",
            data={"who": "Young carers\ngps\n\nYoung carers"},
        )  # fmt: skip
        outputs = services.run_complete(workspace=workspace, run=run, user=ana)
        assert [o.actor.name for o in outputs if o.actor] == ["Young carers"]
        assert outputs[0].actor.participation == "not_yet"
        assert sorted(o.factor.name for o in outputs if o.factor) == ["Young carers", "gps"]
