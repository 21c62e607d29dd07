"""Writes for self-signification: sets keep every version, an edit never moves a placed story
(it keeps its version), only those inside a cycle attach a set, only a story's author places
it, and a stale save is a conflict, not a lost update."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cycles.models import Entry, Placement, SignifierSetVersion
from cycles.signifiers import selectors, services
from hls.conflicts import EditConflict
from hls.tenancy.context import tenant_scope
from tests.factories import CycleMemberFactory, EntryFactory, PersonFactory
from tests.signifiers.helpers import DYAD_FELT, FULL_SET, PLACED, TRIAD, TRIAD_SET, attach

pytestmark = pytest.mark.django_db


def test_a_new_set_is_version_1_kept_and_its_definition_cleaned(world) -> None:
    ws, user = world.workspace, world.team.user
    with tenant_scope(workspace_id=ws.pk):
        messy = {"signifiers": [{**TRIAD, "prompt": "  What helped most?  "}]}
        created = services.signifier_set_create(
            workspace=ws, user=user, name="  What helped  ", definition=messy
        )
        assert (created.name, created.version) == ("What helped", 1)
        assert created.definition == TRIAD_SET
        kept = SignifierSetVersion.objects.get(signifier_set=created)
        assert (kept.version, kept.definition, kept.edited_by) == (1, TRIAD_SET, user)


def test_a_bad_set_is_refused_by_field_and_nothing_is_written(world) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk), pytest.raises(ValidationError) as caught:
        services.signifier_set_create(
            workspace=ws, user=world.team.user, name="", definition={"signifiers": [{"key": "x"}]}
        )
    assert set(caught.value.message_dict) == {"name", "definition"}
    assert caught.value.message_dict["definition"][0].startswith("Signifier 1 ('x')")
    with tenant_scope(workspace_id=ws.pk):
        assert not SignifierSetVersion.objects.exists()


def test_editing_a_set_while_stories_use_it_keeps_their_version(world) -> None:
    ws, author = world.workspace, world.author.user
    with tenant_scope(workspace_id=ws.pk):
        CycleMemberFactory(workspace=ws, cycle=world.cycle, user=author)
        signifier_set = attach(ws, world.cycle, author)
        story = EntryFactory(workspace=ws, cycle=world.cycle, author=author, kind="story")
        placed = services.placement_save(workspace=ws, entry=story, user=author, data=PLACED)
        assert placed.version.version == 1

        changed = {"signifiers": [*FULL_SET["signifiers"][:1], DYAD_FELT]}
        saved = services.signifier_set_update(
            workspace=ws, signifier_set=signifier_set, user=author, name="What helped",
            definition=changed, revision=signifier_set.revision,
        )  # fmt: skip
        assert saved.version == 2
        assert list(
            selectors.versions_of(workspace=ws, signifier_set=saved).values_list(
                "version", flat=True
            )
        ) == [2, 1]
        placed.refresh_from_db()
        assert placed.version.version == 1
        assert placed.data == PLACED
        assert selectors.placed_by_version(workspace=ws, signifier_set=saved) == {1: 1}

        # placing it again keeps its version; a new story takes the current one
        again = services.placement_save(
            workspace=ws, entry=story, user=author, data={**PLACED, "felt": "na"},
            revision=placed.revision,
        )  # fmt: skip
        assert (again.version.version, again.data["felt"]) == (1, "na")
        new = EntryFactory(workspace=ws, cycle=world.cycle, author=author, kind="story")
        fresh = services.placement_save(
            workspace=ws, entry=new, user=author, data={"helped": "na", "felt": {"x": 0.5}}
        )
        assert fresh.version.version == 2


def test_a_name_change_alone_is_no_new_version_and_a_stale_edit_is_a_conflict(world) -> None:
    ws, user = world.workspace, world.team.user
    with tenant_scope(workspace_id=ws.pk):
        s = services.signifier_set_create(workspace=ws, user=user, name="A", definition=TRIAD_SET)
        saved = services.signifier_set_update(
            workspace=ws, signifier_set=s, user=user, name="B", definition=TRIAD_SET, revision=1
        )
        assert (saved.version, saved.revision) == (1, 2)
        with pytest.raises(EditConflict):
            services.signifier_set_update(
                workspace=ws, signifier_set=s, user=user, name="C", definition=FULL_SET,
                revision=1,
            )  # fmt: skip


def test_only_those_inside_a_cycle_attach_a_set(world) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        s = services.signifier_set_create(
            workspace=ws, user=world.admin.user, name="A", definition=TRIAD_SET
        )
        for outside in (world.admin, world.manager, world.other):
            with pytest.raises(PermissionDenied):
                services.cycle_signifiers_attach(
                    workspace=ws, cycle=world.cycle, user=outside.user, signifier_set=s
                )
        attached = services.cycle_signifiers_attach(
            workspace=ws, cycle=world.cycle, user=world.team.user, signifier_set=s
        )
        assert attached.signifier_set == s
        services.signifier_set_set_archived(workspace=ws, signifier_set=s, archived=True)
        with pytest.raises(ValidationError):
            services.cycle_signifiers_attach(
                workspace=ws, cycle=world.cycle, user=world.team.user, signifier_set=s
            )
        with pytest.raises(PermissionDenied):
            services.cycle_signifiers_detach(workspace=ws, cycle=world.cycle, user=world.other.user)
        services.cycle_signifiers_detach(workspace=ws, cycle=world.cycle, user=world.team.user)
        assert selectors.attached_to(workspace=ws, cycle_id=world.cycle.pk) is None


def test_only_the_storyteller_places_their_story(world) -> None:
    ws, author = world.workspace, world.team.user
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, author)
        story = EntryFactory(workspace=ws, cycle=world.cycle, author=author, kind="story")
        for someone in (world.admin, world.manager, world.cycle_member):
            with pytest.raises(PermissionDenied):
                services.placement_save(workspace=ws, entry=story, user=someone.user, data=PLACED)
        note = EntryFactory(workspace=ws, cycle=world.cycle, author=author, kind="observation")
        with pytest.raises(ValidationError, match="Only stories"):
            services.placement_save(workspace=ws, entry=note, user=author, data=PLACED)
        elsewhere = EntryFactory(workspace=ws, cycle=world.upper, author=author, kind="story")
        with pytest.raises(ValidationError, match="no signifiers"):
            services.placement_save(workspace=ws, entry=elsewhere, user=author, data=PLACED)
        assert not Placement.objects.exists()


def test_a_placement_outside_the_triangle_is_refused_beside_its_signifier(world) -> None:
    ws, author = world.workspace, world.team.user
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, author)
        story = EntryFactory(workspace=ws, cycle=world.cycle, author=author, kind="story")
        with pytest.raises(ValidationError) as caught:
            services.placement_save(
                workspace=ws, entry=story, user=author,
                data={**PLACED, "helped": {"a": 0.7, "b": 0.3, "c": 0.2}, "felt": {"x": 2}},
            )  # fmt: skip
        assert set(caught.value.message_dict) == {"helped", "felt"}
        assert "outside the triangle" in caught.value.message_dict["helped"][0]
        assert not Placement.objects.exists()


def test_with_the_person_only_when_the_story_is_about_someone(world) -> None:
    ws, author = world.workspace, world.team.user
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, author)
        story = EntryFactory(workspace=ws, cycle=world.cycle, author=author, kind="story")
        with pytest.raises(ValidationError) as caught:
            services.placement_save(
                workspace=ws, entry=story, user=author, data=PLACED, with_person=True
            )
        assert "with_person" in caught.value.message_dict
        person = PersonFactory(workspace=ws, system=world.system)
        about = EntryFactory(
            workspace=ws, cycle=world.cycle, author=author, kind="story", person=person
        )
        placed = services.placement_save(
            workspace=ws, entry=about, user=author, data=PLACED, with_person=True
        )
        assert placed.with_person is True
        with pytest.raises(EditConflict):
            services.placement_save(
                workspace=ws, entry=about, user=author, data=PLACED, revision=placed.revision + 5
            )
        services.placement_remove(workspace=ws, entry=about, user=author)
        assert Entry.objects.filter(pk=about.pk).exists()
        assert not Placement.objects.filter(entry=about).exists()
