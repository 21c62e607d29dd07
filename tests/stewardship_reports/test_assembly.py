"""Assembling a report's evidence: what travels, what never does, and the progress states."""

import json
from unittest import mock

import pytest

from hls.tenancy.context import tenant_scope
from stewardship.models import LearningReport, ReportSection
from stewardship.reports import assembly, services
from tests.stewardship_reports.conftest import make_report

pytestmark = pytest.mark.django_db


def _text(report) -> str:
    return json.dumps(report.content, ensure_ascii=False)


def test_a_new_report_has_its_default_sections_and_is_assembled_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = make_report(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
        keys = list(ReportSection.objects.filter(report=report).values_list("key", flat=True))
    assert keys == [
        "purpose",
        "learnt",
        "experiments",
        "measures",
        "barriers",
        "inclusion",
        "sessions",
        "next",
    ]
    assert report.assembly == LearningReport.Assembly.PENDING
    assert report.content == {}
    assert len(callbacks) == 1  # the assembly, queued after commit
    callbacks[0]()
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    assert report.assembly == LearningReport.Assembly.READY
    assert report.assembly_progress == 100


def test_purpose_and_principles(report):
    purpose = {c["cycle"]: c for c in report.content["purpose"]}
    assert purpose["Riverside alliance"]["learning_questions"] == [
        "What helps people keep their homes?",
        "Who is not in the room?",
    ]
    (charter,) = report.content["principles"]
    assert charter["title"] == "Our promises"
    assert [p["title"] for p in charter["principles"]] == ["Start from what matters"]
    assert charter["signed_by"][0]["organisation"] == "Riverside Trust"
    assert charter["signed_by"][0]["name"] == "Jo Lead"


def test_only_entries_shared_upward_or_wider_in_the_period_and_cycles_travel(report):
    text = _text(report)
    for never in ("PRIVATE-SECRET", "TEAM-ONLY", "CYCLE-ONLY", "DELETED", "OLD story",
                  "LATE-LOGGED", "OTHER-CYCLE"):  # fmt: skip
        assert never not in text
    themes = {t["name"]: t for t in report.content["learnt"]["themes"]}
    assert themes["Housing"]["count"] == 3  # two stories and one observation at workspace level


def test_the_person_alias_and_reference_never_appear(report):
    text = _text(report)
    assert "Sammy" not in text
    assert "P-7731" not in text
    stories = {t["name"]: t for t in report.content["learnt"]["themes"]}["Housing"]["stories"]
    assert any("[someone] said the letters" in s["excerpt"] for s in stories)
    assert all(set(s) == {"entry_id", "excerpt"} for s in stories)  # no person link


def test_small_counts_are_withheld_and_show_at_most_one_story(report):
    money = {t["name"]: t for t in report.content["learnt"]["themes"]}["Money worries"]
    assert money["count"] is None
    assert money["fewer_than"] == 3
    assert len(money["stories"]) <= 1


def test_the_threshold_is_the_workspaces(world, django_capture_on_commit_callbacks):
    type(world.workspace).objects.filter(pk=world.workspace.pk).update(small_count_threshold=5)
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    housing = {t["name"]: t for t in report.content["learnt"]["themes"]}["Housing"]
    assert housing["count"] is None
    assert housing["fewer_than"] == 5


def test_experiments_include_stopped_learnt_alike_and_leave_out_planned(report):
    experiments = {e["title"]: e for e in report.content["experiments"]}
    assert set(experiments) == {"Call before the letter", "Flexible fund"}
    stopped = experiments["Call before the letter"]
    assert stopped["outcome"] == "stop_learnt"
    assert stopped["outcome_label"] == "Stopped: learnt"
    assert stopped["learnt"] == "Calls came too late to help."


def test_barriers_and_their_answers_anonymised(report):
    (barrier,) = report.content["barriers"]
    assert barrier["from_cycle"] == "North team"
    assert barrier["to_cycle"] == "Riverside alliance"
    assert barrier["text"] == "The allocation rule blocks moves for [someone]."
    assert barrier["answers"][0]["text"] == "The panel may now waive the rule."


def test_participation_included_and_not_yet_included(report):
    place = {c["cycle"]: c for c in report.content["inclusion"]}["Riverside alliance"]
    groups = {g["status"]: [w["name"] for w in g["who"]] for g in place["groups"]}
    assert groups == {
        "invited": [],
        "taking_part": ["Riverside Council"],
        "heard": ["Tenants' forum"],
    }
    assert "Frontline practitioners" in place["not_yet_included"]
    assert "People served and their families" not in place["not_yet_included"]
    team = {c["cycle"]: c for c in report.content["inclusion"]}["North team"]
    assert "People served and their families" in team["not_yet_included"]


def test_sessions_held_are_counted_with_their_outputs(report):
    sessions = report.content["sessions"]
    assert sessions["count"] == 2  # not the cancelled one, nor another cycle's session
    assert {o["kind"]: o["count"] for o in sessions["outputs"]} == {"insight": 2, "decision": 1}


def test_reassembling_replaces_the_content_and_keeps_the_narrative(
    world, report, django_capture_on_commit_callbacks
):
    with tenant_scope(workspace_id=world.workspace.pk):
        section = ReportSection.objects.get(report=report, key="learnt")
        services.section_update(
            workspace=world.workspace, section=section, body="Our words.", version=1,
            user=world.steward.user,
        )  # fmt: skip
        LearningReport.objects.filter(pk=report.pk).update(content={"stale": True})
    with (
        django_capture_on_commit_callbacks(execute=True),
        tenant_scope(workspace_id=world.workspace.pk),
    ):
        services.report_reassemble(
            workspace=world.workspace, report=report, user=world.steward.user
        )
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
        section.refresh_from_db()
    assert "stale" not in report.content
    assert report.content["sessions"]["count"] == 2
    assert section.body == "Our words."


def test_progress_moves_in_committed_steps(world, report):
    """Each step starts from the progress the step before it recorded."""
    seen = []
    original_steps = list(assembly.STEPS)

    def recording(step):
        def run(workspace, report_, cycles):
            seen.append(LearningReport.objects.get(pk=report_.pk).assembly_progress)
            return step(workspace, report_, cycles)

        return run

    with mock.patch.object(assembly, "STEPS", [(k, recording(s), p) for k, s, p in original_steps]):
        assert assembly.assemble(workspace_id=world.workspace.pk, report_id=report.pk)
    assert seen == [0] + [p for _k, _s, p in original_steps[:-1]]


def test_a_failure_marks_the_report_failed_and_a_retry_assembles_it(world, report):
    def broken(*args):
        raise RuntimeError("boom")

    with mock.patch.object(assembly, "STEPS", [("purpose", broken, 10)]):
        assert assembly.assemble(workspace_id=world.workspace.pk, report_id=report.pk) is False
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    assert report.assembly == LearningReport.Assembly.FAILED
    assert assembly.assemble(workspace_id=world.workspace.pk, report_id=report.pk) is True
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    assert report.assembly == LearningReport.Assembly.READY


def test_a_published_report_is_not_reassembled(world, report):
    with tenant_scope(workspace_id=world.workspace.pk):
        services.report_publish(workspace=world.workspace, report=report, user=world.steward.user)
        LearningReport.objects.filter(pk=report.pk).update(content={"kept": True})
    assert assembly.assemble(workspace_id=world.workspace.pk, report_id=report.pk) is False
    with tenant_scope(workspace_id=world.workspace.pk):
        report.refresh_from_db()
    assert report.content == {"kept": True}


def test_anonymise_replaces_whole_words_only():
    assert assembly.anonymise("Sam met Samantha; sam left.", names=["Sam"]) == (
        "[someone] met Samantha; [someone] left."
    )
    assert assembly.excerpt("word " * 100, length=20).endswith("…")
