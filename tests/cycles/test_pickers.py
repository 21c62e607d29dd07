"""A timeline's person pickers follow the cycle, not the workspace (issue 14): its filter and its
inline form offer the people linked to the cycle's system (or a system just below it), those the
user's own entries in the cycle are about, and one already chosen; never everyone the user
recorded. Choosing accepts anyone the user may open, as before; a person they may not open is
refused beside the field."""

import pytest

from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import EntryFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _options(html: str, form_marker: str) -> str:
    """The person <select> of one form on the page."""
    form = html.split(form_marker, 1)[1]
    return form.split('name="person"', 1)[1].split("</select>", 1)[0]


@pytest.fixture
def people(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        return {
            "linked": PersonFactory(workspace=ws, alias="Linked", system=world.system),
            "logged": PersonFactory(workspace=ws, alias="Logged", created_by=world.team.user),
            "elsewhere": PersonFactory(workspace=ws, alias="Elsewhere", created_by=world.team.user),
            "hidden": PersonFactory(workspace=ws, alias="Hidden", created_by=world.author.user),
        }


def test_the_timeline_offers_the_cycles_people(world, people):
    with tenant_scope(workspace_id=world.workspace.pk):
        EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.team.user,
            person=people["logged"],
            visibility=ShareLevel.TEAM,
        )
    client = signed_in(world.team)
    html = client.get(f"/w/riverside/cycles/{world.cycle.pk}/timeline/").content.decode()
    for marker in ('class="filter-form"', 'class="entry-form"'):
        options = _options(html, marker)
        assert "Linked" in options
        assert "Logged" in options
        assert "Elsewhere" not in options  # recorded by them, nothing to do with this cycle
        assert "Hidden" not in options


def test_a_chosen_person_stays_offered_and_one_not_yours_is_refused(world, people):
    client = signed_in(world.team)
    url = f"/w/riverside/cycles/{world.cycle.pk}/timeline/"
    chosen = client.get(url, {"person": people["elsewhere"].pk})
    assert chosen.status_code == 200
    options = _options(chosen.content.decode(), 'class="filter-form"')
    assert f'value="{people["elsewhere"].pk}" selected' in options
    refused = client.get(url, {"person": people["hidden"].pk})
    assert refused.status_code == 400
    assert 'id="filter_person_error"' in refused.content.decode()
