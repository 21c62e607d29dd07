"""Services and selectors of the cycles area, called directly."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cycles import selectors, services
from cycles.models import Cycle, Entry, EntryDraft, EntryRevision, PhaseShift
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import (
    EntryFactory,
    ExperimentFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
)


@pytest.fixture
def scoped(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        yield world


def _entry(w, **kwargs) -> Entry:
    values = {"kind": "story", "text": "She wants to stay near her sister."}
    values.update(kwargs)
    return services.entry_create(
        workspace=w.workspace, author=w.author.user, cycle=w.cycle, **values
    )


def test_cycle_create_needs_a_purpose_and_adds_the_creator(scoped) -> None:
    w = scoped
    with pytest.raises(ValidationError) as error:
        services.cycle_create(
            workspace=w.workspace, created_by=w.author.user, system=w.system, name="X", purpose=" "
        )
    assert "purpose" in error.value.message_dict
    cycle = services.cycle_create(
        workspace=w.workspace,
        created_by=w.author.user,
        system=w.system,
        name="Mrs B's life",
        purpose="Help her live well at home.",
        phase="co_design",
    )
    assert cycle.phase == "co_design"
    assert list(cycle.members.all()) == [w.author.user]


def test_phase_moves_any_direction_and_are_logged_with_why(scoped) -> None:
    w = scoped
    with pytest.raises(ValidationError) as error:
        services.cycle_shift_phase(
            workspace=w.workspace,
            cycle=w.cycle,
            to_phase="embed",
            reason="",
            shifted_by=w.team.user,
        )
    assert "reason" in error.value.message_dict
    services.cycle_shift_phase(
        workspace=w.workspace,
        cycle=w.cycle,
        to_phase="embed",
        reason="It worked",
        shifted_by=w.team.user,
    )
    services.cycle_shift_phase(
        workspace=w.workspace,
        cycle=w.cycle,
        to_phase="understand",
        reason="We missed something",
        shifted_by=w.cycle_member.user,
    )
    w.cycle.refresh_from_db()
    assert w.cycle.phase == "understand"
    log = list(
        PhaseShift.objects.filter(cycle=w.cycle).values_list("from_phase", "to_phase", "reason")
    )
    assert log == [
        ("embed", "understand", "We missed something"),
        ("understand", "embed", "It worked"),
    ]


@pytest.mark.parametrize("who", ["manager", "other", "author"])
def test_only_those_inside_move_the_phase_or_change_the_cycle(scoped, who) -> None:
    """The manager above, a practitioner elsewhere and someone who only logged there (not in
    the cycle or its team) neither move the phase nor change the cycle."""
    w = scoped
    user = getattr(w, who).user
    with pytest.raises(PermissionDenied):
        services.cycle_shift_phase(
            workspace=w.workspace, cycle=w.cycle, to_phase="embed", reason="Now", shifted_by=user
        )
    with pytest.raises(PermissionDenied):
        services.cycle_update(
            workspace=w.workspace,
            cycle=w.cycle,
            system=w.system,
            name="Renamed from above",
            purpose="x",
            learning_questions="",
            status="active",
            updated_by=user,
        )
    w.cycle.refresh_from_db()
    assert (w.cycle.phase, w.cycle.name) == ("understand", "North team cycle")
    assert not PhaseShift.objects.filter(cycle=w.cycle).exists()
    services.cycle_update(
        workspace=w.workspace,
        cycle=w.cycle,
        system=w.system,
        name="North team cycle",
        purpose="From inside",
        learning_questions="",
        status="active",
        updated_by=w.team.user,
    )


def test_members_are_changed_from_inside_or_by_an_admin(scoped, make_member) -> None:
    w = scoped
    with pytest.raises(PermissionDenied):
        services.cycle_member_add(
            workspace=w.workspace, cycle=w.cycle, user=w.other.user, by=w.manager.user
        )
    member = services.cycle_member_add(
        workspace=w.workspace, cycle=w.cycle, user=w.other.user, by=w.team.user
    )
    with pytest.raises(PermissionDenied):
        services.cycle_member_remove(workspace=w.workspace, member=member, by=w.author.user)
    services.cycle_member_remove(workspace=w.workspace, member=member, by=w.admin.user)
    assert not w.cycle.members.filter(pk=w.other.user.pk).exists()


def test_entry_defaults_to_private_and_the_cycles_phase(scoped) -> None:
    w = scoped
    w.cycle.phase = "experiment"
    w.cycle.save()
    entry = _entry(w)
    assert entry.visibility == ShareLevel.PRIVATE
    assert entry.phase == "experiment"


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "empty"), ("x" * 10_001, "10,000")],
    ids=["empty", "oversized"],
)
def test_entry_text_empty_or_oversized_is_refused(scoped, text, message) -> None:
    with pytest.raises(ValidationError) as error:
        _entry(scoped, text=text)
    assert message in error.value.message_dict["text"][0]
    assert not Entry.objects.exists()


@pytest.mark.parametrize("consent", list(ShareLevel), ids=lambda level: f"consent-{level.name}")
@pytest.mark.parametrize("level", list(ShareLevel), ids=lambda level: level.name)
def test_a_new_entry_starts_at_any_level_up_to_the_persons_consent(scoped, level, consent) -> None:
    """Nobody has seen a new entry yet, so the one-step rule (for widening what others saw) does
    not hold it back: any level up to the consent of the person it is about, in one go."""
    w = scoped
    person = PersonFactory(
        workspace=w.workspace, created_by=w.author.user, consent_level=consent, alias="Mrs B"
    )
    if level > consent:
        with pytest.raises(ValidationError) as error:
            _entry(w, person=person, visibility=level)
        assert list(error.value.message_dict) == ["visibility"]
        assert f"Mrs B has agreed to share as far as “{consent.label}” only" in str(error.value)
        assert not Entry.objects.exists()
        return
    entry = _entry(w, person=person, visibility=level)
    assert entry.visibility == level
    assert entry.effective_level == level
    assert not EntryRevision.objects.filter(entry=entry).exists()  # no steps on the way


@pytest.mark.parametrize("level", list(ShareLevel), ids=lambda level: level.name)
def test_a_new_entry_about_no_one_may_start_at_any_level(scoped, level) -> None:
    entry = _entry(scoped, visibility=level)
    assert (entry.visibility, entry.effective_level) == (level, level)
    assert entry in selectors.entries_visible_to(
        workspace=scoped.workspace, user=scoped.author.user
    )


def test_a_new_entry_at_an_unknown_level_is_refused(scoped) -> None:
    with pytest.raises(ValidationError) as error:
        _entry(scoped, visibility=ShareLevel.WORKSPACE + 1)
    assert "Choose who can see it" in error.value.message_dict["visibility"][0]
    assert not Entry.objects.exists()


def test_editing_widens_one_step_and_narrows_any_amount(scoped) -> None:
    w = scoped
    entry = _entry(w)
    common = {"kind": "story", "phase": "understand", "text": entry.text}
    for level in (ShareLevel.TEAM, ShareLevel.CYCLE, ShareLevel.SHARED_UPWARD):
        services.entry_update(
            workspace=w.workspace, entry=entry, editor=w.author.user, visibility=level, **common
        )
    with pytest.raises(ValidationError) as error:
        services.entry_update(
            workspace=w.workspace,
            entry=entry,
            editor=w.author.user,
            visibility=ShareLevel.SHARED_UPWARD + 2,
            **common,
        )
    assert "Choose who can see it" in error.value.message_dict["visibility"][0]
    shared = _entry(w, visibility=ShareLevel.TEAM)
    with pytest.raises(ValidationError) as error:  # others saw it: one step at a time
        services.entry_update(
            workspace=w.workspace,
            entry=shared,
            editor=w.author.user,
            visibility=ShareLevel.SHARED_UPWARD,
            **common,
        )
    assert "Widen one step at a time" in error.value.message_dict["visibility"][0]
    services.entry_update(
        workspace=w.workspace,
        entry=entry,
        editor=w.author.user,
        visibility=ShareLevel.PRIVATE,
        **common,
    )
    entry.refresh_from_db()
    assert entry.visibility == ShareLevel.PRIVATE


def test_never_wider_than_the_persons_consent(scoped) -> None:
    w = scoped
    person = PersonFactory(
        workspace=w.workspace, created_by=w.author.user, consent_level=0, alias="Mrs B"
    )
    with pytest.raises(ValidationError) as error:
        _entry(w, person=person, visibility=ShareLevel.TEAM)
    message = error.value.message_dict["visibility"][0]
    assert "Mrs B" in message
    assert "Private (only me)" in message
    assert _entry(w, person=person).person == person


def test_only_people_the_author_works_with(scoped) -> None:
    w = scoped
    stranger = PersonFactory(workspace=w.workspace, system=None)
    with pytest.raises(ValidationError) as error:
        _entry(w, person=stranger)
    assert "person" in error.value.message_dict


def test_editing_keeps_the_previous_version(scoped) -> None:
    w = scoped
    entry = _entry(w, text="First wording")
    services.entry_update(
        workspace=w.workspace,
        entry=entry,
        editor=w.author.user,
        kind="reflection",
        phase="understand",
        text="Second wording",
        visibility=ShareLevel.PRIVATE,
    )
    revision = EntryRevision.objects.get(entry=entry)
    assert (revision.text, revision.kind) == ("First wording", "story")
    assert Entry.objects.get(pk=entry.pk).text == "Second wording"


def test_only_the_author_edits_or_deletes(scoped) -> None:
    w = scoped
    entry = _entry(w)
    with pytest.raises(PermissionDenied):
        services.entry_delete(workspace=w.workspace, entry=entry, user=w.team.user)
    with pytest.raises(PermissionDenied):
        services.entry_update(
            workspace=w.workspace,
            entry=entry,
            editor=w.team.user,
            kind="story",
            phase="understand",
            text="hijack",
            visibility=0,
        )
    with pytest.raises(PermissionDenied):
        services.entry_restore(workspace=w.workspace, entry=entry, user=w.team.user)
    assert Entry.objects.get(pk=entry.pk).text != "hijack"


def test_soft_delete_and_undo(scoped) -> None:
    w = scoped
    entry = _entry(w)
    services.entry_delete(workspace=w.workspace, entry=entry, user=w.author.user)
    visible = selectors.entries_visible_to(workspace=w.workspace, user=w.author.user)
    assert not visible.filter(pk=entry.pk).exists()
    assert Entry.objects.filter(pk=entry.pk).exists()  # kept, for undo
    found = selectors.deleted_entry_of_author(
        workspace=w.workspace, user=w.author.user, entry_id=entry.pk
    )
    assert found == entry
    assert (
        selectors.deleted_entry_of_author(
            workspace=w.workspace, user=w.team.user, entry_id=entry.pk
        )
        is None
    )
    services.entry_restore(workspace=w.workspace, entry=found, user=w.author.user)
    assert visible.filter(pk=entry.pk).exists()


def test_themes_and_experiment_check_in(scoped) -> None:
    w = scoped
    theme = ThemeFactory(workspace=w.workspace, name="Housing")
    experiment = ExperimentFactory(workspace=w.workspace, cycle=w.cycle)
    entry = _entry(w, themes=[theme], experiment=experiment)
    assert list(entry.themes.all()) == [theme]
    assert entry.experiment == experiment
    other_cycle_experiment = ExperimentFactory(workspace=w.workspace)
    with pytest.raises(ValidationError) as error:
        _entry(w, experiment=other_cycle_experiment)
    assert "experiment" in error.value.message_dict


def test_drafts_save_restore_and_go_on_submit(scoped) -> None:
    w = scoped
    services.draft_save(
        workspace=w.workspace, author=w.author.user, key="capture", data={"text": "Half"}
    )
    services.draft_save(
        workspace=w.workspace, author=w.author.user, key="capture", data={"text": "Half a"}
    )
    draft = selectors.draft_for(workspace=w.workspace, user=w.author.user, key="capture")
    assert draft.data == {"text": "Half a"}
    assert selectors.draft_for(workspace=w.workspace, user=w.team.user, key="capture") is None
    with pytest.raises(ValidationError):
        services.draft_save(
            workspace=w.workspace, author=w.author.user, key="capture", data={"text": "x" * 40_000}
        )
    _entry(w, draft_key="capture")
    assert not EntryDraft.objects.filter(author=w.author.user).exists()


def test_phase_counts_are_of_what_the_viewer_may_see(scoped) -> None:
    w = scoped
    EntryFactory(workspace=w.workspace, cycle=w.cycle, author=w.author.user, phase="understand")
    EntryFactory(
        workspace=w.workspace,
        cycle=w.cycle,
        author=w.author.user,
        phase="embed",
        visibility=ShareLevel.TEAM,
    )
    assert selectors.phase_counts(workspace=w.workspace, user=w.author.user, cycle=w.cycle) == {
        "understand": 1,
        "co_design": 0,
        "experiment": 0,
        "embed": 1,
    }
    assert (
        selectors.phase_counts(workspace=w.workspace, user=w.team.user, cycle=w.cycle)["understand"]
        == 0
    )


def test_most_recent_cycle_is_where_the_user_last_logged(scoped) -> None:
    w = scoped
    other = Cycle.objects.create(workspace=w.workspace, system=w.system, name="Later", purpose="p")
    assert selectors.most_recent_cycle(workspace=w.workspace, user=w.author.user) is None
    EntryFactory(workspace=w.workspace, cycle=other, author=w.author.user)
    assert selectors.most_recent_cycle(workspace=w.workspace, user=w.author.user) == other


def test_cycle_members_come_from_the_workspace(scoped) -> None:
    w = scoped
    with pytest.raises(ValidationError):
        services.cycle_member_add(workspace=w.workspace, cycle=w.cycle, user=UserFactory())
    member = services.cycle_member_add(workspace=w.workspace, cycle=w.cycle, user=w.other.user)
    with pytest.raises(ValidationError):
        services.cycle_member_add(workspace=w.workspace, cycle=w.cycle, user=w.other.user)
    services.cycle_member_remove(workspace=w.workspace, member=member)
    assert not w.cycle.members.filter(pk=w.other.user.pk).exists()


def test_search_highlights_only_with_mark(scoped) -> None:
    w = scoped
    EntryFactory(
        workspace=w.workspace,
        cycle=w.cycle,
        author=w.author.user,
        text="<script>alert(1)</script> the <b>housing</b> letter & rent arrears",
    )
    results = selectors.search(workspace=w.workspace, user=w.author.user, q="housing")
    headline = results.entries[0].headline
    assert "<mark>housing</mark>" in headline
    assert "<script" not in headline
    assert "<b>" not in headline
    assert selectors.search(workspace=w.workspace, user=w.author.user, q="  ").count == 0
