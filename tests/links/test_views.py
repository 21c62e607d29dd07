"""The links pages in the browser's terms: what is shown, bad input beside the field with the
typed text kept, and nothing changed."""

from cycles.models import ContextQuestion, CycleLink, EntrySource, Experiment
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import CycleLinkFactory, EntryFactory, ExperimentFactory


def _url(world, path):
    return f"/w/{world.workspace.slug}/{path}"


def test_cycle_page_lists_links_and_learnt_nearby(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        CycleLinkFactory(
            workspace=ws,
            cycle=world.north_cycle,
            other=world.south_cycle,
            reason="Same streets",
            created_by=world.north_member.user,
        )
        EntryFactory(
            workspace=ws,
            cycle=world.south_cycle,
            visibility=ShareLevel.WORKSPACE,
            text="Calling first worked",
        )
        EntryFactory(
            workspace=ws, cycle=world.south_cycle, visibility=ShareLevel.PRIVATE, text="Secret note"
        )
        ExperimentFactory(
            workspace=ws,
            cycle=world.south_cycle,
            status="ended",
            title="Call first",
            learnt="People answered",
        )
    page = signed_in(world.north_member).get(_url(world, f"cycles/{world.north_cycle.pk}/"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Open Door cycle" in html
    assert "through the system map" in html
    assert "Same streets" in html
    assert "Learnt nearby" in html
    assert "Calling first worked" in html
    assert "Secret note" not in html
    assert "People answered" in html
    assert "Ask the cycle that learnt it" in html


def test_add_a_link_and_bad_input_keeps_typed_text(world):
    client = signed_in(world.north_member)
    url = _url(world, f"cycles/{world.north_cycle.pk}/links/add/")
    response = client.post(
        url, {"kind": "parent", "other": world.sub_cycle.pk, "reason": "My careful reason"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "that would make a loop" in html
    assert "My careful reason" in html
    response = client.post(url, {"kind": "peer", "other": world.north_cycle.pk, "reason": "Myself"})
    assert response.status_code == 400
    assert "cannot be linked to itself" in response.content.decode()
    response = client.post(
        url, {"kind": "peer", "other": world.foreign_cycle.pk, "reason": "Far away"}
    )
    assert response.status_code == 400
    assert "Choose a cycle in this workspace." in response.content.decode()
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not CycleLink.objects.exists()
    response = client.post(
        url, {"kind": "peer", "other": world.south_cycle.pk, "reason": "Same streets"}
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Same streets" in page.content.decode()


def test_end_a_link_needs_a_reason(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        link = CycleLinkFactory(
            workspace=world.workspace, cycle=world.north_cycle, other=world.south_cycle
        )
    client = signed_in(world.north_member)
    url = _url(world, f"cycle-links/{link.pk}/end/")
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Say why this link ends." in response.content.decode()
    response = client.post(url, {"reason": "We merged"})
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        link.refresh_from_db()
    assert link.end_reason == "We merged"
    assert "We merged" in client.get(response.url).content.decode()


def test_someone_outside_the_cycle_may_not_link_it(world):
    client = signed_in(world.stranger)
    response = client.post(
        _url(world, f"cycles/{world.north_cycle.pk}/links/add/"),
        {"kind": "peer", "other": world.south_cycle.pk, "reason": "x"},
    )
    assert response.status_code == 403


def test_ask_peer_page_sends_a_question(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        CycleLinkFactory(workspace=ws, cycle=world.north_cycle, other=world.south_cycle)
        entry = EntryFactory(
            workspace=ws,
            cycle=world.south_cycle,
            visibility=ShareLevel.WORKSPACE,
            text="Calling first worked",
        )
        private = EntryFactory(workspace=ws, cycle=world.south_cycle, visibility=ShareLevel.PRIVATE)
    client = signed_in(world.north_member)
    url = _url(world, f"cycles/{world.north_cycle.pk}/ask-peer/")
    assert client.get(url, {"entry": private.pk}).status_code == 404
    page = client.get(url, {"entry": entry.pk})
    assert "Calling first worked" in page.content.decode()
    response = client.post(url, {"entry": entry.pk, "text": ""})
    assert response.status_code == 400
    assert "Write the question you want to ask." in response.content.decode()
    response = client.post(url, {"entry": entry.pk, "text": "What did you say?"})
    assert response.status_code == 302
    with tenant_scope(workspace_id=ws.pk):
        question = ContextQuestion.objects.get()
        assert question.targets.get().cycle == world.south_cycle


def test_copy_design_page(world):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        source = ExperimentFactory(workspace=ws, cycle=world.south_cycle, title="Call first")
    client = signed_in(world.north_member)
    url = _url(world, f"cycles/{world.north_cycle.pk}/copy-design/")
    assert "Call first" in client.get(url, {"experiment": source.pk}).content.decode()
    response = client.post(url, {"experiment": ""})
    assert response.status_code == 400
    assert "Choose the experiment to start from." in response.content.decode()
    response = client.post(url, {"experiment": source.pk})
    assert response.status_code == 302
    with tenant_scope(workspace_id=ws.pk):
        copy = Experiment.objects.get(cycle=world.north_cycle)
    assert copy.copied_from_id == source.pk
    page = client.get(_url(world, f"cycles/{world.north_cycle.pk}/"))
    assert "adapted from “Call first” in South cycle" in page.content.decode()


def test_lineage_page_and_sources(world):
    ws = world.workspace
    user = world.north_member.user
    with tenant_scope(workspace_id=ws.pk):
        insight = EntryFactory(
            workspace=ws,
            cycle=world.north_cycle,
            kind="insight",
            author=user,
            text="Letters frighten",
        )
        story = EntryFactory(
            workspace=ws,
            cycle=world.sub_cycle,
            visibility=ShareLevel.WORKSPACE,
            text="Mrs B's story",
        )
        secret = EntryFactory(workspace=ws, cycle=world.north_cycle, visibility=ShareLevel.PRIVATE)
    client = signed_in(world.north_member)
    timeline = client.get(_url(world, f"cycles/{world.north_cycle.pk}/timeline/"))
    assert f"entries/{insight.pk}/lineage/" in timeline.content.decode()
    assert client.get(_url(world, f"entries/{secret.pk}/lineage/")).status_code == 404
    add = _url(world, f"entries/{insight.pk}/lineage/add/")
    response = client.post(add, {"source_entry": secret.pk})
    assert response.status_code == 400
    assert "Choose an entry you can see" in response.content.decode()
    response = client.post(add, {})
    assert response.status_code == 400
    assert "Choose an entry or an experiment this came from." in response.content.decode()
    response = client.post(add, {"source_entry": story.pk})
    assert response.status_code == 302
    page = client.get(_url(world, f"entries/{insight.pk}/lineage/")).content.decode()
    assert "Mrs B&#x27;s story" in page or "Mrs B's story" in page
    went = client.get(_url(world, f"entries/{story.pk}/lineage/")).content.decode()
    assert "Letters frighten" in went
    # someone else may read the lineage but not change it
    with tenant_scope(workspace_id=ws.pk):
        source = EntrySource.objects.get()
    other = signed_in(world.south_member)
    assert other.post(_url(world, f"entry-sources/{source.pk}/remove/")).status_code in (403, 404)
    response = client.post(_url(world, f"entry-sources/{source.pk}/remove/"))
    assert response.status_code == 302
    with tenant_scope(workspace_id=ws.pk):
        assert not EntrySource.objects.exists()
