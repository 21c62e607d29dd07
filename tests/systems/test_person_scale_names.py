"""A person's life is shown by a pseudonymous name ("A person's life · North team") outside those
who work with the person, on the systems pages; naming a person-scale system or one of its
cycles with the person's recorded name warns, with "keep this name anyway"."""

import pytest

from cycles.models import Cycle
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import System
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)
from tests.people.conftest import give_identity

pytestmark = pytest.mark.django_db

BASE = "/w/riverside/"
PSEUDONYM = "A person&#x27;s life · North team"
WARNING = b"contains the recorded name of the person"


@pytest.fixture
def life(workspace, make_member):
    """Maria's own life under the North team; Tess works in it, the admin above it."""
    # Fixed names: a generated one ("Marian ...") could put "Maria" on every page.
    tess = make_member(
        workspace, Role.PRACTITIONER, email="tess@riverside.test", full_name="Tess Walker"
    )
    above = make_member(workspace, Role.ADMIN, email="above@riverside.test", full_name="Abe Hill")
    with tenant_scope(workspace_id=workspace.pk):
        team_scale = ScaleFactory(workspace=workspace, name="Team", position=1)
        scale = ScaleFactory(workspace=workspace, name="A person's life", is_person_scale=True)
        team = SystemFactory(workspace=workspace, name="North team", scale=team_scale)
        system = SystemFactory(workspace=workspace, name="Maria's life", scale=scale, parent=team)
        SystemMemberFactory(workspace=workspace, system=system, user=tess.user)
        SystemMemberFactory(workspace=workspace, system=team, user=above.user)
        person = PersonFactory(workspace=workspace, system=system, created_by=tess.user)
    give_identity(workspace, person, tess.user, name="Maria Lopez")
    return {"system": system, "team": team, "scale": scale, "tess": tess, "above": above}


def _system_form(life, name: str, **extra) -> dict:
    return {
        "name": name,
        "scale": life["scale"].pk,
        "purpose": "Living well, as she says.",
        "parent": life["team"].pk,
        "members": [life["tess"].user_id],
        **extra,
    }


def test_the_pages_name_a_life_by_its_pseudonym_outside(life) -> None:
    system = life["system"]
    above = signed_in(life["above"])
    for url in (
        "systems/",
        f"systems/{system.pk}/",
        f"systems/{system.pk}/map/",
        f"systems/{system.pk}/map/draw/",
        f"systems/{system.pk}/map/snapshots/",
    ):
        response = above.get(BASE + url)
        assert response.status_code == 200, url
        assert b"Maria" not in response.content, url
    assert PSEUDONYM in above.get(f"{BASE}systems/{system.pk}/").content.decode()
    inside = signed_in(life["tess"]).get(f"{BASE}systems/{system.pk}/")
    assert b"Maria&#x27;s life" in inside.content


def test_a_former_name_stays_out_of_the_history_seen_from_outside(life) -> None:
    system = life["system"]
    tess = signed_in(life["tess"])
    response = tess.post(
        f"{BASE}systems/{system.pk}/edit/",
        _system_form(life, "Her life", reason="Less of a giveaway."),
    )
    assert response.status_code == 302
    outside = signed_in(life["above"]).get(f"{BASE}systems/{system.pk}/")
    assert b"Maria" not in outside.content
    assert b"Her life" not in outside.content
    assert b"Maria&#x27;s life" in tess.get(f"{BASE}systems/{system.pk}/").content


def test_renaming_a_life_after_its_person_warns_until_kept(life) -> None:
    system = life["system"]
    tess = signed_in(life["tess"])
    url = f"{BASE}systems/{system.pk}/edit/"

    warned = tess.post(url, _system_form(life, "LOPEZ family", reason="x"))
    assert warned.status_code == 400
    assert WARNING in warned.content
    assert b'name="keep_name"' in warned.content
    assert b"Maria Lopez" not in warned.content  # the warning never says the name
    with tenant_scope(workspace_id=system.workspace_id):
        assert System.objects.get(pk=system.pk).name == "Maria's life"

    kept = tess.post(url, _system_form(life, "LOPEZ family", reason="x", keep_name="on"))
    assert kept.status_code == 302
    with tenant_scope(workspace_id=system.workspace_id):
        assert System.objects.get(pk=system.pk).name == "LOPEZ family"


def test_a_name_without_the_persons_words_does_not_warn(life) -> None:
    """Words of one letter, or other words, never match; nor does a team's system."""
    tess = signed_in(life["tess"])
    ok = tess.post(
        f"{BASE}systems/{life['system'].pk}/edit/", _system_form(life, "M. L.", reason="x")
    )
    assert ok.status_code == 302
    form = tess.get(f"{BASE}systems/{life['system'].pk}/edit/")
    assert b'name="keep_name"' not in form.content  # shown only once warned


def test_starting_a_cycle_named_after_the_person_warns(life) -> None:
    tess = signed_in(life["tess"])
    data = {
        "system": life["system"].pk,
        "name": "maria's cycle",
        "purpose": "What matters to her.",
        "learning_questions": "",
        "phase": "understand",
    }
    warned = tess.post(f"{BASE}cycles/new/", data)
    assert warned.status_code == 400
    assert WARNING in warned.content
    assert b'name="keep_name"' in warned.content
    with tenant_scope(workspace_id=life["system"].workspace_id):
        assert not Cycle.objects.exists()

    assert tess.post(f"{BASE}cycles/new/", {**data, "keep_name": "on"}).status_code == 302
    other = tess.post(f"{BASE}cycles/new/", {**data, "name": "Staying at home"})
    assert other.status_code == 302
    with tenant_scope(workspace_id=life["system"].workspace_id):
        assert Cycle.objects.count() == 2


def test_renaming_a_cycle_after_the_person_warns(life, workspace) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, system=life["system"], name="Staying at home")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=life["tess"].user)
    tess = signed_in(life["tess"])
    data = {
        "system": life["system"].pk,
        "name": "Maria",
        "purpose": cycle.purpose,
        "learning_questions": "",
        "status": "active",
    }
    warned = tess.post(f"{BASE}cycles/{cycle.pk}/edit/", data)
    assert warned.status_code == 400
    assert WARNING in warned.content
    kept = tess.post(f"{BASE}cycles/{cycle.pk}/edit/", {**data, "keep_name": "on"})
    assert kept.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        cycle.refresh_from_db()
    assert cycle.name == "Maria"
    # Saving it again unrenamed does not warn again.
    again = tess.post(f"{BASE}cycles/{cycle.pk}/edit/", {**data, "purpose": "Changed."})
    assert again.status_code == 302


def test_bad_input_and_outsiders(life, outsider_client) -> None:
    system = life["system"]
    assert outsider_client.get(f"{BASE}systems/{system.pk}/").status_code == 404
    tess = signed_in(life["tess"])
    bad = tess.post(f"{BASE}systems/{system.pk}/edit/", _system_form(life, "", keep_name="maybe"))
    assert bad.status_code == 400
    assert tess.get(f"{BASE}systems/999999/").status_code == 404
