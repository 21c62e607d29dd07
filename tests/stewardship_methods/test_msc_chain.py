"""Most Significant Change across two levels: each team selects its most significant story with
its reasons and offers the selection to the run above (never taken by the level above); the
level above chooses among the offered stories with its own reasons; the choice and reasons come
back to the storytellers. The chain is visible to those who took part in it and to nobody else;
outside their cycle, stories carry the cycle's name, never the teller's."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import selectors, services
from stewardship.methods.services import TemplateFields
from tests.factories import CycleFactory, CycleMemberFactory, SystemFactory

MSC = {
    "steps": [
        {
            "key": "collect",
            "title": "Stories of change",
            "who": "each",
            "consent": True,
            "fields": [{"key": "story", "label": "Story", "type": "story", "required": True}],
        },
        {
            "key": "select",
            "title": "Most significant",
            "who": "group",
            "fields": [
                {"key": "chosen", "label": "Chosen", "type": "select", "from": "collect.story",
                 "pick": 1, "reasons": True, "required": True},
            ],
            "writes": [{"as": "entry", "kind": "insight", "field": "chosen"}],
        },
    ]
}  # fmt: skip


@pytest.fixture
def chain(workspace, make_member):
    def member(name):
        return make_member(workspace, Role.PRACTITIONER, email=f"{name}@r.test", full_name=name)

    jo, dev, sam, olu = (member(n).user for n in ("Jo", "Dev", "Sam", "Olu"))
    with tenant_scope(workspace_id=workspace.pk):
        org_system = SystemFactory(workspace=workspace, name="The council")
        org = CycleFactory(workspace=workspace, system=org_system, name="One council")
        teams = []
        for name, who in (("Council tax team", jo), ("Housing team", dev)):
            system = SystemFactory(workspace=workspace, name=name, parent=org_system)
            cycle = CycleFactory(workspace=workspace, system=system, name=f"{name} cycle")
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=who)
            teams.append(cycle)
        CycleMemberFactory(workspace=workspace, cycle=org, user=sam)
        CycleMemberFactory(workspace=workspace, cycle=CycleFactory(workspace=workspace), user=olu)
        template = services.template_create(
            workspace=workspace, user=sam,
            fields=TemplateFields("MSC", "", "Dart & Davies", ["experiment"], [], MSC),
        )  # fmt: skip
    return jo, dev, sam, olu, org, teams, template


def _team_run(workspace, user, cycle, template, story, why):
    run = services.run_start(workspace=workspace, user=user, cycle=cycle, template=template)
    me = selectors.participant_for(workspace=workspace, run=run, user=user)
    services.answer_save(
        workspace=workspace, run=run, participant=me, step_key="collect",
        data={"story": story, "consent": True},
    )  # fmt: skip
    run = services.run_move(workspace=workspace, run=run, user=user, to=1, expected=0)
    [item] = selectors.items(workspace=workspace, run=run, source="collect.story")
    services.answer_save(
        workspace=workspace, run=run, participant=me, step_key="select",
        data={"chosen": {"chosen": [item.id], "reasons": {item.id: why}}},
    )  # fmt: skip
    return run


def test_selections_travel_up_by_offer_and_reasons_come_back(workspace, chain):
    jo, dev, sam, olu, org, (tax, housing), template = chain
    with tenant_scope(workspace_id=workspace.pk):
        tax_run = _team_run(workspace, jo, tax, template, "Mrs D opened her post.", "Fear gone")
        housing_run = _team_run(workspace, dev, housing, template, "Lee kept his dog.", "Home")
        org_run = services.run_start(workspace=workspace, user=sam, cycle=org, template=template)
        assert selectors.runs_to_offer_up(workspace=workspace, run=tax_run) == [org_run]
        with pytest.raises(PermissionDenied):  # the level above never takes; the team offers
            services.run_offer_up(workspace=workspace, run=tax_run, user=sam, to=org_run)
        with pytest.raises(ValidationError):  # only to a run of a cycle above
            services.run_offer_up(workspace=workspace, run=tax_run, user=jo, to=housing_run)
        services.run_offer_up(workspace=workspace, run=tax_run, user=jo, to=org_run)
        services.run_offer_up(workspace=workspace, run=housing_run, user=dev, to=org_run)

        org_run = services.run_move(workspace=workspace, run=org_run, user=sam, to=1, expected=0)
        offered = selectors.items(workspace=workspace, run=org_run, source="collect.story")
        assert {(i.text, i.by, i.reasons) for i in offered} == {
            ("Mrs D opened her post.", "Council tax team cycle", ("Fear gone",)),
            ("Lee kept his dog.", "Housing team cycle", ("Home",)),
        }  # the cycle's name, never the teller's
        chosen = next(i for i in offered if i.text.startswith("Mrs D"))
        me = selectors.participant_for(workspace=workspace, run=org_run, user=sam)
        services.answer_save(
            workspace=workspace, run=org_run, participant=me, step_key="select",
            data={"chosen": {"chosen": [chosen.id], "reasons": {chosen.id: "It changed us"}}},
        )  # fmt: skip
        services.run_complete(workspace=workspace, run=org_run, user=sam)

        [link] = selectors.chain_for(workspace=workspace, run=tax_run, user=jo)
        assert link.run == org_run
        assert link.chosen == ((chosen.id, "Mrs D opened her post.", "It changed us"),)
        [other] = selectors.chain_for(workspace=workspace, run=housing_run, user=dev)
        assert other.chosen == link.chosen  # Dev's team sees what was chosen instead, and why
        assert selectors.chain_for(workspace=workspace, run=tax_run, user=olu) == []
        for run in (tax_run, housing_run, org_run):
            assert not selectors.may_see_run(workspace=workspace, run=run, user=olu)
        assert not selectors.may_see_run(workspace=workspace, run=tax_run, user=dev)
