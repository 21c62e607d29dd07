"""Services and selectors for people served, called directly."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cycles.selectors import entries_visible_to
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Consent, Person, PersonIdentity, ShareLevel
from systems.people import selectors, services
from tests.factories import (
    CycleFactory,
    EntryFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
)
from tests.people.conftest import give_identity

REFERENCE_CHARS = set(services.REFERENCE_ALPHABET)


def _create(workspace, user, **kwargs) -> Person:
    with tenant_scope(workspace_id=workspace.pk):
        return services.person_create(workspace=workspace, created_by=user, **kwargs)


def _audits(workspace, action: str) -> list[AuditEvent]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(AuditEvent.objects.filter(action=action))


# The pseudonymous record --------------------------------------------------------------------


def test_a_person_always_gets_a_short_unambiguous_reference(workspace, member) -> None:
    person = _create(workspace, member.user, alias="", what_matters="My dog, Biscuit.")

    assert person.reference.startswith("P-")
    assert len(person.reference) == 6
    assert set(person.reference[2:]) <= REFERENCE_CHARS
    assert not set(person.reference[2:]) & set("0O1I")
    assert str(person) == person.reference  # no alias: the reference is their name here


def test_references_are_unique_in_the_workspace(workspace, member) -> None:
    references = {_create(workspace, member.user).reference for _ in range(200)}
    assert len(references) == 200


def test_a_colliding_reference_is_retried(workspace, member, monkeypatch) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        PersonFactory(workspace=workspace, reference="P-AAAA")
    tries = iter(["P-AAAA", "P-AAAA", "P-BBBB"])
    monkeypatch.setattr(services, "generate_reference", lambda length=4: next(tries))

    person = _create(workspace, member.user)

    assert person.reference == "P-BBBB"


def test_the_same_reference_may_exist_in_another_workspace(
    workspace, other_workspace, member, monkeypatch
) -> None:
    with tenant_scope(workspace_id=other_workspace.pk):
        PersonFactory(workspace=other_workspace, reference="P-AAAA")
    monkeypatch.setattr(services, "generate_reference", lambda length=4: "P-AAAA")
    assert _create(workspace, member.user).reference == "P-AAAA"


def test_the_chosen_alias_is_kept_beside_the_reference(workspace, member, person_system) -> None:
    person = _create(
        workspace,
        member.user,
        alias="  Sunny  ",
        strengths="Cooks for everyone.",
        system=person_system,
    )
    assert person.alias == "Sunny"
    assert str(person) == "Sunny"
    assert person.reference.startswith("P-")
    assert person.system == person_system
    assert [e.target_id for e in _audits(workspace, "person.created")] == [str(person.pk)]


def test_an_oversized_alias_is_refused(workspace, member) -> None:
    with pytest.raises(ValidationError) as error:
        _create(workspace, member.user, alias="x" * 81)
    assert "alias" in error.value.message_dict


def test_the_system_must_be_person_scale(workspace, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        team = SystemFactory(workspace=workspace, scale=ScaleFactory(workspace=workspace))
    with pytest.raises(ValidationError) as error:
        _create(workspace, member.user, system=team)
    assert "one person's own life" in error.value.message_dict["system"][0]


def test_the_system_must_be_in_the_same_workspace(workspace, other_workspace, member) -> None:
    with tenant_scope(workspace_id=other_workspace.pk):
        scale = ScaleFactory(workspace=other_workspace, is_person_scale=True)
        theirs = SystemFactory(workspace=other_workspace, scale=scale)
    with pytest.raises(ValidationError) as error:
        _create(workspace, member.user, system=theirs)
    assert "system" in error.value.message_dict


def test_person_update_records_which_fields_changed(workspace, person, team_member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        services.person_update(
            workspace=workspace,
            person=person,
            actor=team_member.user,
            alias="Mo",
            what_matters="Seeing my grandchildren.",
            strengths=person.strengths,
            system=None,
        )
        person.refresh_from_db()
    assert person.what_matters == "Seeing my grandchildren."
    assert person.system is None
    [event] = _audits(workspace, "person.updated")
    assert sorted(event.data["fields"]) == ["system_id", "what_matters"]
    assert "grandchildren" not in str(event.data)


# Consent ------------------------------------------------------------------------------------


def test_consent_updates_the_level_and_keeps_the_history(workspace, person, team_member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        services.consent_record(
            workspace=workspace,
            person=person,
            level=ShareLevel.SHARED_UPWARD,
            note="Said yes at home on 3 May.",
            recorded_by=team_member.user,
        )
        services.consent_record(
            workspace=workspace,
            person=person,
            level=ShareLevel.PRIVATE,
            note="Changed her mind after the meeting.",
            recorded_by=team_member.user,
        )
        stored = Person.objects.get(pk=person.pk)
        history = list(selectors.person_consents(workspace=workspace, person=person))

    assert stored.consent_level == ShareLevel.PRIVATE
    assert person.consent_level == ShareLevel.PRIVATE
    assert [c.level for c in history] == [ShareLevel.PRIVATE, ShareLevel.SHARED_UPWARD]
    assert history[0].note == "Changed her mind after the meeting."
    assert len(_audits(workspace, "person.consent_recorded")) == 2


@pytest.mark.parametrize(
    ("level", "note", "field"),
    [
        (9, "Said yes.", "level"),
        (ShareLevel.TEAM, "   ", "note"),
        (ShareLevel.TEAM, "x" * 2001, "note"),
    ],
)
def test_consent_bad_input(workspace, person, team_member, level, note, field) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        with pytest.raises(ValidationError) as error:
            services.consent_record(
                workspace=workspace,
                person=person,
                level=level,
                note=note,
                recorded_by=team_member.user,
            )
        assert not Consent.objects.exists()
        assert Person.objects.get(pk=person.pk).consent_level == ShareLevel.TEAM
    assert field in error.value.message_dict


def test_narrowing_consent_hides_entries_about_them_at_once(
    workspace, person, person_system, team_member, make_member
) -> None:
    """A story shared with the whole workspace is capped by consent: narrowed to private, a member
    who does not work with the person no longer sees it."""
    reader = make_member(workspace, Role.PRACTITIONER)
    with tenant_scope(workspace_id=workspace.pk):
        services.consent_record(
            workspace=workspace,
            person=person,
            level=ShareLevel.WORKSPACE,
            note="Happy for everyone to learn from her story.",
            recorded_by=team_member.user,
        )
        cycle = CycleFactory(workspace=workspace, system=person_system)
        entry = EntryFactory(
            workspace=workspace,
            cycle=cycle,
            author=team_member.user,
            person=person,
            visibility=ShareLevel.WORKSPACE,
        )
        assert entry in entries_visible_to(workspace=workspace, user=reader.user)

        services.consent_record(
            workspace=workspace,
            person=person,
            level=ShareLevel.PRIVATE,
            note="Asked us to keep it to ourselves.",
            recorded_by=team_member.user,
        )

        assert entry not in entries_visible_to(workspace=workspace, user=reader.user)
        assert entry in entries_visible_to(workspace=workspace, user=team_member.user)


# Identity -----------------------------------------------------------------------------------


def test_identity_view_decrypts_and_audits_once(workspace, person, identity, team_member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        seen = services.identity_view(workspace=workspace, person=person, viewer=team_member.user)
    assert seen is not None
    assert seen.name == "Morag Example"
    assert seen.contact == "07700 900123"
    [event] = _audits(workspace, "person.identity_viewed")
    assert (event.actor_id, event.target_type, event.target_id) == (
        team_member.user_id,
        "systems.person",
        str(person.pk),
    )
    assert "Morag" not in str(event.data)
    assert "07700" not in str(event.data)


def test_identity_is_refused_to_those_who_do_not_work_with_them(
    workspace, person, identity, admin
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        with pytest.raises(PermissionDenied):
            services.identity_view(workspace=workspace, person=person, viewer=admin.user)
        with pytest.raises(PermissionDenied):
            services.identity_erase(workspace=workspace, person=person, actor=admin.user)
        assert PersonIdentity.objects.filter(person=person).exists()
    assert _audits(workspace, "person.identity_viewed") == []


def test_identity_change_is_audited_without_personal_data(workspace, person, team_member) -> None:
    give_identity(workspace, person, team_member.user, name="Morag")
    give_identity(workspace, person, team_member.user, name="Morag Example")
    with tenant_scope(workspace_id=workspace.pk):
        seen = services.identity_view(workspace=workspace, person=person, viewer=team_member.user)
        assert PersonIdentity.objects.filter(person=person).count() == 1
    assert seen.name == "Morag Example"
    events = _audits(workspace, "person.identity_changed")
    assert len(events) == 2
    assert all("Morag" not in str(e.data) for e in events)


@pytest.mark.parametrize(
    ("name", "dob", "field"),
    [
        ("  ", None, "name"),
        ("x" * 201, None, "name"),
        ("Mo", "2999-01-01", "date_of_birth"),
        ("Mo", "1850-01-01", "date_of_birth"),
    ],
)
def test_identity_bad_input(workspace, person, team_member, name, dob, field) -> None:
    from datetime import date

    with tenant_scope(workspace_id=workspace.pk), pytest.raises(ValidationError) as error:
        services.identity_set(
            workspace=workspace,
            person=person,
            actor=team_member.user,
            name=name,
            date_of_birth=date.fromisoformat(dob) if dob else None,
            contact="",
        )
    assert field in error.value.message_dict


def test_erasure_deletes_the_identity_and_keeps_the_record_and_its_stories(
    workspace, person, person_system, identity, team_member
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        entry = EntryFactory(
            workspace=workspace,
            cycle=CycleFactory(workspace=workspace, system=person_system),
            person=person,
            author=team_member.user,
        )
        assert services.identity_erase(workspace=workspace, person=person, actor=team_member.user)
        assert not PersonIdentity.objects.filter(person=person).exists()
        assert Person.objects.filter(pk=person.pk).exists()
        entry.refresh_from_db()
        assert entry.person_id == person.pk
        assert (
            services.identity_view(workspace=workspace, person=person, viewer=team_member.user)
            is None
        )
    assert len(_audits(workspace, "person.identity_erased")) == 1


# Selectors ----------------------------------------------------------------------------------


def test_the_list_holds_only_people_the_user_works_with_or_recorded(
    workspace, person, person_system, team_member, admin, make_member
) -> None:
    creator = make_member(workspace, Role.PRACTITIONER)
    cycle_member = make_member(workspace, Role.PRACTITIONER)
    with tenant_scope(workspace_id=workspace.pk):
        mine = PersonFactory(workspace=workspace, created_by=creator.user)
        cycle = CycleFactory(workspace=workspace, system=person_system)
        cycle.members.add(cycle_member.user, through_defaults={"workspace": workspace})

        def listed(user) -> set[int]:
            return set(
                selectors.people_visible_to(workspace=workspace, user=user).values_list(
                    "pk", flat=True
                )
            )

        assert listed(team_member.user) == {person.pk}
        assert listed(cycle_member.user) == {person.pk}
        assert listed(creator.user) == {mine.pk}
        assert listed(admin.user) == set()  # admins too see only those they work with
