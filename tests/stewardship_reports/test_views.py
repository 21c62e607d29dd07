"""The report pages: creating (and bad input), the page with its progress, co-authoring with
conflicts, comments, the receiver's account and publishing."""

import datetime as dt

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from stewardship.models import LearningReport, ReportComment, ReportSection
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
BASE = "/w/riverside/reports/"


def _refresh(world, obj) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        obj.refresh_from_db()


def _section(world, report, key="learnt") -> ReportSection:
    with tenant_scope(workspace_id=world.workspace.pk):
        return ReportSection.objects.get(report=report, key=key)


# Creating ------------------------------------------------------------------------------------


def test_create_makes_a_draft_and_redirects_to_its_page(world, django_capture_on_commit_callbacks):
    client = signed_in(world.steward)
    data = {
        "title": "What we learnt this spring",
        "period_start": world.period_start.isoformat(),
        "period_end": world.period_end.isoformat(),
        "cycles": [world.place_cycle.pk, world.team_cycle.pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}new/", data)
    with tenant_scope(workspace_id=world.workspace.pk):
        report = LearningReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{report.pk}/"
    assert report.assembly == LearningReport.Assembly.READY
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"What we learnt this spring" in page.content
    assert b"Who was included, and who was not" in page.content


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cycles": []}, "cycles", "Choose at least one cycle"),
        ({"period_start": "2025-03-02", "period_end": "2025-03-01"}, "period_end",
         "ends before it starts"),
        ({"period_end": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "period_end",
         "cannot end in the future"),
        ({"title": "  "}, "title", "Give the report a title"),
        ({"period_start": "not a date"}, "period_start", "Enter a date"),
    ],
)  # fmt: skip
def test_bad_input_is_shown_beside_the_field_and_the_text_kept(world, change, field, message):
    data = {
        "title": "Kept title",
        "period_start": world.period_start.isoformat(),
        "period_end": world.period_end.isoformat(),
        "cycles": [world.place_cycle.pk],
        **change,
    }
    response = signed_in(world.steward).post(f"{BASE}new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    if field != "title":
        assert 'value="Kept title"' in html
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not LearningReport.objects.exists()


def test_another_workspaces_cycle_is_refused(world, other_workspace):
    from tests.factories import CycleFactory

    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = CycleFactory(workspace=other_workspace)
    response = signed_in(world.steward).post(
        f"{BASE}new/",
        {"title": "x", "period_start": world.period_start.isoformat(),
         "period_end": world.period_end.isoformat(), "cycles": [foreign.pk]},
    )  # fmt: skip
    assert response.status_code == 400
    assert b"Choose cycles of this workspace" in response.content


# The page and its progress -------------------------------------------------------------------


def test_while_assembling_the_page_polls_its_progress_fragment(world, report):
    with tenant_scope(workspace_id=world.workspace.pk):
        LearningReport.objects.filter(pk=report.pk).update(
            assembly=LearningReport.Assembly.RUNNING, assembly_progress=45
        )
    client = signed_in(world.viewer)
    html = client.get(f"{BASE}{report.pk}/").content.decode()
    assert f'hx-get="{BASE}{report.pk}/?part=progress"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'value="45"' in html
    assert ">Refresh</a>" in html  # without JavaScript
    assert "<script" not in html.split("</head>")[1]

    fragment = client.get(f"{BASE}{report.pk}/?part=progress", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b"every 1s" in fragment.content
    assert "HX-Refresh" not in fragment


def test_when_ready_the_fragment_stops_polling_and_reloads_the_page(world, report):
    client = signed_in(world.viewer)
    fragment = client.get(f"{BASE}{report.pk}/?part=progress", HTTP_HX_REQUEST="true")
    assert b"every 1s" not in fragment.content
    assert fragment["HX-Refresh"] == "true"
    page = client.get(f"{BASE}{report.pk}/").content.decode()
    assert report.title in page  # the report page, rendered...
    assert "every 1s" not in page  # ...no longer polling


def test_a_failed_assembly_offers_to_try_again(world, report):
    with tenant_scope(workspace_id=world.workspace.pk):
        LearningReport.objects.filter(pk=report.pk).update(assembly=LearningReport.Assembly.FAILED)
    html = signed_in(world.steward).get(f"{BASE}{report.pk}/").content.decode()
    assert "did not work this time" in html
    assert f'action="{BASE}{report.pk}/assemble/"' in html


def test_reassemble_button_runs_the_assembly_again(
    world, report, django_capture_on_commit_callbacks
):
    client = signed_in(world.steward)
    assert b"Re-assemble the evidence" in client.get(f"{BASE}{report.pk}/").content
    with tenant_scope(workspace_id=world.workspace.pk):
        LearningReport.objects.filter(pk=report.pk).update(content={"stale": True})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}{report.pk}/assemble/")
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    assert "stale" not in report.content


def test_the_page_shows_evidence_beside_the_narrative_and_never_the_alias(world, report):
    html = signed_in(world.viewer).get(f"{BASE}{report.pk}/").content.decode()
    for heading in ("Purpose and principles", "What we learnt", "Experiments",
                    "Barriers raised and their answers", "Sense-making sessions held",
                    "What we will do next", "s own account"):  # fmt: skip
        assert heading in html
    assert "Stopped: learnt" in html
    # The themes' own headings carry their counts (the section's introduction always has the
    # words "fewer than 3"): Housing's three shown, Money worries' one withheld.
    assert '<h4>Housing <span class="tag">3 entries</span></h4>' in html
    assert '<h4>Money worries <span class="tag">fewer than 3</span></h4>' in html
    assert "Sammy" not in html
    assert "P-7731" not in html
    assert "PRIVATE-SECRET" not in html


def test_story_links_only_for_those_who_may_see_the_entry(world, report, make_member):
    url = f"/w/riverside/entries/{world.sammy_story.pk}/"
    assert url in signed_in(world.author).get(f"{BASE}{report.pk}/").content.decode()
    assert url not in signed_in(world.viewer).get(f"{BASE}{report.pk}/").content.decode()


# Co-authoring --------------------------------------------------------------------------------


def test_a_contributor_saves_a_section(world, report):
    section = _section(world, report)
    client = signed_in(world.author)
    edit = client.get(f"/w/riverside/report-sections/{section.pk}/edit/")
    assert b'name="version" value="1"' in edit.content
    response = client.post(
        f"/w/riverside/report-sections/{section.pk}/edit/",
        {"body": "We learnt that **letters** frighten people.", "version": 1},
    )
    assert response.status_code == 302
    _refresh(world, section)
    assert section.version == 2
    page = client.get(f"{BASE}{report.pk}/").content.decode()
    assert "<strong>letters</strong>" in page


def test_a_conflict_keeps_both_texts_and_writes_nothing(world, report):
    section = _section(world, report)
    url = f"/w/riverside/report-sections/{section.pk}/edit/"
    assert (
        signed_in(world.steward).post(url, {"body": "Steward's text", "version": 1}).status_code
        == 302
    )

    response = signed_in(world.author).post(url, {"body": "Author's own text", "version": 1})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this while you were writing" in html
    assert "Steward&#x27;s text" in html  # theirs, shown
    assert "Author&#x27;s own text" in html  # mine, kept in the box
    assert 'name="version" value="2"' in html  # saving again is a deliberate choice
    _refresh(world, section)
    assert section.body == "Steward's text"
    assert section.version == 2
    # Saving the combined text from the current version works.
    again = signed_in(world.author).post(url, {"body": "Both texts", "version": 2})
    assert again.status_code == 302
    _refresh(world, section)
    assert section.body == "Both texts"
    assert section.version == 3


def test_comments_per_section(world, report):
    section = _section(world, report, "barriers")
    client = signed_in(world.author)
    response = client.post(
        f"/w/riverside/report-sections/{section.pk}/comments/",
        {"text": "Could we say what changed for people?"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#section-barriers")
    with tenant_scope(workspace_id=world.workspace.pk):
        comment = ReportComment.objects.get()
    assert comment.section_id == section.pk
    assert comment.author == world.author.user
    assert b"Could we say what changed for people?" in client.get(f"{BASE}{report.pk}/").content


def test_an_empty_comment_is_refused_beside_the_field(world, report):
    section = _section(world, report)
    response = signed_in(world.author).post(
        f"/w/riverside/report-sections/{section.pk}/comments/", {"text": ""}
    )
    assert response.status_code == 400
    assert b"Write your comment first." in response.content


def test_receiver_account(world, report):
    client = signed_in(world.steward)
    response = client.post(
        f"{BASE}{report.pk}/receiver-account/",
        {"receiver_account": "The board heard *how* people were treated."},
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    assert report.receiver_account.startswith("The board heard")
    assert report.content["receiver_account"].startswith("The board heard")
    assert b"<em>how</em>" in client.get(f"{BASE}{report.pk}/").content


# Publishing ----------------------------------------------------------------------------------


def test_publish_asks_for_confirmation_then_makes_the_report_read_only(world, report):
    client = signed_in(world.steward)
    confirm = client.get(f"{BASE}{report.pk}/publish/")
    assert confirm.status_code == 200
    assert b"Yes, publish it" in confirm.content
    with tenant_scope(workspace_id=world.workspace.pk):
        assert LearningReport.objects.get(pk=report.pk).status == "draft"

    assert client.post(f"{BASE}{report.pk}/publish/").status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    assert report.status == "published"
    assert report.published_by == world.steward.user

    message = "This report is published; start a new draft to change it."
    section = _section(world, report)
    edits = [
        (f"/w/riverside/report-sections/{section.pk}/edit/", {"body": "late", "version": 1}),
        (f"/w/riverside/report-sections/{section.pk}/comments/", {"text": "late"}),
        (f"{BASE}{report.pk}/receiver-account/", {"receiver_account": "late"}),
        (f"{BASE}{report.pk}/assemble/", {}),
        (f"{BASE}{report.pk}/publish/", {}),
    ]
    for url, data in edits:
        response = client.post(url, data)
        assert response.status_code == 409, url
        assert message in response.content.decode().replace("&#x27;", "'"), url
    get = client.get(f"/w/riverside/report-sections/{section.pk}/edit/")
    assert message in get.content.decode()
    assert b'name="body"' not in get.content
    _refresh(world, section)
    assert section.body == ""
    assert section.version == 1
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not ReportComment.objects.exists()
    page = client.get(f"{BASE}{report.pk}/").content.decode()
    assert message in page
    assert "Write or edit" not in page
    assert "Re-assemble" not in page


def test_publishing_waits_for_the_assembly(world, report):
    with tenant_scope(workspace_id=world.workspace.pk):
        LearningReport.objects.filter(pk=report.pk).update(assembly="running")
    response = signed_in(world.steward).post(f"{BASE}{report.pk}/publish/")
    assert response.status_code == 400
    assert b"not assembled yet" in response.content
    with tenant_scope(workspace_id=world.workspace.pk):
        assert LearningReport.objects.get(pk=report.pk).status == "draft"
