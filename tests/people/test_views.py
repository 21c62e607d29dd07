"""The people pages in the browser: creating, bad input (errors beside the field, typed text
kept), consent, identity reveal with htmx, erasure, caching headers, and the list's query budget."""

import re

import pytest
from django.test import Client

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Consent, Person, PersonIdentity, ShareLevel
from tests.conftest import signed_in
from tests.factories import CycleFactory, EntryFactory, ScaleFactory, SystemFactory

PEOPLE = "/w/riverside/people/"


def _field_error(content: bytes, field: str) -> str:
    """The error shown beside `field` (the partials/field.html markup)."""
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', content.decode(), re.S)
    assert match, f"no error beside {field}"
    return match.group(1).strip()


@pytest.fixture
def team_client(team_member) -> Client:
    return signed_in(team_member)


# Creating and changing the pseudonymous record ----------------------------------------------


def test_add_a_person_with_an_alias_and_their_own_system(
    workspace, member_client, person_system
) -> None:
    response = member_client.post(
        PEOPLE + "new/",
        {
            "alias": "Sunny",
            "what_matters": "My allotment.",
            "strengths": "",
            "system": person_system.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    with tenant_scope(workspace_id=workspace.pk):
        person = Person.objects.get(alias="Sunny")
        assert person.system == person_system
    # The recorder is not in that life's team or cycles: the record is theirs now, so the
    # recorder lands on the list, told the reference, and no longer opens the record.
    assert response.redirect_chain[-1][0] == PEOPLE
    assert f"with the reference {person.reference}".encode() in response.content
    assert b"My allotment." not in response.content
    assert member_client.get(f"{PEOPLE}{person.pk}/").status_code == 404


def test_a_team_member_adds_a_person_and_opens_their_record(
    workspace, team_client, person_system
) -> None:
    response = team_client.post(
        PEOPLE + "new/",
        {"alias": "Sunny", "what_matters": "My allotment.", "system": person_system.pk},
        follow=True,
    )
    assert response.status_code == 200
    with tenant_scope(workspace_id=workspace.pk):
        person = Person.objects.get(alias="Sunny")
    assert response.redirect_chain[-1][0] == f"{PEOPLE}{person.pk}/"
    assert b"My allotment." in response.content


def test_the_form_offers_only_person_scale_systems(workspace, member_client, person_system) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        SystemFactory(
            workspace=workspace, name="Riverside team", scale=ScaleFactory(workspace=workspace)
        )
    response = member_client.get(PEOPLE + "new/")
    assert b"Mo&#x27;s life" in response.content or b"Mo's life" in response.content
    assert b"Riverside team" not in response.content


def test_an_oversized_alias_is_shown_beside_the_field_and_the_text_kept(member_client) -> None:
    response = member_client.post(
        PEOPLE + "new/", {"alias": "A" * 81, "what_matters": "Being near my sister."}
    )
    assert response.status_code == 400
    assert "at most 80 characters" in _field_error(response.content, "alias")
    assert b'value="' + b"A" * 81 + b'"' in response.content
    assert b"Being near my sister." in response.content


def test_an_htmx_post_with_bad_input_answers_422(member_client) -> None:
    response = member_client.post(PEOPLE + "new/", {"alias": "A" * 81}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422


@pytest.mark.parametrize("kind", ["other_workspace", "not_person_scale"])
def test_a_wrong_system_is_refused_beside_the_field(
    workspace, other_workspace, member_client, kind
) -> None:
    target = other_workspace if kind == "other_workspace" else workspace
    with tenant_scope(workspace_id=target.pk):
        scale = ScaleFactory(workspace=target, is_person_scale=kind == "other_workspace")
        system = SystemFactory(workspace=target, scale=scale)
    response = member_client.post(
        PEOPLE + "new/", {"alias": "Sunny", "what_matters": "My allotment.", "system": system.pk}
    )
    assert response.status_code == 400
    assert "one person" in _field_error(response.content, "system")
    assert b'value="Sunny"' in response.content
    assert b"My allotment." in response.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not Person.objects.exists()


def test_change_the_record(workspace, person, team_client) -> None:
    response = team_client.post(
        f"{PEOPLE}{person.pk}/edit/",
        {"alias": "Mo", "what_matters": "Getting back to the choir.", "strengths": "Sings."},
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        person.refresh_from_db()
    assert person.what_matters == "Getting back to the choir."
    assert person.system is None


def test_only_those_who_work_with_them_change_the_record(workspace, person, admin_client) -> None:
    """The system link decides who sees their identity: a member who does not work with the
    person cannot relink them into a system of their own."""
    assert admin_client.get(f"{PEOPLE}{person.pk}/edit/").status_code == 404
    assert admin_client.post(f"{PEOPLE}{person.pk}/edit/", {"alias": "X"}).status_code == 404
    page = admin_client.get(f"{PEOPLE}{person.pk}/")
    assert b"Change their record" not in page.content
    assert b"Record consent" not in page.content


# The person page ------------------------------------------------------------------------------


def test_the_person_page_shows_the_pseudonymous_record_and_no_identity(
    workspace, person, identity, team_client
) -> None:
    response = team_client.get(f"{PEOPLE}{person.pk}/")
    content = response.content.decode()
    assert "P-MOMO" in content
    assert "Being able to stay in my flat near my sister." in content
    assert "Mo&#x27;s life" in content or "Mo's life" in content
    assert "Morag" not in content
    assert "Show identity" in content
    assert 'hx-history="false"' in content
    assert "no-store" in response["Cache-Control"]


def test_show_identity_with_htmx_returns_only_the_fragment(person, identity, team_client) -> None:
    response = team_client.post(f"{PEOPLE}{person.pk}/identity/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Morag Example" in response.content
    assert b"07700 900123" in response.content
    assert b"<html" not in response.content
    assert "no-store" in response["Cache-Control"]


def test_show_identity_without_javascript_is_a_whole_page(person, identity, team_client) -> None:
    response = team_client.post(f"{PEOPLE}{person.pk}/identity/")
    assert b"<html" in response.content
    assert b"Morag Example" in response.content
    assert b'hx-history="false"' in response.content
    assert "no-store" in response["Cache-Control"]


# Identity: record, change, erase --------------------------------------------------------------


def test_record_identity(workspace, person, team_client) -> None:
    response = team_client.post(
        f"{PEOPLE}{person.pk}/identity/edit/",
        {"name": "Morag Example", "date_of_birth": "1951-06-02", "contact": "Via her daughter"},
    )
    assert response.status_code == 302
    reveal = team_client.post(f"{PEOPLE}{person.pk}/identity/")
    assert b"2 June 1951" in reveal.content
    assert b"Via her daughter" in reveal.content
    with tenant_scope(workspace_id=workspace.pk):
        row = PersonIdentity.objects.get(person=person)
        assert b"Morag" not in bytes(row.name)
        assert AuditEvent.objects.filter(action="person.identity_changed").count() == 1


def test_the_change_form_is_prefilled_and_its_opening_audited(
    workspace, person, identity, team_client
) -> None:
    response = team_client.get(f"{PEOPLE}{person.pk}/identity/edit/")
    assert b'value="Morag Example"' in response.content
    assert b'hx-history="false"' in response.content
    assert "no-store" in response["Cache-Control"]
    with tenant_scope(workspace_id=workspace.pk):
        assert AuditEvent.objects.filter(action="person.identity_viewed").count() == 1


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ("1984-02-31", "Enter a real date"),
        ("twenty-first of March", "Enter a real date"),
        ("2999-01-01", "cannot be in the future"),
    ],
)
def test_an_invalid_date_of_birth_is_shown_beside_the_field(
    workspace, person, team_client, dob, message
) -> None:
    response = team_client.post(
        f"{PEOPLE}{person.pk}/identity/edit/",
        {"name": "Morag Example", "date_of_birth": dob, "contact": "07700 900123"},
    )
    assert response.status_code == 400
    assert message in _field_error(response.content, "date_of_birth")
    assert f'value="{dob}"'.encode() in response.content
    assert b'value="Morag Example"' in response.content
    assert b"07700 900123" in response.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not PersonIdentity.objects.exists()


def test_a_name_is_needed(person, team_client) -> None:
    response = team_client.post(f"{PEOPLE}{person.pk}/identity/edit/", {"name": "", "contact": "x"})
    assert response.status_code == 400
    assert "name they want to be known by" in _field_error(response.content, "name")


def test_erase_identity_keeps_the_record_and_its_stories(
    workspace, person, person_system, identity, team_member, team_client
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        EntryFactory(
            workspace=workspace,
            cycle=CycleFactory(workspace=workspace, system=person_system),
            person=person,
            author=team_member.user,
            text="She told us about the choir.",
        )
    confirm = team_client.get(f"{PEOPLE}{person.pk}/identity/erase/")
    assert b"Erase identity" in confirm.content
    assert b"Morag" not in confirm.content

    response = team_client.post(f"{PEOPLE}{person.pk}/identity/erase/", follow=True)

    assert b"Their identity is erased" in response.content
    assert b"No identity is recorded" in response.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not PersonIdentity.objects.exists()
        assert Person.objects.filter(pk=person.pk).exists()
        assert person.entries.count() == 1
        assert AuditEvent.objects.filter(action="person.identity_erased").count() == 1


# Consent --------------------------------------------------------------------------------------


def test_record_consent_and_see_its_history(workspace, person, team_client) -> None:
    team_client.post(
        f"{PEOPLE}{person.pk}/consent/",
        {"level": ShareLevel.SHARED_UPWARD, "note": "Said yes at home."},
    )
    response = team_client.post(
        f"{PEOPLE}{person.pk}/consent/",
        {"level": ShareLevel.PRIVATE, "note": "Asked us to keep it close."},
        follow=True,
    )
    content = response.content.decode()
    assert f"{person} agreed to share as far as “Private (only me)”." in content
    assert f"{person} agreed to share as far as “<strong>Private (only me)</strong>”" in content
    assert content.index("Asked us to keep it close.") < content.index("Said yes at home.")
    assert "Shared upward" in content  # the earlier consent, in the history
    with tenant_scope(workspace_id=workspace.pk):
        person.refresh_from_db()
    assert person.consent_level == ShareLevel.PRIVATE


def test_consent_needs_how_it_was_given(workspace, person, team_client) -> None:
    response = team_client.post(
        f"{PEOPLE}{person.pk}/consent/", {"level": ShareLevel.CYCLE, "note": ""}
    )
    assert response.status_code == 400
    assert "Say how consent was given" in _field_error(response.content, "note")
    assert re.search(rb'<input type="radio" name="level" value="2"[^>]*checked', response.content)
    with tenant_scope(workspace_id=workspace.pk):
        assert not Consent.objects.exists()


def test_consent_needs_a_level(person, team_client) -> None:
    response = team_client.post(f"{PEOPLE}{person.pk}/consent/", {"note": "Said yes."})
    assert response.status_code == 400
    assert b"Choose how far what they share may go." in response.content
    assert b"Said yes." in response.content


# The list -------------------------------------------------------------------------------------


def test_the_list_shows_only_people_they_work_with(workspace, person, admin_client, team_client):
    assert b"Mo" in team_client.get(PEOPLE).content
    admin_page = admin_client.get(PEOPLE).content
    assert b"P-MOMO" not in admin_page
    assert b"Nobody here yet" in admin_page


def _people_in_system(workspace, system, user, count: int) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        Person.objects.bulk_create(
            Person(
                workspace=workspace,
                reference=f"P-{n:05d}",
                alias=f"Alias {n}",
                system=system,
                created_by=user,
            )
            for n in range(count)
        )


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_list_query_budget_stays_constant(
    workspace, person_system, team_member, team_client, django_assert_num_queries, rows
) -> None:
    _people_in_system(workspace, person_system, team_member.user, rows)
    with django_assert_num_queries(11):  # (+1: Trust, to name their lives)
        response = team_client.get(PEOPLE)
    assert response.status_code == 200
    assert b"Alias 0" in response.content
    assert response.content.count(b'class="row"') == min(rows, 50)


def test_the_list_pages(workspace, person_system, team_member, team_client) -> None:
    _people_in_system(workspace, person_system, team_member.user, 60)
    second = team_client.get(PEOPLE + "?page=2")
    assert b"Page 2 of 2" in second.content
    assert second.content.count(b'class="row"') == 10


def test_the_nav_links_to_people(member_client) -> None:
    assert b'href="/w/riverside/people/"' in member_client.get("/w/riverside/").content


def test_a_viewer_sees_no_add_button(workspace, make_member) -> None:
    viewer = signed_in(make_member(workspace, Role.VIEWER))
    page = viewer.get(PEOPLE)
    assert page.status_code == 200
    assert b"<h1>People</h1>" in page.content  # the list, rendered...
    assert b"Add a person" not in page.content  # ...without the button
    practitioner = signed_in(make_member(workspace, Role.PRACTITIONER))
    assert b"Add a person" in practitioner.get(PEOPLE).content
