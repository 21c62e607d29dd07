"""The workspace navigation (hls/navigation.py) shows each role the pages it may open, and only
those: every link for every role is opened, and a link shown must answer 200, a link hidden
403. A link's permission is read from the view it links to, so this walks the real pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from hls import navigation
from hls.tenancy.permissions import CAPABILITIES
from tests.conftest import signed_in
from tests.hls.test_permissions import ROLES

LINKS = navigation.links()


def nav_html(response) -> str:
    """The workspace navigation's markup on a page."""
    page = response.content.decode()
    found = re.search(r'<nav aria-label="Workspace" class="workspace-nav">.*?</nav>', page, re.S)
    assert found, "no workspace navigation on the page"
    return found.group(0)


def _member(cast, make_member, role: str):
    if role == "admin":
        return cast.admin
    if role == "manager":
        return cast.manager  # works in the organisation, which has the North team below it
    return make_member(cast.workspace, role)


def test_every_link_goes_to_a_workspace_view_with_a_capability() -> None:
    assert len({link.url_name for link in LINKS}) == len(LINKS)
    for link in LINKS:
        assert link.capability in CAPABILITIES, link.url_name


@pytest.mark.parametrize(
    ("role", "link"),
    [pytest.param(r, link, id=f"{r}-{link.url_name}") for r in ROLES for link in LINKS],
)
def test_a_link_is_shown_exactly_when_the_role_may_open_it(cast, make_member, role, link):
    client = signed_in(_member(cast, make_member, role))
    nav = nav_html(client.get("/w/riverside/"))
    url = reverse(link.url_name, kwargs={"workspace_slug": "riverside"})

    response = client.get(url, follow=True)

    if f'href="{url}"' in nav:
        assert response.status_code == 200, f"{role} is shown {url} but gets {response.status_code}"
    else:
        assert response.status_code == 403, f"{role} may open {url} but is not shown it"


def test_practitioners_see_no_admin_pages_and_admins_see_them_in_the_workspace_group(
    cast, admin_client: Client
) -> None:
    practitioner = nav_html(signed_in(cast.author).get("/w/riverside/"))
    admin = nav_html(admin_client.get("/w/riverside/"))
    for admin_only in ("api-keys", "data-import"):
        url = reverse(admin_only, kwargs={"workspace_slug": "riverside"})
        assert url not in practitioner
        assert url in admin
    bar = admin.split('class="nav-bar"', 1)[1]
    workspace_group = bar.split(">Workspace<", 1)[1].split("</details>", 1)[0]
    assert "/w/riverside/members/" in workspace_group
    assert "/w/riverside/integrations/api-keys/" in workspace_group


def test_the_current_page_is_marked_and_its_group_too(cast) -> None:
    client = signed_in(cast.manager)

    patterns = nav_html(client.get(f"/w/riverside/cycles/{cast.upper.pk}/patterns/"))
    members = nav_html(client.get("/w/riverside/members/"))

    assert re.search(r'href="/w/riverside/patterns/" aria-current="page">Patterns<', patterns)
    assert 'href="/w/riverside/cycles/" aria-current' not in patterns
    assert re.search(r'href="/w/riverside/members/" aria-current="page">Members<', members)
    assert re.search(r'<summary class="current">Workspace<', members)
    assert '<summary class="current">More<' not in members


def test_a_managers_home_is_one_click_from_the_patterns_below_their_cycle(cast) -> None:
    client = signed_in(cast.manager)
    nav = nav_html(client.get("/w/riverside/"))
    assert 'href="/w/riverside/patterns/">Patterns<' in nav

    response = client.get("/w/riverside/patterns/")

    assert response.status_code == 302
    assert response["Location"] == f"/w/riverside/cycles/{cast.upper.pk}/patterns/"
