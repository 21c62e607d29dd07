"""Who sees a measure, for every level, with and without a person's consent narrowing it, and
for every relation of the viewer to its cycle (the relation matrix of cycles.trust): through
the selector, the cycle's measures page and the measure's own page. A person's own cycle keeps
its measures and own terms with those who work with the person. The cycle above learns which
measures below show a signal, in words, with the cycle's note, and never a value."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cycles.measures.selectors import measures_visible_to, signals_from_below
from cycles.trust import Relation
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleLinkFactory,
    CycleMemberFactory,
    DataPointFactory,
    MeasureFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
    WhatMattersFactory,
    WhatMattersRatingFactory,
)

NAME = "Kestrel visits to the allotment"

# The narrowest effective level at which each relation sees a measure's values (None: never,
# unless they made it). Shared upward lets the cycles above learn of its signals only.
SEES_FROM = {
    Relation.AUTHOR: ShareLevel.PRIVATE,
    Relation.SAME_CYCLE: ShareLevel.TEAM,  # in the cycle's team
    "cycle member": ShareLevel.CYCLE,  # taking part in the cycle, not in its team
    Relation.ABOVE: ShareLevel.WORKSPACE,
    Relation.FURTHER_ABOVE: ShareLevel.WORKSPACE,
    Relation.PEER: ShareLevel.WORKSPACE,
    Relation.WORKSPACE: ShareLevel.WORKSPACE,
    Relation.ADMIN: ShareLevel.WORKSPACE,
}


@pytest.fixture
def rel(workspace, make_member):
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="Team")
        person_scale = ScaleFactory(workspace=workspace, name="Person", is_person_scale=True)
        place = SystemFactory(workspace=workspace, name="Northmoor", scale=scale)
        org = SystemFactory(workspace=workspace, name="Council", scale=scale, parent=place)
        team = SystemFactory(workspace=workspace, name="Team A", scale=scale, parent=org)
        peer_team = SystemFactory(workspace=workspace, name="Team B", scale=scale, parent=org)
        life = SystemFactory(workspace=workspace, name="Maya's life", scale=person_scale,
                             parent=team)  # fmt: skip
        cycles = {
            key: CycleFactory(workspace=workspace, system=system, name=name)
            for key, system, name in [
                ("place", place, "Place cycle"), ("org", org, "Council cycle"),
                ("team", team, "Team A cycle"), ("peer", peer_team, "Team B cycle"),
                ("life", life, "Maya's cycle"),
            ]
        }  # fmt: skip
        CycleLinkFactory(
            workspace=workspace, cycle=cycles["team"], other=cycles["peer"], kind="peer"
        )

    def member(email, role=Role.PRACTITIONER, cycle=None, system=None):
        m = make_member(workspace, role, email=f"{email}@riverside.test")
        with tenant_scope(workspace_id=workspace.pk):
            if cycle:
                CycleMemberFactory(workspace=workspace, cycle=cycles[cycle], user=m.user)
            if system:
                SystemMemberFactory(workspace=workspace, system=system, user=m.user)
        return m

    viewers = {
        Relation.AUTHOR: member("author", cycle="team"),
        Relation.SAME_CYCLE: member("same", system=team),
        "cycle member": member("cyclemember", cycle="team"),
        Relation.ABOVE: member("above", Role.MANAGER, cycle="org"),
        Relation.FURTHER_ABOVE: member("further", Role.MANAGER, cycle="place"),
        Relation.PEER: member("peer", cycle="peer"),
        Relation.WORKSPACE: member("elsewhere"),
        Relation.ADMIN: member("admin", Role.ADMIN),
    }
    keyworker = member("keyworker", cycle="life")
    with tenant_scope(workspace_id=workspace.pk):
        person = PersonFactory(workspace=workspace, system=life, consent_level=ShareLevel.WORKSPACE)
    return SimpleNamespace(
        workspace=workspace, cycles=cycles, viewers=viewers, keyworker=keyworker, person=person,
        life=life,
    )  # fmt: skip


CASES = [
    pytest.param(level, consent, relation, id=f"{level.name}-{consent}-{relation}")
    for level in ShareLevel
    for consent in ("no-person", "consent-lower")
    for relation in SEES_FROM
]


@pytest.mark.parametrize(("level", "consent", "relation"), CASES)
def test_who_sees_which_measure(rel, level, consent, relation) -> None:
    workspace = rel.workspace
    author = rel.viewers[Relation.AUTHOR]
    with tenant_scope(workspace_id=workspace.pk):
        person = None
        if consent == "consent-lower":
            person = PersonFactory(workspace=workspace, consent_level=max(level - 1, 0))
        measure = MeasureFactory(
            workspace=workspace, cycle=rel.cycles["team"], name=NAME, visibility=level,
            person=person, created_by=author.user,
        )  # fmt: skip
        DataPointFactory(workspace=workspace, measure=measure, value=4817)
    effective = level if person is None else max(level - 1, 0)
    should = relation == Relation.AUTHOR or effective >= SEES_FROM[relation]
    viewer = rel.viewers[relation]
    with tenant_scope(workspace_id=workspace.pk):
        seen = measures_visible_to(workspace=workspace, user=viewer.user)
        assert seen.filter(pk=measure.pk).exists() is should
    client = signed_in(viewer)
    listing = client.get(f"/w/riverside/cycles/{rel.cycles['team'].pk}/measures/")
    assert listing.status_code == 200
    assert (NAME in listing.content.decode()) is should
    page = client.get(f"/w/riverside/measures/{measure.pk}/")
    assert page.status_code == (200 if should else 404)
    assert (b"4817" in page.content) is should


@pytest.mark.parametrize("level", list(ShareLevel))
@pytest.mark.parametrize("relation", list(SEES_FROM))
def test_a_persons_own_cycle_keeps_its_measures_and_own_terms_with_those_who_work_with_them(
    rel, level, relation
) -> None:
    workspace = rel.workspace
    with tenant_scope(workspace_id=workspace.pk):
        measure = MeasureFactory(
            workspace=workspace, cycle=rel.cycles["life"], name=NAME, visibility=level
        )
        item = WhatMattersFactory(
            workspace=workspace, cycle=rel.cycles["life"], person=rel.person, words="Sleep"
        )
        WhatMattersRatingFactory(workspace=workspace, item=item, value=7)
    for who, inside in ((rel.viewers[relation], False), (rel.keyworker, True)):
        client = signed_in(who)
        page = client.get(f"/w/riverside/measures/{measure.pk}/")
        assert page.status_code == (200 if inside and level >= ShareLevel.CYCLE else 404)
        terms = client.get(f"/w/riverside/cycles/{rel.cycles['life'].pk}/what-matters/")
        assert terms.status_code == (200 if inside else 404)


def _shift(workspace, measure) -> None:
    """22 values: 11 low, then 11 high: a long run and few crossings, reaching the newest."""
    start = timezone.localdate() - dt.timedelta(days=40)
    for i in range(22):
        value = (4817 if i < 11 else 9323) + i % 2
        DataPointFactory(
            workspace=workspace, measure=measure, on=start + dt.timedelta(days=i), value=value
        )


def test_the_cycle_above_sees_the_signal_in_words_never_a_value(rel) -> None:
    workspace = rel.workspace
    author = rel.viewers[Relation.AUTHOR]
    with tenant_scope(workspace_id=workspace.pk):
        shared = MeasureFactory(
            workspace=workspace, cycle=rel.cycles["team"], name="Days to a first visit",
            visibility=ShareLevel.SHARED_UPWARD, created_by=author.user,
            signal_note="Since the open door hour, people come back sooner.",
        )  # fmt: skip
        _shift(workspace, shared)
        kept = MeasureFactory(
            workspace=workspace, cycle=rel.cycles["team"], name="Calls we could not return",
            visibility=ShareLevel.CYCLE,
        )  # fmt: skip
        _shift(workspace, kept)
        life = MeasureFactory(
            workspace=workspace, cycle=rel.cycles["life"], name="Rent owed",
            visibility=ShareLevel.WORKSPACE,
        )  # fmt: skip
        _shift(workspace, life)
        quiet = MeasureFactory(
            workspace=workspace, cycle=rel.cycles["peer"], name="Letters sent",
            visibility=ShareLevel.SHARED_UPWARD,
        )  # fmt: skip
        for i in range(12):  # random-looking: no signal
            DataPointFactory(workspace=workspace, measure=quiet, value=[3, 7][i % 2])

    for relation, cycle in ((Relation.ABOVE, "org"), (Relation.FURTHER_ABOVE, "place")):
        viewer = rel.viewers[relation]
        html = signed_in(viewer).get(f"/w/riverside/cycles/{rel.cycles[cycle].pk}/measures/")
        text = html.content.decode()
        assert "Signals from the cycles below" in text
        assert "Days to a first visit" in text
        assert "Since the open door hour, people come back sooner." in text
        assert "A shift: an unusually long run of points on one side of the median" in text
        assert "Calls we could not return" not in text  # the cycle's only
        assert "Rent owed" not in text  # a person's own cycle: never
        assert "Letters sent" not in text  # no signal
        section = text[text.index('id="signals-from-below"') :]
        assert not re.search(r"4817|4818|9323|9324|7070", section), "a value travelled up"
        # and the measure's own page, with its values, is not theirs to open
        assert signed_in(viewer).get(f"/w/riverside/measures/{shared.pk}/").status_code == 404

    with tenant_scope(workspace_id=workspace.pk):
        for relation in (Relation.PEER, Relation.WORKSPACE, Relation.ADMIN):
            found = signals_from_below(
                workspace=workspace, user=rel.viewers[relation].user, cycle=rel.cycles["org"]
            )
            assert found == [], relation
