"""Heads-up notes through their services: who may write, read and answer one (access.py), who
is told, and that nothing goes above the cycle."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cycles.models import CycleMember
from cycles.trust import trust_for
from hls.tenancy.context import tenant_scope
from stewardship.models import HeadsUp, Notification, StewardRole
from stewardship.partners import access, selectors, services

NOTE = "The team has not met for its reflection in a month; is something in the way?"


def _write(workspace, world, text=NOTE, by=None):
    with tenant_scope(workspace_id=workspace.pk):
        return services.heads_up_write(
            workspace=workspace, cycle=world.team_cycle, user=(by or world.lee).user, text=text
        )


def _readers(workspace, world, heads_up) -> set[str]:
    found = set()
    with tenant_scope(workspace_id=workspace.pk):
        for key in ("lee", "kim", "sol", "tam", "vic", "abe", "ada"):
            membership = getattr(world, key)
            trust = trust_for(workspace=workspace, user=membership.user)
            visible = access.heads_ups_visible_to(
                workspace=workspace, membership=membership, trust=trust
            )
            if visible.filter(pk=heads_up.pk).exists():
                found.add(key)
    return found


def _told(workspace) -> set[int]:
    with tenant_scope(workspace_id=workspace.pk):
        return set(Notification.objects.filter(kind="heads_up").values_list("user_id", flat=True))


def test_a_partner_writes_to_the_cycle_and_only_its_stewards_and_the_author_read_it(
    workspace, world
):
    heads_up = _write(workspace, world)
    assert heads_up.status == HeadsUp.Status.OPEN
    # Sol holds its steward role; Tam and Vic are inside. Kim (another partner), Abe (the cycle
    # above) and Ada (an admin from outside) never see it.
    assert _readers(workspace, world, heads_up) == {"lee", "sol", "tam", "vic"}
    # the named steward is told, in the app; nobody above
    assert _told(workspace) == {world.sol.user_id}


def test_a_cycle_with_no_named_steward_tells_those_inside_it_but_its_partners(workspace, world):
    with tenant_scope(workspace_id=workspace.pk):
        StewardRole.objects.all().delete()
    _write(workspace, world)
    assert _told(workspace) == {world.tam.user_id, world.vic.user_id}


def test_an_ended_steward_role_no_longer_reads_them(workspace, world):
    heads_up = _write(workspace, world)
    with tenant_scope(workspace_id=workspace.pk):
        StewardRole.objects.update(ended_at="2026-01-01T00:00Z")
    assert "sol" not in _readers(workspace, world, heads_up)


@pytest.mark.parametrize("key", ["tam", "sol", "abe", "ada"])
def test_only_a_partner_inside_the_cycle_writes_one(workspace, world, key):
    with pytest.raises(PermissionDenied):
        _write(workspace, world, by=getattr(world, key))


def test_a_partner_the_cycle_took_off_may_no_longer_write_but_keeps_its_notes(workspace, world):
    heads_up = _write(workspace, world)
    with tenant_scope(workspace_id=workspace.pk):
        CycleMember.objects.filter(user=world.lee.user).delete()
    with pytest.raises(PermissionDenied):
        _write(workspace, world)
    assert "lee" in _readers(workspace, world, heads_up)


def test_an_empty_note_is_refused_beside_its_field(workspace, world):
    with pytest.raises(ValidationError) as refused:
        _write(workspace, world, text="   ")
    assert refused.value.message_dict == {"text": ["Say what you noticed."]}


def _answer(workspace, heads_up, membership, text="We moved it to Thursdays; thank you."):
    with tenant_scope(workspace_id=workspace.pk):
        return services.heads_up_answer(
            workspace=workspace,
            heads_up=HeadsUp.objects.get(pk=heads_up.pk),
            user=membership.user,
            answer=text,
        )


@pytest.mark.parametrize("key", ["sol", "tam"])
def test_the_stewards_answer_and_the_author_is_told(workspace, world, key):
    heads_up = _write(workspace, world)
    answered = _answer(workspace, heads_up, getattr(world, key))
    assert answered.status == HeadsUp.Status.ANSWERED
    assert answered.answered_by == getattr(world, key).user
    assert answered.answer == "We moved it to Thursdays; thank you."
    with tenant_scope(workspace_id=workspace.pk):
        told = Notification.objects.get(kind="heads_up", user=world.lee.user)
    assert "answered your heads-up" in told.title
    assert "Thursdays" in told.body


@pytest.mark.parametrize("key", ["lee", "kim", "vic", "abe", "ada"])
def test_others_may_not_answer(workspace, world, key):
    heads_up = _write(workspace, world)
    with pytest.raises(PermissionDenied):
        _answer(workspace, heads_up, getattr(world, key))


def test_a_heads_up_is_answered_once(workspace, world):
    heads_up = _write(workspace, world)
    _answer(workspace, heads_up, world.sol)
    with pytest.raises(ValidationError) as refused:
        _answer(workspace, heads_up, world.tam, "Another answer")
    assert refused.value.message_dict == {
        "answer": ["Sol answered it meanwhile; their answer is kept."]
    }
    with tenant_scope(workspace_id=workspace.pk):
        assert HeadsUp.objects.get(pk=heads_up.pk).answer == "We moved it to Thursdays; thank you."


def test_a_heads_up_of_the_cycle_above_is_a_404_and_absent_from_its_lists(workspace, world):
    heads_up = _write(workspace, world)
    with tenant_scope(workspace_id=workspace.pk):
        trust = trust_for(workspace=workspace, user=world.abe.user)
        with pytest.raises(Http404):
            access.access_heads_up(
                workspace=workspace, membership=world.abe, trust=trust, cycle=world.team_cycle,
                heads_up_id=heads_up.pk,
            )  # fmt: skip
        panel = selectors.panel(
            workspace=workspace, membership=world.abe, trust=trust, cycle=world.place_cycle
        )
        assert panel.open == []
        below = selectors.cycle_heads_ups(
            workspace=workspace, membership=world.abe, trust=trust, cycle=world.team_cycle
        )
        assert below == []


def test_the_home_groups_the_cycles_under_their_place(workspace, world):
    with tenant_scope(workspace_id=workspace.pk):
        trust = trust_for(workspace=workspace, user=world.lee.user)
        home = selectors.home(
            workspace=workspace, membership=world.lee, user=world.lee.user, trust=trust
        )
    assert [
        (p.system.name if p.system else None, [c.name for c in p.cycles]) for p in home.places
    ] == [("Northfield", ["North team cycle"])]
