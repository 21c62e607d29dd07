"""Quick data entry on a phone (issue 16): from the cycle's Measures to a measure, "Add a
value" with today filled in, a value that is not a number said beside the field with what was
typed kept, then a number saved and seen in the measure's table; the page fits the phone and
passes the accessibility checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import PHONE, NewPage
from tests.e2e.test_journey_cycles import assert_fits_phone
from tests.e2e.test_method_run_live import signed_in_page
from tests.factories import CycleFactory, CycleMemberFactory, DataPointFactory, MeasureFactory

pytestmark = pytest.mark.e2e


def test_a_value_added_on_a_phone(new_page: NewPage, workspace: Workspace, member: Membership):
    today = timezone.localdate()
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="Northside team cycle")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=member.user)
        measure = MeasureFactory(
            workspace=workspace, cycle=cycle, name="Days to a first visit", unit="days",
            created_by=member.user,
        )  # fmt: skip
        for weeks_ago in (3, 2, 1):
            DataPointFactory(
                workspace=workspace, measure=measure, value=10 + weeks_ago,
                on=today - dt.timedelta(weeks=weeks_ago),
            )  # fmt: skip
    phone = signed_in_page(new_page, member.user.email, viewport=PHONE, is_mobile=True,
                           has_touch=True)  # fmt: skip
    phone.goto(f"/w/riverside/cycles/{cycle.pk}/")
    phone.get_by_role("link", name="Measures", exact=True).click()
    phone.get_by_role("link", name="Days to a first visit", exact=True).click()
    phone.get_by_role("link", name="Add a value", exact=True).click()
    expect(phone.get_by_role("heading", name="Add a value", level=1)).to_be_visible()
    expect(phone.get_by_label("Date")).to_have_value(today.isoformat())
    assert_fits_phone(phone)
    check_accessibility(phone)

    phone.get_by_label("Value").fill("about nine")
    phone.get_by_label("Note").fill("Two families were away")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("is not a number")).to_be_visible()
    expect(phone.get_by_label("Value")).to_have_value("about nine")
    expect(phone.get_by_label("Note")).to_have_value("Two families were away")

    phone.get_by_label("Value").fill("9")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("9 saved for")).to_be_visible()
    expect(phone.get_by_role("cell", name="Two families were away").first).to_be_visible()
    assert_fits_phone(phone)
