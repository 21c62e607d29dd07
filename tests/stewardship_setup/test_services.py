"""The place set-up's services: progress, charter versions, and bad input."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from stewardship.models import CharterSignature, Participation, PlaceSetup, StewardRole
from stewardship.setup import selectors, services
from systems.models import Scale, SystemChange

TODAY = timezone.localdate


@pytest.fixture
def scoped(place):
    with tenant_scope(workspace_id=place.workspace.pk, user_id=place.steward.user_id):
        yield place


def test_a_new_place_cycle_uses_the_place_scale_and_starts_its_set_up(scoped, workspace):
    Scale.objects.create(workspace=workspace, name="Country", position=9)
    cycle = services.place_cycle_create(
        workspace=workspace, user=scoped.steward.user, name="Northside", purpose="Live well"
    )
    assert cycle.system.scale == scoped.scale
    setup = PlaceSetup.objects.get(cycle=cycle)
    assert setup.completed_steps == []
    assert selectors.first_unfinished(setup) == "purpose"


def test_default_scale_is_the_largest_non_person_scale_without_place(workspace, admin):
    with tenant_scope(workspace_id=workspace.pk):
        Scale.objects.create(workspace=workspace, name="Life", position=0, is_person_scale=True)
        team = Scale.objects.create(workspace=workspace, name="Team", position=1)
        assert selectors.default_place_scale(workspace=workspace) == team


def test_steps_are_marked_with_their_minimum_content(scoped, workspace):
    user = scoped.steward.user
    setup = services.place_setup_start(workspace=workspace, cycle=scoped.cycle, user=user)
    assert setup.completed_steps == [
        "organisations", "principles", "stewards", "participation", "accountability"
    ]  # fmt: skip
    services.place_purpose_save(
        workspace=workspace, cycle=scoped.cycle, user=user, purpose="Homes", learning_questions=""
    )
    setup.refresh_from_db()
    assert len(setup.completed_steps) == 6
    services.place_organisation_remove(
        workspace=workspace, cycle=scoped.cycle, user=user, organisation=scoped.council
    )
    services.steward_role_end(workspace=workspace, role=scoped.role)
    setup.refresh_from_db()
    assert "organisations" not in setup.completed_steps
    assert "stewards" not in setup.completed_steps
    assert selectors.first_unfinished(setup) == "organisations"


def test_adding_an_organisation_reuses_the_systems_service(scoped, workspace):
    user = scoped.steward.user
    services.place_organisation_add(
        workspace=workspace, cycle=scoped.cycle, user=user, organisation=scoped.trust
    )
    new = services.place_organisation_add(
        workspace=workspace, cycle=scoped.cycle, user=user, new_name="  Food bank "
    )
    assert new.name == "Food bank"
    names = [
        o.name for o in selectors.member_organisations(workspace=workspace, cycle=scoped.cycle)
    ]
    assert names == ["City council", "Food bank", "Health trust"]
    assert SystemChange.objects.filter(system=scoped.system).count() == 2
    with pytest.raises(ValidationError) as error:
        services.place_organisation_add(
            workspace=workspace, cycle=scoped.cycle, user=user, new_name="food BANK"
        )
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.place_organisation_add(workspace=workspace, cycle=scoped.cycle, user=user)


def test_changing_signed_principles_makes_a_new_version(scoped, workspace):
    user = scoped.steward.user
    services.principle_add(workspace=workspace, cycle=scoped.cycle, user=user, title="Be honest")
    scoped.charter.refresh_from_db()
    assert scoped.charter.version == 1  # nobody signed yet
    signature = services.signature_add(
        workspace=workspace, cycle=scoped.cycle, user=user, organisation=scoped.council,
        signed_by_name="Chris", signed_on=TODAY(),
    )  # fmt: skip
    assert signature.version == 1
    services.principle_update(
        workspace=workspace, principle=scoped.principle, title="Start with the person",
        description="",
    )  # fmt: skip
    services.principle_add(workspace=workspace, cycle=scoped.cycle, user=user, title="Share data")
    scoped.charter.refresh_from_db()
    assert scoped.charter.version == 2  # one new version until someone signs it
    overview = selectors.overview(workspace=workspace, cycle=scoped.cycle)
    assert overview.earlier_versions == [1]
    again = services.signature_add(
        workspace=workspace, cycle=scoped.cycle, user=user, organisation=scoped.council,
        signed_by_name="Chris", signed_on=TODAY(),
    )  # fmt: skip
    assert again.version == 2


def test_principles_reorder(scoped, workspace):
    second = services.principle_add(
        workspace=workspace, cycle=scoped.cycle, user=scoped.steward.user, title="Second"
    )
    services.principle_move(workspace=workspace, principle=second, direction="up")
    overview = selectors.overview(workspace=workspace, cycle=scoped.cycle)
    assert [p.title for p in overview.principles] == ["Second", "Start with people"]


@pytest.mark.parametrize(
    ("org", "name", "when", "field"),
    [
        ("council", "Chris", TODAY() + dt.timedelta(days=1), "signed_on"),
        ("council", "  ", TODAY(), "signed_by_name"),
        ("trust", "Chris", TODAY(), "organisation"),  # not a member organisation
    ],
)
def test_bad_signatures_are_refused(scoped, workspace, org, name, when, field):
    with pytest.raises(ValidationError) as error:
        services.signature_add(
            workspace=workspace, cycle=scoped.cycle, user=scoped.steward.user,
            organisation=getattr(scoped, org), signed_by_name=name, signed_on=when,
        )  # fmt: skip
    assert field in error.value.message_dict
    assert not CharterSignature.objects.exists()


def test_one_signature_per_organisation_and_version(scoped, workspace):
    kwargs = dict(
        workspace=workspace, cycle=scoped.cycle, user=scoped.steward.user,
        organisation=scoped.council, signed_by_name="Chris", signed_on=TODAY(),
    )  # fmt: skip
    services.signature_add(**kwargs)
    with pytest.raises(ValidationError) as error:
        services.signature_add(**kwargs)
    assert "already signed version 1" in error.value.message_dict["organisation"][0]


def test_steward_roles(scoped, workspace):
    kwargs = dict(
        workspace=workspace, cycle=scoped.cycle, user=scoped.steward.user,
        mandate="Convene", answers_to="The board",
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.steward_role_add(**kwargs, holder_name="Jo", review_on=TODAY())
    assert "review_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.steward_role_add(**kwargs, review_on=TODAY() + dt.timedelta(days=9))
    assert "holder" in error.value.message_dict
    role = services.steward_role_add(
        **kwargs, holder=scoped.steward.user, review_on=TODAY() + dt.timedelta(days=90)
    )
    assert role.holder_name == "Sam"
    services.steward_role_end(workspace=workspace, role=role)
    assert StewardRole.objects.get(pk=role.pk).ended_at is not None


def test_participation_and_the_missing_prompt(scoped, workspace):
    overview = selectors.overview(workspace=workspace, cycle=scoped.cycle)
    kinds = [kind for kind, _label, _q in overview.missing]
    assert "people_served" in kinds
    assert "organisation" not in kinds
    assert all(q.endswith("?") for _k, _l, q in overview.missing)
    row = services.participation_add(
        workspace=workspace, cycle=scoped.cycle, user=scoped.steward.user,
        name="Parents' group", kind="people_served",
    )  # fmt: skip
    services.participation_set_status(workspace=workspace, participation=row, status="heard")
    assert Participation.objects.get(pk=row.pk).status == "heard"
    with pytest.raises(ValidationError):
        services.participation_set_status(workspace=workspace, participation=row, status="gone")
    with pytest.raises(ValidationError) as error:
        services.participation_add(
            workspace=workspace, cycle=scoped.cycle, user=scoped.steward.user, name="",
            kind="other",
        )  # fmt: skip
    assert "name" in error.value.message_dict


def test_accountability_needs_all_three(scoped, workspace):
    with pytest.raises(ValidationError) as error:
        services.accountability_add(
            workspace=workspace, cycle=scoped.cycle, user=scoped.steward.user,
            to_whom="", forum="", cadence="Yearly",
        )  # fmt: skip
    assert set(error.value.message_dict) == {"to_whom", "forum"}
