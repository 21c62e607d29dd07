"""What each role may do in the links area, written out by hand. Each role's user takes part in
the cycle (links and lineage also need that: see cycles/links/selectors.py)."""

import pytest

from cycles.models import ContextQuestion, CycleLink, EntrySource, Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import (
    CycleLinkFactory,
    CycleMemberFactory,
    EntryFactory,
    EntrySourceFactory,
    ExperimentFactory,
)
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                  admin  steward manager practitioner learning_partner viewer
EXPECTED = {
    ("cycle-links", "GET"): (200, 200, 200, 200, 200, 200),
    ("cycle-link-add", "POST"): (302, 302, 302, 302, 403, 403),
    ("cycle-link-end", "GET"): (200, 200, 200, 200, 403, 403),
    ("cycle-link-end", "POST"): (302, 302, 302, 302, 403, 403),
    ("cycle-ask-peer", "GET"): (200, 200, 200, 200, 200, 403),
    ("cycle-ask-peer", "POST"): (302, 302, 302, 302, 302, 403),
    ("cycle-copy-design", "GET"): (200, 200, 200, 200, 403, 403),
    ("cycle-copy-design", "POST"): (302, 302, 302, 302, 403, 403),
    ("experiment-adapt", "GET"): (200, 200, 200, 200, 403, 403),
    ("experiment-adapt", "POST"): (302, 302, 302, 302, 403, 403),
    ("entry-lineage", "GET"): (200, 200, 200, 200, 200, 200),
    ("entry-source-add", "POST"): (302, 302, 302, 302, 403, 403),
    ("entry-source-remove", "POST"): (302, 302, 302, 302, 403, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_links_view() -> None:
    assert list(Role.values) == ROLES
    assert {view for view, _m in EXPECTED} == {u.name for u in workspace_urls("cycles.links.")}


def _effect(view, world, objs) -> bool:
    if view == "cycle-link-add":
        return CycleLink.objects.filter(cycle=world.north_cycle, other=world.sub_cycle).exists()
    if view == "cycle-link-end":
        return CycleLink.objects.filter(pk=objs["link"].pk, ended_at__isnull=False).exists()
    if view == "cycle-ask-peer":
        return ContextQuestion.objects.exists()
    if view in ("cycle-copy-design", "experiment-adapt"):
        return Experiment.objects.filter(cycle=world.north_cycle).exists()
    if view == "entry-source-add":
        return EntrySource.objects.filter(source_entry=objs["story"]).exists()
    if view == "entry-source-remove":
        return not EntrySource.objects.filter(pk=objs["source"].pk).exists()
    return False


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_table(world, make_member, view, method, role, expected):
    ws = world.workspace
    member = make_member(ws, role, email=f"role-{role}@riverside.test")
    with tenant_scope(workspace_id=ws.pk):
        CycleMemberFactory(workspace=ws, cycle=world.north_cycle, user=member.user)
        link = CycleLinkFactory(workspace=ws, cycle=world.north_cycle, other=world.south_cycle)
        finished = ExperimentFactory(workspace=ws, cycle=world.south_cycle, status="ended")
        insight = EntryFactory(
            workspace=ws, cycle=world.north_cycle, kind="insight", visibility=ShareLevel.WORKSPACE
        )
        story = EntryFactory(workspace=ws, cycle=world.sub_cycle, visibility=ShareLevel.WORKSPACE)
        source = EntrySourceFactory(workspace=ws, entry=insight)
    objs = {"link": link, "story": story, "source": source}
    base = f"/w/{ws.slug}/"
    cycle = world.north_cycle.pk
    url, data = {
        "cycle-links": (f"cycles/{cycle}/links/", {}),
        "cycle-link-add": (
            f"cycles/{cycle}/links/add/",
            {"kind": "peer", "other": world.sub_cycle.pk, "reason": "Same families"},
        ),
        "cycle-link-end": (f"cycle-links/{link.pk}/end/", {"reason": "Done"}),
        "cycle-ask-peer": (
            f"cycles/{cycle}/ask-peer/?experiment={finished.pk}",
            {"experiment": finished.pk, "text": "How?"},
        ),
        "cycle-copy-design": (f"cycles/{cycle}/copy-design/", {"experiment": finished.pk}),
        "experiment-adapt": (f"experiments/{finished.pk}/adapt/", {"cycle": cycle}),
        "entry-lineage": (f"entries/{insight.pk}/lineage/", {}),
        "entry-source-add": (f"entries/{insight.pk}/lineage/add/", {"source_entry": story.pk}),
        "entry-source-remove": (f"entry-sources/{source.pk}/remove/", {}),
    }[view]
    client = signed_in(member)
    response = client.get(base + url) if method == "GET" else client.post(base + url, data)
    assert response.status_code == expected
    if method == "POST":
        with tenant_scope(workspace_id=ws.pk):
            assert _effect(view, world, objs) == (expected == 302)
