"""Services and selectors for scales, systems and maps, called directly."""

import pytest
from django.core.exceptions import ValidationError

from hls.tenancy.context import tenant_scope
from systems import selectors, services
from systems.models import Relationship, Scale, System, SystemChange, SystemMember
from systems.services import SystemInput
from tests.factories import (
    ActorFactory,
    FactorFactory,
    OrganisationFactory,
    ScaleFactory,
    SystemFactory,
)


@pytest.fixture
def scoped(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        yield workspace


def names(workspace):
    return list(selectors.scales_of(workspace=workspace).values_list("name", flat=True))


# Scales ----------------------------------------------------------------------------------------


def test_default_scales_are_created_once_with_the_person_scale_first(scoped):
    services.scales_ensure_defaults(workspace=scoped)
    services.scales_ensure_defaults(workspace=scoped)

    assert names(scoped) == ["A person's life", "Team", "Organisation", "Place", "Country"]
    first = selectors.scales_of(workspace=scoped).first()
    assert first.is_person_scale
    assert Scale.objects.filter(is_person_scale=True).count() == 1


def test_defaults_leave_an_edited_list_alone(scoped):
    services.scales_ensure_defaults(workspace=scoped)
    team = Scale.objects.get(name="Team")
    services.scale_rename(workspace=scoped, scale=team, name="Neighbourhood team")

    services.scales_ensure_defaults(workspace=scoped)

    assert "Team" not in names(scoped)
    assert len(names(scoped)) == 5


def test_add_and_reorder_scales(scoped):
    services.scales_ensure_defaults(workspace=scoped)
    neighbourhood = services.scale_create(workspace=scoped, name="Neighbourhood")
    assert names(scoped)[-1] == "Neighbourhood"

    for _ in range(3):
        services.scale_move(workspace=scoped, scale=neighbourhood, direction="up")

    assert names(scoped) == [
        "A person's life",
        "Team",
        "Neighbourhood",
        "Organisation",
        "Place",
        "Country",
    ]
    services.scale_move(workspace=scoped, scale=neighbourhood, direction="down")
    assert names(scoped)[3] == "Neighbourhood"


def test_moving_the_first_scale_up_changes_nothing(scoped):
    services.scales_ensure_defaults(workspace=scoped)
    first = Scale.objects.get(name="A person's life")
    services.scale_move(workspace=scoped, scale=first, direction="up")
    assert names(scoped)[0] == "A person's life"


@pytest.mark.parametrize("name", ["team", "  TEAM ", "Place"])
def test_scale_names_are_unique_ignoring_case(scoped, name):
    services.scales_ensure_defaults(workspace=scoped)
    country = Scale.objects.get(name="Country")
    with pytest.raises(ValidationError) as error:
        services.scale_rename(workspace=scoped, scale=country, name=name)
    assert "already a scale" in error.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        services.scale_create(workspace=scoped, name=name)


def test_renaming_a_scale_to_its_own_name_in_other_case_is_fine(scoped):
    services.scales_ensure_defaults(workspace=scoped)
    team = Scale.objects.get(name="Team")
    services.scale_rename(workspace=scoped, scale=team, name="TEAM")
    assert "TEAM" in names(scoped)


def test_a_scale_in_use_cannot_be_removed(scoped):
    system = SystemFactory(workspace=scoped)
    with pytest.raises(ValidationError):
        services.scale_delete(workspace=scoped, scale=system.scale)
    unused = ScaleFactory(workspace=scoped)
    services.scale_delete(workspace=scoped, scale=unused)
    assert not Scale.objects.filter(pk=unused.pk).exists()


# Systems ---------------------------------------------------------------------------------------


def _input(scale, **overrides):
    values = {"name": "Riverside homelessness", "scale": scale, "purpose": "Nobody sleeps out."}
    values.update(overrides)
    return SystemInput(**values)


def test_create_a_system_with_its_team_and_organisations(scoped, admin, member):
    scale = ScaleFactory(workspace=scoped)
    council = OrganisationFactory(workspace=scoped, name="Riverside Council")
    system = services.system_create(
        workspace=scoped,
        created_by=admin.user,
        data=_input(scale, organisations=[council], members=[member.user]),
    )
    assert system.workspace == scoped
    assert list(system.organisations.all()) == [council]
    assert selectors.system_member_ids(workspace=scoped, system=system) == {member.user_id}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"purpose": "   "}, "purpose"),
        ({"name": ""}, "name"),
        ({"name": "x" * 161}, "name"),
    ],
)
def test_create_refuses_bad_input(scoped, admin, overrides, field):
    scale = ScaleFactory(workspace=scoped)
    with pytest.raises(ValidationError) as error:
        services.system_create(
            workspace=scoped, created_by=admin.user, data=_input(scale, **overrides)
        )
    assert field in error.value.message_dict


def test_create_refuses_people_from_elsewhere(scoped, admin, outsider):
    scale = ScaleFactory(workspace=scoped)
    with pytest.raises(ValidationError) as error:
        services.system_create(
            workspace=scoped, created_by=admin.user, data=_input(scale, members=[outsider.user])
        )
    assert "members" in error.value.message_dict


def test_editing_the_boundary_keeps_history_and_needs_a_reason(scoped, admin, member):
    scale = ScaleFactory(workspace=scoped, name="Team")
    place = ScaleFactory(workspace=scoped, name="Place")
    system = services.system_create(workspace=scoped, created_by=admin.user, data=_input(scale))

    with pytest.raises(ValidationError) as error:
        services.system_update(
            workspace=scoped,
            system=system,
            changed_by=admin.user,
            data=_input(place, purpose="Everyone has a home.", members=[member.user]),
        )
    assert "reason" in error.value.message_dict
    assert not SystemChange.objects.exists()

    change = services.system_update(
        workspace=scoped,
        system=system,
        changed_by=admin.user,
        data=_input(place, purpose="Everyone has a home.", members=[member.user]),
        reason="We saw that housing decides it.",
    )
    assert change.changes == {
        "purpose": ["Nobody sleeps out.", "Everyone has a home."],
        "scale": ["Team", "Place"],
        "members": [[], ["Pat Practitioner"]],
    }
    assert change.changed_by == admin.user
    assert change.reason == "We saw that housing decides it."
    assert SystemMember.objects.filter(system=system, user=member.user).exists()
    lines = selectors.system_history_lines(workspace=scoped, system=system)
    assert ("Purpose", "Nobody sleeps out.", "Everyone has a home.") in lines[0].lines


def test_renaming_alone_needs_no_reason_and_no_change_writes_nothing(scoped, admin):
    scale = ScaleFactory(workspace=scoped)
    system = services.system_create(workspace=scoped, created_by=admin.user, data=_input(scale))
    assert (
        services.system_update(
            workspace=scoped, system=system, changed_by=admin.user, data=_input(scale)
        )
        is None
    )
    change = services.system_update(
        workspace=scoped, system=system, changed_by=admin.user, data=_input(scale, name="Riverside")
    )
    assert change.changes == {"name": ["Riverside homelessness", "Riverside"]}


def test_a_system_cannot_sit_inside_itself_or_its_descendants(scoped, admin):
    place = SystemFactory(workspace=scoped, name="Place")
    team = SystemFactory(workspace=scoped, name="Team", parent=place)
    person = SystemFactory(workspace=scoped, name="Person", parent=team)
    for parent in (place, team, person):
        with pytest.raises(ValidationError) as error:
            services.system_update(
                workspace=scoped,
                system=place,
                changed_by=admin.user,
                data=_input(place.scale, name="Place", parent=parent),
                reason="Try",
            )
        assert "cannot sit inside itself" in error.value.message_dict["parent"][0]
    place.refresh_from_db()
    assert place.parent is None


def test_systems_tree_nests_children(scoped):
    place = SystemFactory(workspace=scoped, name="Place")
    SystemFactory(workspace=scoped, name="Team", parent=place)
    SystemFactory(workspace=scoped, name="Another place")
    tree = selectors.systems_tree(workspace=scoped)
    assert sorted(n.system.name for n in tree) == ["Another place", "Place"]
    place_node = next(n for n in tree if n.system.name == "Place")
    assert [c.system.name for c in place_node.children] == ["Team"]


# The map ---------------------------------------------------------------------------------------


def test_links_join_nodes_of_the_same_system_only(scoped):
    system = SystemFactory(workspace=scoped)
    other = SystemFactory(workspace=scoped)
    mine = ActorFactory(workspace=scoped, system=system)
    also_mine = ActorFactory(workspace=scoped, system=system)
    theirs = ActorFactory(workspace=scoped, system=other)

    with pytest.raises(ValidationError) as error:
        services.relationship_create(
            workspace=scoped, system=system, source=("actor", mine.pk), target=("actor", theirs.pk)
        )
    assert "not on this system's map" in error.value.message_dict["target"][0]

    link = services.relationship_create(
        workspace=scoped,
        system=system,
        source=("actor", mine.pk),
        target=("actor", also_mine.pk),
        label="refers",
    )
    assert link.source_actor == mine


def test_a_link_to_another_workspaces_node_is_refused(scoped, other_workspace):
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = ActorFactory(workspace=other_workspace)
    system = SystemFactory(workspace=scoped)
    mine = ActorFactory(workspace=scoped, system=system)
    with pytest.raises(ValidationError) as error:
        services.relationship_create(
            workspace=scoped, system=system, source=("actor", foreign.pk), target=("actor", mine.pk)
        )
    assert "source" in error.value.message_dict


def test_factor_links_need_a_sign_and_kinds_cannot_mix(scoped):
    system = SystemFactory(workspace=scoped)
    debt = FactorFactory(workspace=scoped, system=system, name="Debt")
    stress = FactorFactory(workspace=scoped, system=system, name="Stress")
    actor = ActorFactory(workspace=scoped, system=system)
    with pytest.raises(ValidationError) as error:
        services.relationship_create(
            workspace=scoped,
            system=system,
            source=("factor", debt.pk),
            target=("factor", stress.pk),
        )
    assert "sign" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.relationship_create(
            workspace=scoped,
            system=system,
            source=("factor", debt.pk),
            target=("actor", actor.pk),
            sign="+",
        )
    assert "two actors or two factors" in error.value.message_dict["target"][0]
    services.relationship_create(
        workspace=scoped,
        system=system,
        source=("factor", debt.pk),
        target=("factor", stress.pk),
        sign="+",
    )
    assert Relationship.objects.filter(source_factor=debt, target_factor=stress, sign="+").exists()


def test_snapshot_and_compare(scoped, admin):
    system = SystemFactory(workspace=scoped)
    council = ActorFactory(workspace=scoped, system=system, name="Council", kind="organisation")
    gp = ActorFactory(workspace=scoped, system=system, name="GP", kind="service")
    debt = FactorFactory(workspace=scoped, system=system, name="Debt")
    stress = FactorFactory(workspace=scoped, system=system, name="Stress")
    link = services.relationship_create(
        workspace=scoped,
        system=system,
        source=("factor", debt.pk),
        target=("factor", stress.pk),
        sign="+",
    )
    snapshot = services.snapshot_take(
        workspace=scoped, system=system, taken_by=admin.user, label="Before"
    )
    assert {a["name"] for a in snapshot.data["actors"]} == {"Council", "GP"}

    services.actor_delete(workspace=scoped, actor=gp)
    services.actor_update(
        workspace=scoped,
        actor=council,
        name="Council",
        kind="organisation",
        role="landlord",
        participation="taking_part",
    )
    services.actor_create(workspace=scoped, system=system, name="Food bank", kind="service")
    services.relationship_update(
        workspace=scoped,
        relationship=link,
        source=("factor", debt.pk),
        target=("factor", stress.pk),
        sign="-",
        label="",
    )

    diff = selectors.map_diff(snapshot.data, selectors.map_data(workspace=scoped, system=system))

    assert [a["name"] for a in diff["actors"].added] == ["Food bank"]
    assert [a["name"] for a in diff["actors"].removed] == ["GP"]
    assert diff["actors"].changed[0].name == "Council"
    assert ("participation", "not_yet", "taking_part") in diff["actors"].changed[0].fields
    assert diff["factors"].empty
    assert diff["relationships"].changed[0].fields == [("sign", "+", "-")]


def test_snapshot_needs_a_label(scoped, admin):
    system = SystemFactory(workspace=scoped)
    with pytest.raises(ValidationError) as error:
        services.snapshot_take(workspace=scoped, system=system, taken_by=admin.user, label=" ")
    assert "label" in error.value.message_dict


def test_systems_worked_in_still_reads_the_team(scoped, member):
    system = SystemFactory(workspace=scoped)
    SystemMember.objects.create(workspace=scoped, system=system, user=member.user)
    assert selectors.systems_worked_in(workspace=scoped, user=member.user) == {system.pk}
    assert System.objects.count() == 1
