"""Learning reports that quote a story about one person, for their subject access file
(systems/people/subject_access.py). A report quotes a story as an anonymised excerpt (the
person's alias and reference masked), but the excerpt is still their story: it is listed, with
the report it is in. Two queries, whatever the number of reports."""

from __future__ import annotations

from django.db.models import QuerySet

from cycles.models import Entry
from hls.tenancy.models import Workspace
from stewardship.models import LearningReport
from systems.models import Person
from systems.people import subject_access
from systems.people.subject_access import Part


def reports_quoting(*, workspace: Workspace, person: Person) -> list[tuple[LearningReport, dict]]:
    """(report, quoted story) for each story about the person a report quotes."""
    about = dict(
        Entry.objects.filter(workspace=workspace, person=person).values_list("pk", "cycle_id")
    )
    if not about:
        return []
    reports: QuerySet[LearningReport] = (
        LearningReport.objects.filter(
            workspace=workspace, reportcycle__cycle_id__in=set(about.values())
        )
        .distinct()
        .only("pk", "title", "status", "period_start", "period_end", "content")
        .order_by("period_start", "pk")
    )
    found = []
    for report in reports:
        learnt = (report.content or {}).get("learnt") or {}
        for theme in learnt.get("themes", []):
            for story in theme.get("stories", []):
                if story.get("entry_id") in about:
                    found.append((report, {**story, "theme": theme.get("name", "")}))
    return found


def parts(workspace: Workspace, person: Person) -> list[Part]:
    rows = [
        {
            "report_id": report.pk,
            "report": report.title,
            "period": f"{report.period_start.isoformat()} to {report.period_end.isoformat()}",
            "status": report.get_status_display(),
            "entry_id": story["entry_id"],
            "theme": story["theme"],
            "excerpt_quoted": story.get("excerpt", ""),
        }
        for report, story in reports_quoting(workspace=workspace, person=person)
    ]
    return [
        Part(
            "report_quotes",
            "Learning reports quoting their stories",
            "Learning reports (an account of what was learnt, for a board or funder) that quote "
            "a story about them, and the excerpt quoted. Reports name nobody: in the excerpt "
            "their alias and reference are replaced by [someone].",
            rows,
            ("report_id", "report", "period", "status", "entry_id", "theme", "excerpt_quoted"),
        )
    ]


def connect() -> None:
    subject_access.add_part_provider(parts)
