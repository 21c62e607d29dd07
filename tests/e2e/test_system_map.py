"""The system map's picture reads at a glance (issue 13, finding 7): names never overlap, a key
explains the shapes and lines, and a person can focus on one name and what it is linked to, by
tapping it or choosing it (keyboard), then go back to the whole map."""

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership
from systems.models import System
from tests.e2e.accessibility import check_accessibility
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import (
    ActorFactory,
    FactorFactory,
    RelationshipFactory,
    SystemFactory,
    SystemMemberFactory,
)

pytestmark = pytest.mark.e2e

ACTORS = [
    ("Housing officer", "person"), ("Tenants' association", "group"),
    ("Northmoor Council", "organisation"), ("Citizens Advice", "service"),
    ("Food bank volunteers", "group"), ("Sam's sister", "person"),
    ("GP surgery reception", "service"), ("Job Centre work coach", "person"),
    ("School family liaison", "person"), ("Credit union", "organisation"),
    ("Neighbourhood police team", "group"), ("Mental health crisis line", "service"),
]  # fmt: skip
FACTORS = ["Rent arrears letters", "Fear of opening post", "Trust in the housing officer"]


@pytest.fixture
def system(workspace, member: Membership) -> System:
    with tenant_scope(workspace_id=workspace.pk):
        system = SystemFactory(workspace=workspace, name="Northside", created_by=member.user)
        SystemMemberFactory(workspace=workspace, system=system, user=member.user)
        actors = [
            ActorFactory(workspace=workspace, system=system, name=name, kind=kind)
            for name, kind in ACTORS
        ]
        factors = [FactorFactory(workspace=workspace, system=system, name=n) for n in FACTORS]
        # A hub with many links, as real maps have: where names crowd together.
        for a, b in [*itertools.pairwise(actors), *((actors[0], x) for x in actors[2:])]:
            RelationshipFactory(
                workspace=workspace, system=system, source_factor=None, target_factor=None,
                source_actor=a, target_actor=b, sign="", label="works with",
            )  # fmt: skip
        RelationshipFactory(
            workspace=workspace, system=system, source_factor=factors[0],
            target_factor=factors[1], sign="+",
        )  # fmt: skip
        RelationshipFactory(
            workspace=workspace, system=system, source_factor=factors[1],
            target_factor=factors[2], sign="-",
        )  # fmt: skip
    return system


def label_boxes(page: Page) -> list[dict[str, float]]:
    return page.evaluate(
        """() => document.getElementById('map-canvas').cy.nodes().map(n => {
             const b = n.boundingBox({includeNodes: false, includeEdges: false});
             return {x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2, name: n.data('label')};
           })"""
    )


def test_the_map_has_a_key_names_that_never_overlap_and_a_focus(page: Page, system, member):
    page.goto("/")
    sign_in(page, member.user.email)
    page.goto(f"/w/riverside/systems/{system.pk}/map/draw/")
    expect(page.get_by_role("heading", name="Key")).to_be_visible()
    for words in ("Person (circle)", "Organisation (hexagon)", "Factor (yellow box)",
                  "Works against (dashed, \N{MINUS SIGN})"):  # fmt: skip
        expect(page.get_by_text(words)).to_be_visible()
    page.wait_for_function("() => document.getElementById('map-canvas').cy")

    boxes = label_boxes(page)
    assert len(boxes) == len(ACTORS) + len(FACTORS)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x2"] <= b["x1"] or b["x2"] <= a["x1"] or a["y2"] <= b["y1"] or b["y2"] <= a["y1"]
            )
            assert apart, f"the names {a['name']!r} and {b['name']!r} overlap on the map"

    # Focus by keyboard: choose a name; the rest of the map fades back.
    focus = page.get_by_label("Focus on")
    focus.select_option(label="Fear of opening post")
    status = page.locator("#map-focus-status")
    expect(status).to_have_text("Showing Fear of opening post and what it is linked to (2 links).")
    faded = page.evaluate(
        "() => document.getElementById('map-canvas').cy.nodes('.faded').map(n => n.data('label'))"
    )
    assert sorted(faded) == sorted(name for name, _kind in ACTORS)
    page.get_by_role("button", name="Show the whole map").click()
    expect(status).to_have_text("Showing the whole map.")
    expect(focus).to_have_value("")
    assert page.evaluate("() => document.getElementById('map-canvas').cy.$('.faded').length") == 0
    check_accessibility(page)
    expect(page).to_have_url(re.compile(r"/map/draw/$"))
