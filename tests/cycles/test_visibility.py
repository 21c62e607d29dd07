"""THE privacy test of issue 3: who sees which entry, for every visibility level, every kind of
viewer and with or without a person's consent limiting it; through the selector, the timeline
page and search alike."""

import pytest

from cycles.selectors import entries_visible_to
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import EntryFactory, PersonFactory

WORD = "kestrelsighting"
TEXT = f"Mrs B told us about the {WORD} from her window, which keeps her going."

# The least effective level at which each viewer sees an entry (None: never, except as author).
SEES_FROM = {
    "author": ShareLevel.PRIVATE,
    "team": ShareLevel.TEAM,
    "cycle_member": ShareLevel.CYCLE,
    "manager": ShareLevel.SHARED_UPWARD,
    "other": ShareLevel.WORKSPACE,
    "outsider": None,
}

CASES = [
    pytest.param(level, consent, viewer, id=f"{level.name}-{consent}-{viewer}")
    for level in ShareLevel
    for consent in ("no-person", "consent-lower")
    for viewer in SEES_FROM
]


def expected(level: int, consent: str, viewer: str) -> bool:
    effective = level if consent == "no-person" else max(level - 1, ShareLevel.PRIVATE)
    threshold = SEES_FROM[viewer]
    return threshold is not None and effective >= threshold


@pytest.mark.parametrize(("level", "consent", "viewer"), CASES)
def test_who_sees_which_entry(world, level, consent, viewer) -> None:
    workspace = world.workspace
    with tenant_scope(workspace_id=workspace.pk):
        person = None
        if consent == "consent-lower":
            person = PersonFactory(
                workspace=workspace,
                system=world.system,
                consent_level=max(level - 1, ShareLevel.PRIVATE),
            )
        entry = EntryFactory(
            workspace=workspace,
            cycle=world.cycle,
            author=world.author.user,
            visibility=level,
            person=person,
            text=TEXT,
        )
    membership = getattr(world, viewer)
    should_see = expected(level, consent, viewer)

    # 1. the selector
    scope = world.other_workspace if viewer == "outsider" else workspace
    with tenant_scope(workspace_id=scope.pk):
        visible = entries_visible_to(workspace=scope, user=membership.user)
        assert visible.filter(pk=entry.pk).exists() is should_see

    client = signed_in(membership)
    # 2. the timeline page
    timeline = client.get(f"/w/riverside/cycles/{world.cycle.pk}/timeline/")
    assert (WORD.encode() in timeline.content) is should_see
    assert timeline.status_code == (404 if viewer == "outsider" else 200)
    # 3. search
    found = client.get("/w/riverside/search/", {"q": WORD})
    assert (f"<mark>{WORD}</mark>".encode() in found.content) is should_see
    assert (f"#entry-{entry.pk}".encode() in found.content) is should_see
    # and the entry's own pages
    history = client.get(f"/w/riverside/entries/{entry.pk}/history/")
    assert history.status_code == (200 if should_see else 404)


def test_the_table_is_not_vacuous() -> None:
    """Each viewer but the outsider sees something, and no one but the author sees everything."""
    for viewer in SEES_FROM:
        seen = [
            expected(lv, c, viewer) for lv in ShareLevel for c in ("no-person", "consent-lower")
        ]
        assert any(seen) is (viewer != "outsider")
        assert all(seen) is (viewer == "author")


def test_deleted_entries_are_seen_by_no_one(world) -> None:
    from django.utils import timezone

    with tenant_scope(workspace_id=world.workspace.pk):
        entry = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            visibility=ShareLevel.WORKSPACE,
            text=TEXT,
            deleted_at=timezone.now(),
        )
        assert not entries_visible_to(workspace=world.workspace, user=world.author.user).filter(
            pk=entry.pk
        )
        EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            visibility=ShareLevel.WORKSPACE,
            text="The same day, still here: a merlinsighting.",
        )
    page = signed_in(world.author).get(f"/w/riverside/cycles/{world.cycle.pk}/timeline/")
    assert page.status_code == 200
    assert b"merlinsighting" in page.content  # the timeline shows its live entries...
    assert WORD.encode() not in page.content  # ...and not the deleted one
