"""The place set-up in the browser's terms: start, steps, resume, bad input, htmx fragments."""

import datetime as dt

from django.utils import timezone

from cycles.models import Cycle
from hls.tenancy.context import tenant_scope
from stewardship.models import CharterSignature, Participation, PlaceSetup, StewardRole
from tests.conftest import signed_in

W = "/w/riverside/"


def test_a_steward_starts_a_new_place_cycle_and_resumes_it(place):
    client = signed_in(place.steward)
    page = client.get(f"{W}place-cycles/new/")
    assert page.status_code == 200
    response = client.post(
        f"{W}place-cycles/new/", {"name": "Northside", "purpose": "People live well", "scale": ""}
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=place.workspace.pk):
        cycle = Cycle.objects.get(name="Northside")
        assert cycle.system.scale == place.scale
    assert response["Location"] == f"{W}place-cycles/{cycle.pk}/setup/purpose/"

    response = client.post(
        response["Location"],
        {"purpose": "People live well", "learning_questions": "What helps?", "then": "later"},
    )
    assert response["Location"] == f"{W}place-cycles/"
    listing = client.get(f"{W}place-cycles/")
    assert b"1 of 6 steps" in listing.content
    assert f"{W}place-cycles/{cycle.pk}/setup/organisations/".encode() in listing.content


def test_start_with_an_existing_cycle(place, workspace):
    from tests.factories import CycleFactory

    with tenant_scope(workspace_id=workspace.pk):
        other = CycleFactory(workspace=workspace, name="Old cycle")
    response = signed_in(place.steward).post(f"{W}place-cycles/new/", {"cycle": other.pk})
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        assert PlaceSetup.objects.filter(cycle=other).exists()


def test_start_needs_a_cycle_or_a_name(place):
    response = signed_in(place.steward).post(f"{W}place-cycles/new/", {"purpose": "Kept"})
    assert response.status_code == 400
    assert b"give the new cycle a name" in response.content
    assert b"Kept" in response.content


def test_each_step_page_shows_the_side_navigation(place):
    client = signed_in(place.steward)
    for step in ["purpose", "organisations", "principles", "stewards", "participation",
                 "accountability"]:  # fmt: skip
        page = client.get(f"{W}place-cycles/{place.cycle.pk}/setup/{step}/")
        assert page.status_code == 200
        assert b'aria-current="step"' in page.content
        assert b"(not done yet)" in page.content
        assert b"Save and come back later" in page.content
    assert client.get(f"{W}place-cycles/{place.cycle.pk}/setup/nonsense/").status_code == 404


def test_empty_purpose_is_shown_beside_the_field(place):
    response = signed_in(place.steward).post(
        f"{W}place-cycles/{place.cycle.pk}/setup/purpose/",
        {"purpose": "", "learning_questions": "Kept question", "then": "continue"},
    )
    assert response.status_code == 400
    assert b"Say what this cycle is for" in response.content
    assert b"Kept question" in response.content


def test_save_and_continue_goes_to_the_next_step(place):
    response = signed_in(place.steward).post(
        f"{W}place-cycles/{place.cycle.pk}/setup/stewards/", {"then": "continue"}
    )
    assert response["Location"] == f"{W}place-cycles/{place.cycle.pk}/setup/participation/"
    with tenant_scope(workspace_id=place.workspace.pk):
        place.setup.refresh_from_db()
    assert "stewards" in place.setup.completed_steps


def test_a_future_signature_is_refused_beside_the_field(place):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = signed_in(place.steward).post(
        f"{W}place-cycles/{place.cycle.pk}/signatures/add/",
        {"organisation": place.council.pk, "signed_by_name": "Chris Kept",
         "signed_on": tomorrow.isoformat()},
    )  # fmt: skip
    assert response.status_code == 400
    assert b"cannot be in the future" in response.content
    assert b"Chris Kept" in response.content
    with tenant_scope(workspace_id=place.workspace.pk):
        assert not CharterSignature.objects.exists()


def test_a_signature_then_a_changed_principle_says_which_version_was_signed(place):
    client = signed_in(place.steward)
    client.post(
        f"{W}place-cycles/{place.cycle.pk}/signatures/add/",
        {"organisation": place.council.pk, "signed_by_name": "Chris",
         "signed_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    response = client.post(
        f"{W}place-cycles/principles/{place.principle.pk}/edit/",
        {"title": "Start with the person", "description": ""},
    )
    assert response.status_code == 302
    page = client.get(f"{W}place-cycles/{place.cycle.pk}/setup/principles/")
    assert b"This is version 2 of the charter" in page.content
    assert b"those were for version 1" in page.content
    detail = client.get(f"{W}place-cycles/{place.cycle.pk}/")
    assert b"Chris" in detail.content
    assert b"an earlier version" in detail.content


def test_a_past_review_date_is_refused(place):
    response = signed_in(place.steward).post(
        f"{W}place-cycles/{place.cycle.pk}/stewards/add/",
        {"holder_name": "Alex", "mandate": "Convene", "answers_to": "Board",
         "review_on": "2020-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert b"review date in the future" in response.content
    assert b"Alex" in response.content
    with tenant_scope(workspace_id=place.workspace.pk):
        assert StewardRole.objects.count() == 1


def test_participation_status_inline_with_htmx_and_without(place):
    client = signed_in(place.steward)
    url = f"{W}place-cycles/participation/{place.row.pk}/status/"
    fragment = client.post(url, {"status": "taking_part"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert f'id="participation-{place.row.pk}"'.encode() in fragment.content
    plain = client.post(url, {"status": "heard"})
    assert plain["Location"] == f"{W}place-cycles/{place.cycle.pk}/setup/participation/"
    bad = client.post(url, {"status": "gone"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    with tenant_scope(workspace_id=place.workspace.pk):
        assert Participation.objects.get(pk=place.row.pk).status == "heard"


def test_participation_add_with_htmx_returns_the_row_and_the_prompt(place):
    client = signed_in(place.steward)
    url = f"{W}place-cycles/{place.cycle.pk}/participation/add/"
    response = client.post(
        url, {"name": "Young carers", "kind": "lived_experience", "status": "invited"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"Young carers" in response.content
    assert b"Who might be missing?" in response.content
    bad = client.post(url, {"name": "", "kind": "other"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert b"Say who" in bad.content


def test_the_missing_prompt_asks_questions(place):
    page = signed_in(place.steward).get(f"{W}place-cycles/{place.cycle.pk}/setup/participation/")
    assert b"Who might be missing?" in page.content
    assert b"Have the people this cycle serves" in page.content


def test_a_member_reads_the_overview_but_cannot_edit(place, member_client):
    page = member_client.get(f"{W}place-cycles/{place.cycle.pk}/")
    assert page.status_code == 200
    for text in [b"Riverside alliance", b"City council", b"Start with people", b"Jo",
                 b"Tenants&#x27; forum", b"The city council&#x27;s cabinet"]:  # fmt: skip
        assert text in page.content
    assert b"Edit the set-up" not in page.content
    assert member_client.get(f"{W}place-cycles/{place.cycle.pk}/setup/purpose/").status_code == 403
