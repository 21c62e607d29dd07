"""`entry.shared` is decided by the cycles' service from the entry's effective level (its
visibility capped by its person's consent): the webhook core only delivers it."""

from cycles.services import entry_create, entry_update
from hls.tenancy.context import tenant_scope
from hls.webhooks.models import WebhookDelivery
from systems.models import ShareLevel
from tests.bypass import all_workspaces
from tests.factories import CycleFactory, EntryFactory, PersonFactory


def _shared_events():
    with all_workspaces("test"):
        return list(WebhookDelivery.objects.filter(event="entry.shared").order_by("pk"))


def test_an_entry_the_cycles_above_could_not_see_becomes_shared_once(workspace, member, subscribe):
    """Shared upward, then its person's consent narrowed: the cycles above no longer see it,
    whatever its visibility. An edit that makes it about someone who agreed to share it that far
    makes it seen above again: one event, and none for widening it further."""
    subscribe("https://partner.example.test/hook", ["entry.shared"])
    with tenant_scope(workspace_id=workspace.pk):
        narrowed = PersonFactory(
            workspace=workspace, consent_level=ShareLevel.SHARED_UPWARD, created_by=member.user
        )
        willing = PersonFactory(
            workspace=workspace, consent_level=ShareLevel.WORKSPACE, created_by=member.user
        )
        entry = EntryFactory(
            workspace=workspace,
            author=member.user,
            kind="story",
            visibility=ShareLevel.SHARED_UPWARD,
            person=narrowed,
        )
        narrowed.consent_level = ShareLevel.CYCLE
        narrowed.save(update_fields=["consent_level"])
        entry.refresh_from_db()
        assert entry.visibility == ShareLevel.SHARED_UPWARD
        assert entry.effective_level == ShareLevel.CYCLE
        assert not entry.is_shared_upward
        args = dict(
            workspace=workspace, entry=entry, editor=member.user, kind="story",
            phase="understand", text=entry.text, person=willing,
        )  # fmt: skip
        entry_update(**args, visibility=ShareLevel.SHARED_UPWARD)
        entry_update(**args, visibility=ShareLevel.WORKSPACE)  # already seen above
    (event,) = _shared_events()
    assert event.payload["data"]["id"] == entry.pk
    assert event.payload["data"]["visibility"] == ShareLevel.SHARED_UPWARD


def test_an_edit_that_keeps_an_entry_below_sends_nothing(workspace, member, subscribe):
    subscribe("https://partner.example.test/hook", ["entry.shared"])
    with tenant_scope(workspace_id=workspace.pk):
        person = PersonFactory(
            workspace=workspace, consent_level=ShareLevel.CYCLE, created_by=member.user
        )
        entry = EntryFactory(
            workspace=workspace,
            author=member.user,
            kind="story",
            visibility=ShareLevel.TEAM,
            person=person,
        )
        entry_update(
            workspace=workspace, entry=entry, editor=member.user, kind="story",
            phase="understand", text="Edited.", person=person, visibility=ShareLevel.CYCLE,
        )  # fmt: skip
        entry.refresh_from_db()
        assert entry.visibility == ShareLevel.CYCLE
    assert _shared_events() == []


def test_a_new_entry_shared_upward_at_once_sends_one_event(workspace, member, subscribe):
    """A new entry may start shared upward (no steps on the way): the cycles above see it from
    its first save, so partners hear of it then; one about someone who agreed to less does not
    travel, and sends nothing."""
    subscribe("https://partner.example.test/hook", ["entry.shared"])
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        shy = PersonFactory(
            workspace=workspace, consent_level=ShareLevel.CYCLE, created_by=member.user
        )
        common = dict(workspace=workspace, author=member.user, cycle=cycle, kind="story")
        shared = entry_create(**common, text="Seen above.", visibility=ShareLevel.SHARED_UPWARD)
        entry_create(**common, text="About Shy.", person=shy, visibility=ShareLevel.CYCLE)
        entry_create(**common, text="The team only.", visibility=ShareLevel.TEAM)
    (event,) = _shared_events()
    assert event.payload["data"]["id"] == shared.pk
    assert event.payload["data"]["visibility"] == ShareLevel.SHARED_UPWARD
