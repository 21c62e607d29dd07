"""The healthy-system reflection's page shows the cycle's own picture over its runs, side by
side as spreads of unattributed counts: never an average, never a name that was not shared."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import selectors, services
from stewardship.methods.builtin import BUILTINS
from stewardship.methods.definition import parse
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory


@pytest.fixture
def place(workspace, make_member):
    ana = make_member(workspace, Role.STEWARD, email="ana@r.test", full_name="Ana Quist")
    ben = make_member(workspace, Role.MANAGER, email="ben@r.test", full_name="Ben Oduya")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="Our place")
        for m in (ana, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
    return ana, ben, cycle


def _round(workspace, ana, ben, cycle, values):
    step = parse(BUILTINS["healthy_system"].definition).steps[0]
    run = services.run_start(workspace=workspace, user=ana, cycle=cycle, builtin="healthy_system")
    people = (
        selectors.participant_for(workspace=workspace, run=run, user=ana),
        services.run_join(workspace=workspace, run=run, user=ben),
    )
    for who, value, words in zip(
        people, values, ("Ana's own words", "Ben's own words"), strict=True
    ):
        data = {f.key: {"value": value} if f.type == "scale" else words for f in step.fields}
        services.answer_save(
            workspace=workspace, run=run, participant=who, step_key=step.key, data=data
        )
    return services.run_reveal(workspace=workspace, run=run, user=ana, step_key=step.key)


def test_the_picture_over_time_is_spreads_side_by_side(workspace, place):
    ana, ben, cycle = place
    with tenant_scope(workspace_id=workspace.pk):
        _round(workspace, ana.user, ben.user, cycle, (1, 4))
        run = _round(workspace, ana.user, ben.user, cycle, (3, 4))
    page = signed_in(ana).get(f"/w/riverside/runs/{run.pk}/").content.decode()
    picture = page[page.index("How our own picture changed") :]
    assert picture.count("2 answered") == 2
    assert "Shared purpose" in picture or "shared purpose" in picture.lower()
    assert "Ana&#x27;s own words" in page  # her own, shown to her
    assert "Ben&#x27;s own words" not in page  # Ben shared nothing
    assert (
        "Ana&#x27;s own words"
        not in signed_in(ben).get(f"/w/riverside/runs/{run.pk}/").content.decode()
    )
    assert "average" not in picture.lower().replace("never an average", "")
