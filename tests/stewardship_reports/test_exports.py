"""Exports: each format carries the report's headings; HTML escapes what people typed; the PDF
opens and prints any language; downloads come as attachments with the right type."""

import io

import pypdf
import pytest

from hls.tenancy.context import tenant_scope
from stewardship.models import LearningReport, ReportExport, ReportSection
from stewardship.reports import exports, services
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Purpose and principles",
    "What we learnt",
    "Experiments",
    "Barriers raised and their answers",
    "Who was included, and who was not",
    "Sense-making sessions held",
    "What we will do next",
]


@pytest.fixture
def written(world, report):
    """The report with a hostile title, narrative and receiver's account, in several scripts."""
    with tenant_scope(workspace_id=world.workspace.pk):
        LearningReport.objects.filter(pk=report.pk).update(
            title="Spring “learning” <script>alert(1)</script> — Zoë"
        )
        section = ReportSection.objects.get(report=report, key="learnt")
        services.section_update(
            workspace=world.workspace, section=section, version=1, user=world.steward.user,
            body="We **learnt** <img src=x onerror=alert(2)> that “letters” matter. "
            "Ελληνικά, Українська.",
        )  # fmt: skip
        services.receiver_account_update(
            workspace=world.workspace, report=report, user=world.steward.user,
            text="The board\u2019s view: <b>keep going</b>.",
        )  # fmt: skip
        report.refresh_from_db()
    return report


def _export(world, report, fmt, django_capture_on_commit_callbacks) -> ReportExport:
    client = signed_in(world.author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/w/riverside/reports/{report.pk}/exports/", {"format": fmt})
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        export = ReportExport.objects.get(format=fmt)
    assert response["Location"] == f"/w/riverside/report-exports/{export.pk}/"
    assert export.state == ReportExport.State.READY
    assert export.progress == 100
    return export


def _download(world, export):
    response = signed_in(world.viewer).get(f"/w/riverside/report-exports/{export.pk}/download/")
    assert response.status_code == 200
    return response


def test_markdown(world, written, django_capture_on_commit_callbacks):
    export = _export(world, written, "md", django_capture_on_commit_callbacks)
    response = _download(world, export)
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="spring-learning-scriptalert1script-zoe-{written.period_end}.md"'
    )
    text = response.content.decode()
    assert text.startswith("# Spring “learning”")
    for heading in HEADINGS:
        assert f"\n## {heading}\n" in text
    assert "### Housing (3 entries)" in text
    assert "\n### Money worries (fewer than 3 entries)\n" in text
    assert "Stopped: learnt" in text
    assert "Sammy" not in text
    assert "P-7731" not in text
    assert "Learning report — HLS Learning Cycles" in text


def test_html_is_standalone_and_escapes_everything(
    world, written, django_capture_on_commit_callbacks
):
    export = _export(world, written, "html", django_capture_on_commit_callbacks)
    response = _download(world, export)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="spring-learning')
    assert response["Content-Disposition"].endswith('.html"')
    html = response.content.decode()
    assert html.startswith("<!doctype html>")
    assert "</html>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "onerror" not in html
    assert "<strong>learnt</strong>" in html  # narratives are Markdown, sanitised
    assert "<link" not in html  # standalone: nothing to fetch
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in html
    assert "Learning report — HLS Learning Cycles" in html


def test_pdf_opens_and_contains_the_headings(world, written, django_capture_on_commit_callbacks):
    export = _export(world, written, "pdf", django_capture_on_commit_callbacks)
    response = _download(world, export)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Spring “learning”" in text
    assert "Zoë" in text
    for heading in HEADINGS:
        assert heading in text
    assert "Українська" in text
    assert "Stopped: learnt" in text
    assert "Sammy" not in text
    assert "Learning report — HLS Learning Cycles" in text
    assert f"page 1 of {len(reader.pages)}" in text


def test_the_export_page_polls_while_building_and_offers_the_download(world, report):
    with tenant_scope(workspace_id=world.workspace.pk):
        export = ReportExport.objects.create(
            workspace=world.workspace, report=report, format="pdf", state="running", progress=40
        )
    client = signed_in(world.viewer)
    url = f"/w/riverside/report-exports/{export.pk}/"
    html = client.get(url).content.decode()
    assert f'hx-get="{url}?part=progress"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'value="40"' in html
    assert ">Refresh</a>" in html
    not_ready = client.get(f"{url}download/")
    assert not_ready.status_code == 409
    assert b"not ready to download yet" in not_ready.content

    assert exports.build(workspace_id=world.workspace.pk, export_id=export.pk)
    fragment = client.get(f"{url}?part=progress", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"
    html = client.get(url).content.decode()
    assert "every 1s" not in html
    assert f'href="{url}download/"' in html


def test_a_failed_export_offers_to_try_again(world, report, monkeypatch):
    with tenant_scope(workspace_id=world.workspace.pk):
        export = ReportExport.objects.create(workspace=world.workspace, report=report, format="md")

    def broken(doc):
        raise RuntimeError("boom")

    monkeypatch.setitem(exports.RENDERERS, ReportExport.Format.MARKDOWN, broken)
    assert exports.build(workspace_id=world.workspace.pk, export_id=export.pk) is False
    with tenant_scope(workspace_id=world.workspace.pk):
        export.refresh_from_db()
    assert export.state == ReportExport.State.FAILED
    html = signed_in(world.author).get(f"/w/riverside/report-exports/{export.pk}/").content
    assert b"did not work this time" in html
    assert b'value="md"' in html


def test_a_bad_format_is_refused(world, report):
    response = signed_in(world.author).post(
        f"/w/riverside/reports/{report.pk}/exports/", {"format": "docx"}
    )
    assert response.status_code == 400
    assert b"Choose HTML, PDF or Markdown." in response.content


def test_exports_wait_for_the_assembly(world, report):
    with tenant_scope(workspace_id=world.workspace.pk):
        LearningReport.objects.filter(pk=report.pk).update(assembly="running")
    response = signed_in(world.author).post(
        f"/w/riverside/reports/{report.pk}/exports/", {"format": "md"}
    )
    assert response.status_code == 400
    assert b"not assembled yet" in response.content
