"""No lost update, in two browsers (hls/conflicts.py): two members of a cycle open its edit form
at the same time and both type a new purpose. The first save goes through; the second is
refused with both versions side by side and the second person's text still in the form; they
merge the two there and save, and the merged text is what is kept."""

import re

import pytest
from playwright.sync_api import Page, expect

from cycles.models import Cycle
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from tests.e2e.conftest import NewPage
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import CycleFactory, CycleMemberFactory

pytestmark = pytest.mark.e2e

ANN = "ann@riverside.test"
BEN = "ben@riverside.test"
ANNS = "Help tenants keep their homes: the letters frighten people more than the debt."
BENS = "Help tenants keep their homes: call before the letter, not after."
MERGED = "Help tenants keep their homes: call before the letter, which frightens more than debt."


@pytest.fixture
def cycle(workspace: Workspace, make_member) -> Cycle:  # type: ignore[no-untyped-def]
    people: list[Membership] = [
        make_member(workspace, Role.MANAGER, email=ANN, full_name="Ann Manager"),
        make_member(workspace, Role.PRACTITIONER, email=BEN, full_name="Ben Practitioner"),
    ]
    with tenant_scope(workspace_id=workspace.pk):
        made: Cycle = CycleFactory(workspace=workspace, name="Homes cycle")
        for person in people:
            CycleMemberFactory(workspace=workspace, cycle=made, user=person.user)
    return made


def _purpose(workspace: Workspace, cycle: Cycle) -> str:
    with tenant_scope(workspace_id=workspace.pk):
        return Cycle.objects.get(pk=cycle.pk).purpose


def _open_edit(page: Page, email: str, url: str) -> None:
    page.goto("/", timeout=60_000)  # the live server's first page can be slow on a busy machine
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/w/riverside/$"))
    page.goto(url)
    expect(page.get_by_label("Purpose", exact=True)).to_be_visible()


def test_two_people_edit_one_purpose_the_second_sees_both_and_merges(
    new_page: NewPage, workspace: Workspace, cycle: Cycle
) -> None:
    url = f"/w/{workspace.slug}/cycles/{cycle.pk}/edit/"
    ann, ben = new_page(), new_page()
    _open_edit(ann, ANN, url)
    _open_edit(ben, BEN, url)

    # Both type; Ann saves first.
    ann.get_by_label("Purpose", exact=True).fill(ANNS)
    ben.get_by_label("Purpose", exact=True).fill(BENS)
    ann.get_by_role("button", name="Save").click()
    expect(ann.get_by_text("Cycle saved.")).to_be_visible()
    assert _purpose(workspace, cycle) == ANNS

    # Ben's save is refused: both versions side by side, his text still in the form.
    ben.get_by_role("button", name="Save").click()
    expect(
        ben.get_by_role("heading", name="Someone else saved this while you were writing")
    ).to_be_visible()
    expect(ben.get_by_text("Nothing you typed is lost", exact=False)).to_be_visible()
    theirs = ben.locator('[data-conflict="theirs"][data-field="purpose"]')
    yours = ben.locator('[data-conflict="yours"][data-field="purpose"]')
    expect(theirs).to_have_text(ANNS)
    expect(yours).to_have_text(BENS)
    theirs_box, yours_box = theirs.bounding_box(), yours.bounding_box()
    assert theirs_box
    assert yours_box
    assert theirs_box["x"] < yours_box["x"], "side by side: theirs on the left"
    assert abs(theirs_box["y"] - yours_box["y"]) < 5
    purpose = ben.get_by_label("Purpose", exact=True)
    expect(purpose).to_have_value(BENS)
    assert _purpose(workspace, cycle) == ANNS, "Ann's text is intact"

    # Ben merges the two in the form and saves: it goes through, against Ann's version.
    purpose.fill(MERGED)
    ben.get_by_role("button", name="Save").click()
    expect(ben.get_by_text("Cycle saved.")).to_be_visible()
    assert _purpose(workspace, cycle) == MERGED
