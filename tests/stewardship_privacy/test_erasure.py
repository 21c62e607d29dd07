"""Erasing a person (stewardship/privacy, docs/people-and-privacy.md "Erasure"): every row about
them goes or is anonymised, in one transaction; patterns' counts, search, exports, reports and
the API's deletions feed follow; the audit row keeps counts and no text of theirs."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.test import Client

from cycles import selectors as cycle_selectors
from cycles.models import (
    BarrierResponse,
    BarrierRoute,
    DataPoint,
    Entry,
    EntryDraft,
    EntryRevision,
    EntryRollup,
    EntryTheme,
    Experiment,
    ExperimentPerson,
    Measure,
    Placement,
    WhatMatters,
    WhatMattersRating,
)
from dataio import exports
from hls.audit.models import AuditEvent, Tombstone
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import LearningReport, ReportExport, SessionOutput
from stewardship.privacy.selectors import person_rows
from systems.models import Consent, Person, PersonIdentity, ShareLevel
from systems.people import services as people_services
from tests.conftest import signed_in
from tests.factories import EntryFactory, EntryThemeFactory
from tests.stewardship_privacy.conftest import KIT_WORDS, MO_WORDS, story_count

pytestmark = pytest.mark.django_db

REMOVED = "[removed at the person's request]"


def _url(mo) -> str:
    return f"/w/riverside/people/{mo.person.pk}/erase/"


def _erase(mo, choice: str, reference: str = "P-MOMO", client: Client | None = None):
    client = client or signed_in(mo.admin)
    return client.post(_url(mo), {"choice": choice, "reference": reference})


def _in(mo, model, **filters) -> bool:
    with tenant_scope(workspace_id=mo.workspace.pk):
        return model.objects.filter(**filters).exists()


def _search(mo, words: str) -> list[int]:
    with tenant_scope(workspace_id=mo.workspace.pk):
        found = cycle_selectors.search(workspace=mo.workspace, user=mo.keyworker.user, q=words)
    return [e.pk for e in found.entries]


def _export_text(mo) -> str:
    """Every file of a workspace export built now by the admin (who works in the team)."""
    with tenant_scope(workspace_id=mo.workspace.pk):
        data, _counts = exports.build_zip(
            workspace=mo.workspace, user=mo.admin.user, on_step=lambda _step: None
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


@pytest.fixture
def admin_in_team(mo):
    """The admin works in Mo's team, so exports and pages show Mo before the erasure."""
    from tests.factories import SystemMemberFactory

    with tenant_scope(workspace_id=mo.workspace.pk):
        SystemMemberFactory(workspace=mo.workspace, system=mo.system, user=mo.admin.user)
        SystemMemberFactory(workspace=mo.workspace, system=mo.life, user=mo.admin.user)
    return mo


# The confirm page ----------------------------------------------------------------------------


def test_the_confirm_page_counts_what_would_go_and_names_no_one(mo) -> None:
    response = signed_in(mo.admin).get(_url(mo))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Erase P-MOMO" in page
    assert "The stories about them (3)" in page
    assert "2 consent records." in page
    assert "1 thing that matters to them, in their words, with 1 ratings" in page
    assert "1 measure about them, with 1 values." in page
    assert "The link to them from 1 experiment (the experiment stays)." in page
    assert "1 unsaved draft about them." in page
    assert "3 stories go, with 1 earlier versions, 1 placements on signifier sets and 1 " in page
    assert "2 stories stay" in page
    assert "1 story its author had removed goes" in page
    for secret in ("Morag", "xylophone", "Mo said", "Staying near her sister"):
        assert secret not in page
    assert _in(mo, Person, pk=mo.person.pk)


def test_the_plan_counts_exactly_what_each_choice_removes(mo) -> None:
    with tenant_scope(workspace_id=mo.workspace.pk):
        rows = person_rows(workspace=mo.workspace, person=mo.person)
    assert rows.counts("delete") == {
        "identity": 1, "consents": 2, "stories_deleted": 3, "stories_anonymised": 0,
        "earlier_versions": 1, "placements": 1, "barriers": 1, "what_matters": 1, "ratings": 1,
        "measures": 1, "values": 1, "experiments": 1, "drafts": 1, "session_outputs": 1,
        "reports": 1, "report_files": 1,
    }  # fmt: skip
    anonymised = rows.counts("anonymise")
    assert anonymised["stories_deleted"] == 1  # the one its author had removed
    assert anonymised["stories_anonymised"] == 2
    assert anonymised["placements"] == 0
    assert anonymised["barriers"] == 0


def test_the_confirm_page_reads_in_a_constant_number_of_queries(
    mo, django_assert_num_queries
) -> None:
    client = signed_in(mo.admin)
    client.get(_url(mo))  # warm the session
    with django_assert_num_queries(24):
        assert client.get(_url(mo)).status_code == 200
    with tenant_scope(workspace_id=mo.workspace.pk):
        for n in range(5):
            more = EntryFactory(
                workspace=mo.workspace, cycle=mo.cycle, person=mo.person, text=f"More {n}"
            )
            EntryThemeFactory(workspace=mo.workspace, entry=more, theme=mo.housing)
    with django_assert_num_queries(24):
        assert client.get(_url(mo)).status_code == 200


# Delete ----------------------------------------------------------------------------------------


def test_delete_removes_every_row_about_them_and_nothing_else(mo) -> None:
    response = _erase(mo, "delete", reference=" p-momo ")  # as typed: case and spaces forgiven

    assert response.status_code == 302
    assert response["Location"] == "/w/riverside/people/"
    gone = {
        Person: {"pk": mo.person.pk},
        PersonIdentity: {"person_id": mo.person.pk},
        Consent: {"person_id": mo.person.pk},
        Entry: {"pk__in": [mo.story.pk, mo.removed.pk, mo.barrier.pk]},
        EntryRevision: {"entry_id": mo.story.pk},
        EntryTheme: {"entry_id": mo.story.pk},
        Placement: {"pk": mo.placement.pk},
        BarrierRoute: {"pk": mo.route.pk},
        BarrierResponse: {"route_id": mo.route.pk},
        WhatMatters: {"pk": mo.item.pk},
        WhatMattersRating: {"item_id": mo.item.pk},
        Measure: {"pk": mo.measure.pk},
        DataPoint: {"measure_id": mo.measure.pk},
        ExperimentPerson: {"experiment_id": mo.experiment.pk},
        EntryDraft: {"pk": mo.draft.pk},
        ReportExport: {"pk": mo.report_file.pk},
    }
    for model, filters in gone.items():
        assert not _in(mo, model, **filters), model.__name__
    # What was not theirs stays: the experiment, Kit and Kit's story, draft and consent.
    assert _in(mo, Experiment, pk=mo.experiment.pk)
    assert _in(mo, Entry, pk=mo.kit_story.pk, text=KIT_WORDS, person=mo.kit)
    assert _in(mo, EntryDraft, pk=mo.kit_draft.pk)
    assert _in(mo, Consent, person=mo.kit)
    # The meeting's output that copied the story says so instead.
    with tenant_scope(workspace_id=mo.workspace.pk):
        assert SessionOutput.objects.get(pk=mo.output.pk).text == REMOVED


def test_delete_takes_them_out_of_the_patterns_counts(mo) -> None:
    assert story_count(mo.workspace, mo.cycle) == 3  # Mo's story and barrier, Kit's story
    with tenant_scope(workspace_id=mo.workspace.pk):
        by_theme = EntryRollup.objects.get(workspace=mo.workspace, cycle=mo.cycle, theme=mo.housing)
    assert by_theme.n == 2

    _erase(mo, "delete")

    assert story_count(mo.workspace, mo.cycle) == 1
    with tenant_scope(workspace_id=mo.workspace.pk):
        by_theme = EntryRollup.objects.get(workspace=mo.workspace, cycle=mo.cycle, theme=mo.housing)
    assert by_theme.n == 1


@pytest.mark.parametrize("choice", ["delete", "anonymise"])
def test_search_by_an_old_word_finds_nothing(mo, choice) -> None:
    assert mo.story.pk in _search(mo, "xylophone")  # the control: found before
    assert _search(mo, "allotment") == [mo.kit_story.pk]

    _erase(mo, choice)

    assert _search(mo, "xylophone") == []
    assert _search(mo, "eviction") == []
    assert _search(mo, "allotment") == [mo.kit_story.pk]


@pytest.mark.parametrize("choice", ["delete", "anonymise"])
def test_an_export_built_after_the_erasure_holds_none_of_it(admin_in_team, choice) -> None:
    mo = admin_in_team
    before = _export_text(mo)
    assert "xylophone" in before
    assert "P-MOMO" in before

    _erase(mo, choice)

    after = _export_text(mo)
    for gone in ("xylophone", "P-MOMO", "Mo said", "Staying near her sister", "Weeks behind"):
        assert gone not in after, gone
    assert "allotment" in after
    assert "P-KITT" in after


def test_learning_reports_no_longer_quote_them(mo) -> None:
    with tenant_scope(workspace_id=mo.workspace.pk):
        before = json.dumps(LearningReport.objects.get(pk=mo.report.pk).content)
    assert "xylophone" in before
    assert "Weeks behind with rent" in before

    _erase(mo, "delete")

    with tenant_scope(workspace_id=mo.workspace.pk):
        content = LearningReport.objects.get(pk=mo.report.pk).content
    text = json.dumps(content)
    assert "xylophone" not in text
    assert "eviction" not in text
    assert "Weeks behind with rent" not in text
    assert content["measures"]["own_terms"] == []


# Anonymise -----------------------------------------------------------------------------------


def test_anonymise_keeps_what_was_learnt_without_them(mo) -> None:
    count = story_count(mo.workspace, mo.cycle)

    response = _erase(mo, "anonymise")

    assert response.status_code == 302
    with tenant_scope(workspace_id=mo.workspace.pk):
        story = Entry.objects.get(pk=mo.story.pk)
        barrier = Entry.objects.get(pk=mo.barrier.pk)
        assert story.text == REMOVED
        assert barrier.text == REMOVED
        assert story.person_id is None
        assert barrier.person_id is None
        assert story.revision == mo.story.revision + 1
        assert list(story.themes.all()) == [mo.housing]  # what it was about stays
        assert Placement.objects.filter(pk=mo.placement.pk).exists()
        assert BarrierRoute.objects.filter(pk=mo.route.pk).exists()
        assert not EntryRevision.objects.filter(entry=story).exists()  # old words gone
        assert not Entry.objects.filter(pk=mo.removed.pk).exists()  # removed: gone for good
        assert not Person.objects.filter(pk=mo.person.pk).exists()
        assert not WhatMatters.objects.filter(pk=mo.item.pk).exists()
        assert not Measure.objects.filter(pk=mo.measure.pk).exists()
        report = LearningReport.objects.get(pk=mo.report.pk).content
    excerpts = [s["excerpt"] for theme in report["learnt"]["themes"] for s in theme["stories"]]
    assert REMOVED in excerpts
    assert [b["text"] for b in report["barriers"]] == [REMOVED]
    assert story_count(mo.workspace, mo.cycle) == count  # it still counts, as it did


def test_anonymise_never_shows_a_story_further_than_consent_let_it_go(mo) -> None:
    with tenant_scope(workspace_id=mo.workspace.pk):
        people_services.consent_record(
            workspace=mo.workspace, person=mo.person, level=ShareLevel.TEAM,
            note="Only my team, please.", recorded_by=mo.keyworker.user,
        )  # fmt: skip
    count = story_count(mo.workspace, mo.cycle)
    assert count == 1  # Kit's story alone: Mo's are capped at the team

    _erase(mo, "anonymise")

    with tenant_scope(workspace_id=mo.workspace.pk):
        story = Entry.objects.get(pk=mo.story.pk)
    assert story.visibility == ShareLevel.TEAM  # was "whole workspace", capped by consent
    assert story_count(mo.workspace, mo.cycle) == count


# The record of it ------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["delete", "anonymise"])
def test_one_audit_row_with_the_choice_and_counts_and_no_text_of_theirs(mo, choice) -> None:
    with tenant_scope(workspace_id=mo.workspace.pk):
        before = set(AuditEvent.objects.values_list("pk", flat=True))

    _erase(mo, choice)

    with tenant_scope(workspace_id=mo.workspace.pk):
        new = list(AuditEvent.objects.exclude(pk__in=before))
    assert [(e.action, e.target_type, e.target_id) for e in new] == [
        ("person.erased", "systems.person", str(mo.person.pk))
    ]
    event = new[0]
    assert event.actor_id == mo.admin.user_id
    assert event.data["choice"] == choice
    assert event.data["counts"]["identity"] == 1
    assert event.data["counts"]["stories_deleted"] == (3 if choice == "delete" else 1)
    written = json.dumps(event.data)
    for text in ("Mo", "Morag", "xylophone", "P-MOMO", "sister", "07700"):
        assert text not in written
    assert all(isinstance(n, int) for n in event.data["counts"].values())


def test_the_api_deletions_feed_gets_a_tombstone_for_each_deleted_object(mo) -> None:
    _erase(mo, "delete")

    with tenant_scope(workspace_id=mo.workspace.pk):
        stones = set(Tombstone.objects.values_list("resource", "object_id"))
    assert {
        ("people", str(mo.person.pk)),
        ("entries", str(mo.story.pk)),
        ("entries", str(mo.barrier.pk)),
        ("placements", str(mo.placement.pk)),
        ("barriers", str(mo.route.pk)),
        ("measures", str(mo.measure.pk)),
    } <= stones
    with tenant_scope(workspace_id=mo.workspace.pk):
        assert mo.experiment.updated_at < Experiment.objects.get(pk=mo.experiment.pk).updated_at


# Refusals --------------------------------------------------------------------------------------


def test_a_wrong_reference_is_said_beside_the_field_and_nothing_goes(mo) -> None:
    response = _erase(mo, "delete", reference="P-MOM0")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Type their reference exactly as shown, P-MOMO, to confirm." in page
    assert 'value="P-MOM0"' in page  # what was typed is kept
    assert re.search(r'<input[^>]*value="delete"[^>]*checked', page)  # the choice is kept
    assert _in(mo, Person, pk=mo.person.pk)
    assert _in(mo, Entry, pk=mo.story.pk, text=MO_WORDS)


def test_a_missing_choice_is_said_beside_the_field(mo) -> None:
    response = signed_in(mo.admin).post(_url(mo), {"reference": "P-MOMO"})

    assert response.status_code == 400
    assert "Choose what happens to the stories about them." in response.content.decode()
    assert _in(mo, Person, pk=mo.person.pk)


def test_erasing_again_finds_no_one(mo) -> None:
    assert _erase(mo, "delete").status_code == 302
    assert _erase(mo, "delete").status_code == 404


def test_an_outsider_gets_404_and_nothing_goes(mo, outsider) -> None:
    client = signed_in(outsider)
    assert client.get(_url(mo)).status_code == 404
    assert _erase(mo, "delete", client=client).status_code == 404
    assert _in(mo, Person, pk=mo.person.pk)


def test_another_workspaces_person_is_404_to_this_workspaces_admin(mo, other_workspace) -> None:
    from tests.factories import PersonFactory

    with tenant_scope(workspace_id=other_workspace.pk):
        theirs = PersonFactory(workspace=other_workspace, reference="P-THEM")
    response = signed_in(mo.admin).post(
        f"/w/riverside/people/{theirs.pk}/erase/", {"choice": "delete", "reference": "P-THEM"}
    )
    assert response.status_code == 404
    with tenant_scope(workspace_id=other_workspace.pk):
        assert Person.objects.filter(pk=theirs.pk).exists()


def test_a_practitioner_who_works_with_them_gets_403_and_nothing_goes(mo) -> None:
    client = signed_in(mo.keyworker)
    assert client.get(_url(mo)).status_code == 403
    response = _erase(mo, "delete", client=client)
    assert response.status_code == 403
    assert b"Your role cannot do this" in response.content
    assert _in(mo, Person, pk=mo.person.pk)
    assert _in(mo, PersonIdentity, person=mo.person)


def test_the_service_refuses_anyone_but_an_admin(mo, make_member) -> None:
    from django.core.exceptions import PermissionDenied

    from stewardship.privacy.services import person_erase

    steward = make_member(mo.workspace, Role.STEWARD)
    with tenant_scope(workspace_id=mo.workspace.pk), pytest.raises(PermissionDenied):
        person_erase(
            workspace=mo.workspace, person=mo.person, actor=steward.user, choice="delete",
            reference="P-MOMO",
        )  # fmt: skip
    assert _in(mo, Person, pk=mo.person.pk)


# Finding them ----------------------------------------------------------------------------------


def test_an_admin_finds_the_person_by_reference(mo) -> None:
    client = signed_in(mo.admin)  # who does not work with Mo: the record is not theirs to read
    assert client.get(f"/w/riverside/people/{mo.person.pk}/").status_code == 404

    response = client.get("/w/riverside/people/erase/", {"reference": "p-momo"})

    assert response.status_code == 302
    assert response["Location"] == _url(mo)


def test_an_unknown_reference_is_said_beside_the_field_and_kept(mo) -> None:
    response = signed_in(mo.admin).get("/w/riverside/people/erase/", {"reference": "P-NOPE"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "No one in this workspace has the reference P-NOPE. Check it." in page
    assert 'value="P-NOPE"' in page


def test_the_person_page_offers_erasure_to_an_admin_only(admin_in_team) -> None:
    mo = admin_in_team
    page = f"/w/riverside/people/{mo.person.pk}/"
    assert _url(mo).encode() in signed_in(mo.admin).get(page).content
    assert _url(mo).encode() not in signed_in(mo.keyworker).get(page).content


def test_earlier_export_and_import_files_are_withdrawn_and_the_pages_say_so(mo) -> None:
    """A file built or uploaded before the erasure could hold the person: it goes, in the
    same transaction; the rows stay so the pages can say why."""
    from dataio.models import ExportRun, ImportRun
    from tests.factories import ExportRunFactory, ImportRunFactory

    with tenant_scope(workspace_id=mo.workspace.pk):
        export = ExportRunFactory(
            workspace=mo.workspace, status="done", content=b"PK P-MOMO xylophone", size=19
        )
        done = ImportRunFactory(workspace=mo.workspace, status="done", file_content=b"P-MOMO")
        waiting = ImportRunFactory(workspace=mo.workspace, status="checked")
    assert _erase(mo, "delete").status_code == 302

    with tenant_scope(workspace_id=mo.workspace.pk):
        export = ExportRun.objects.get(pk=export.pk)
        assert (export.content, export.size, export.status) == (None, 0, "done")
        assert bytes(ImportRun.objects.get(pk=done.pk).file_content) == b""
        assert bytes(ImportRun.objects.get(pk=waiting.pk).file_content) != b""  # not finished
        event = AuditEvent.objects.get(action="person.erased")
    assert event.data["files_withdrawn"] == 2
    client = signed_in(mo.admin)
    base = f"/w/{mo.workspace.slug}/integrations/export/{export.pk}/"
    page = client.get(base).content.decode()
    assert "withdrawn when a person was erased" in page
    download = client.get(base + "download/", follow=True)
    assert "withdrawn when a person was erased" in download.content.decode()
    assert b"xylophone" not in download.content
