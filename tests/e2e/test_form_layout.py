"""Every form control sits where its label says it is (issue 13, finding 2: on "Plan a session"
and "Facilitate" the radios and checkboxes were large controls centred above their labels).

Layout assertions on the rendered boxes, at desktop 1280x800 and phone 390x844, on the style
guide and the real form pages: each radio and checkbox is on the same line as its label, just
left of it (a chip's hidden control lies inside its label); each box control (text, select,
date, file, textarea) sits below its label, left edges aligned; and every control is inside the
shared field wrapper (`.field`, templates/partials/field.html) or a compact row form. Then axe.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Page

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.sessions import services as session_services
from stewardship.sessions.recurrence import session_slots
from tests.e2e.conftest import DESKTOP, PHONE, NewPage
from tests.e2e.test_journey_cycles import check_page
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import CycleMemberFactory, ThemeFactory
from tests.stewardship_sessions.conftest import next_monday_10

pytestmark = pytest.mark.e2e

MAX_GAP = 24  # px between a radio or checkbox and its label text

LAYOUT_PROBLEMS = (
    (Path(__file__).parent / "form_layout.js").read_text().replace("MAX_GAP", str(MAX_GAP))
)


def layout_problems(page: Page) -> list[str]:
    problems: list[str] = page.evaluate(LAYOUT_PROBLEMS)
    return problems


def control_count(page: Page) -> dict[str, int]:
    counts: dict[str, int] = page.evaluate(
        """() => {
          const all = [...document.querySelectorAll('main input, main select, main textarea')];
          const choice = all.filter(e => e.type === 'radio' || e.type === 'checkbox');
          return {choice: choice.length, box: all.filter(e => e.type !== 'hidden').length
            - choice.length};
        }"""
    )
    return counts


@pytest.fixture
def forms_world(cast: Any, make_member: Any) -> SimpleNamespace:
    """The shared cast with a facilitator in the North team's cycle (with a theme, so quick
    capture shows its theme chips), the cast's manager as the facilitator's team-mate in the
    session, and a weekly session whose first meeting the facilitator runs."""
    workspace = cast.workspace
    fay = make_member(
        workspace, Role.STEWARD, email="fay@riverside.test", full_name="Fay Facilitator"
    )
    with tenant_scope(workspace_id=workspace.pk):
        for user in (fay.user, cast.team.user):
            CycleMemberFactory(workspace=workspace, cycle=cast.cycle, user=user)
        ThemeFactory(workspace=workspace, name="Transport")
        session = session_services.session_create(
            workspace=workspace,
            user=fay.user,
            title="Team sense-making",
            cycles=[cast.cycle],
            facilitator=fay.user,
            timezone="Europe/London",
            starts_at=next_monday_10(),
            duration_minutes=60,
            rrule="FREQ=WEEKLY;COUNT=4",
            reminder_leads=[60],
            members=[cast.team.user],
            guests=[],
        )
        start = session.starts_at
        slot = session_slots(
            session, after=start - dt.timedelta(minutes=1), before=start + dt.timedelta(days=1)
        )[0]
    return SimpleNamespace(cast=cast, fay=fay, session=session, slot=slot)


def pages_of(world: SimpleNamespace) -> dict[str, list[str]]:
    """Who opens which form pages: the facilitator, and the admin for the integrations."""
    base = "/w/riverside/"
    return {
        "fay@riverside.test": [
            f"{base}sessions/new/",
            f"{base}sessions/{world.session.pk}/meetings/{world.slot.key}/facilitate/",
            f"{base}log/?cycle={world.cast.cycle.pk}",
            f"{base}cycles/{world.cast.cycle.pk}/experiments/new/",
            f"{base}notifications/settings/",
        ],
        "admin@riverside.test": [
            "/styleguide/",
            f"{base}integrations/api-keys/",
            f"{base}integrations/webhooks/new/",
            f"{base}integrations/import/",
            f"{base}members/",
        ],
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_control_sits_beside_or_below_its_label(
    new_page: NewPage, forms_world: SimpleNamespace, viewport: dict[str, int]
) -> None:
    admin = forms_world.cast.admin.user
    admin.is_staff = True  # the style guide: DEBUG or staff
    admin.save(update_fields=["is_staff"])
    phone = viewport == PHONE
    checked = {"choice": 0, "box": 0}
    for email, urls in pages_of(forms_world).items():
        page = new_page(viewport=viewport, is_mobile=phone, has_touch=phone)
        page.goto("/accounts/login/")
        sign_in(page, email)
        page.wait_for_url("**/w/riverside/**")
        for url in urls:
            response = page.goto(url)
            assert response is not None, url
            assert response.status == 200, f"{url}: {response.status}"
            problems = layout_problems(page)
            assert not problems, f"{url} at {viewport}:\n" + "\n".join(problems)
            for kind, n in control_count(page).items():
                checked[kind] += n
            check_page(page)
    # The pages were the real ones: plenty of radios, checkboxes and box controls were checked.
    assert checked["choice"] >= 40, checked
    assert checked["box"] >= 40, checked


def test_the_check_catches_a_control_centred_above_its_label(
    new_page: NewPage, forms_world: SimpleNamespace
) -> None:
    """The broken look of issue 13 (a radio stretched to full width above its label), forced
    back onto the page: the check reports it."""
    page = new_page()
    page.goto("/accounts/login/")
    sign_in(page, "fay@riverside.test")
    page.wait_for_url("**/w/riverside/**")
    page.goto("/w/riverside/sessions/new/")
    assert layout_problems(page) == []
    page.evaluate(
        """() => document.querySelectorAll('.choice').forEach(choice => {
          choice.style.display = 'block';
          choice.querySelector('input').style.cssText = 'display: block; width: 100%';
        })"""
    )
    problems = layout_problems(page)
    assert any("Every 2 weeks" in p for p in problems), problems
    assert any("1 day before" in p for p in problems), problems
