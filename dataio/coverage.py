"""What the workspace export carries, model by model: every model that belongs to a workspace
(`WorkspaceOwned`) is either carried by one or more files of the export (`EXPORTED`) or left
out on purpose, with why (`NOT_EXPORTED`). tests/dataio/test_export_coverage.py fails when a
new model is in neither, and docs/import-export.md shows the table `not_exported_table` makes.
"""

from __future__ import annotations

from django.db import models

from cycles import models as cycles
from dataio import models as dataio
from hls.api import models as api
from hls.audit import models as audit
from hls.tenancy import models as tenancy
from hls.webhooks import models as webhooks
from stewardship import models as stewardship
from systems import models as systems

# The model: the files (resources of `dataio.exports.RESOURCES`) that carry it.
EXPORTED: dict[type[models.Model], tuple[str, ...]] = {
    tenancy.Organisation: ("organisations",),
    tenancy.Membership: ("members",),
    systems.Scale: ("scales",),
    systems.System: ("systems",),
    systems.SystemOrganisation: ("system_organisations",),
    systems.SystemMember: ("system_members",),
    systems.SystemChange: ("system_changes",),
    systems.Actor: ("actors",),
    systems.Factor: ("factors",),
    systems.Relationship: ("relationships",),
    systems.MapSnapshot: ("map_snapshots",),
    systems.Person: ("people",),
    systems.Consent: ("consents", "people"),
    cycles.Cycle: ("cycles",),
    cycles.CycleMember: ("cycle_members",),
    cycles.PhaseShift: ("phase_shifts",),
    cycles.Theme: ("themes",),
    cycles.ThemeChange: ("theme_changes",),
    cycles.Experiment: ("experiments",),
    cycles.ExperimentPerson: ("experiment_people",),
    cycles.ExperimentActor: ("experiment_actors",),
    cycles.Entry: ("entries",),
    cycles.EntryTheme: ("entries",),
    cycles.EntryRevision: ("entry_revisions",),
    cycles.CycleLink: ("cycle_links",),
    cycles.EntrySource: ("entry_sources",),
    cycles.ContextQuestion: ("context_questions",),
    cycles.ContextQuestionTarget: ("context_question_targets",),
    cycles.ContextAnswer: ("context_answers",),
    cycles.BarrierRoute: ("barrier_routes",),
    cycles.BarrierResponse: ("barrier_responses",),
    cycles.Enabler: ("enablers",),
    cycles.EnablerTarget: ("enabler_targets",),
    cycles.Measure: ("measures",),
    cycles.DataPoint: ("data_points",),
    cycles.WhatMatters: ("what_matters",),
    cycles.WhatMattersRating: ("what_matters_ratings",),
    cycles.SignifierSet: ("signifier_sets",),
    cycles.SignifierSetVersion: ("signifier_set_versions",),
    cycles.CycleSignifiers: ("cycle_signifiers",),
    cycles.Placement: ("placements",),
    stewardship.PlaceSetup: ("place_setups",),
    stewardship.Charter: ("charters",),
    stewardship.Principle: ("principles",),
    stewardship.CharterSignature: ("charter_signatures",),
    stewardship.StewardRole: ("steward_roles",),
    stewardship.Participation: ("participation",),
    stewardship.Accountability: ("accountabilities",),
    stewardship.Question: ("questions",),
    stewardship.QuestionRevision: ("question_revisions",),
    stewardship.Session: ("sessions",),
    stewardship.SessionCycle: ("session_cycles",),
    stewardship.SessionParticipant: ("session_participants",),
    stewardship.Occurrence: ("occurrences",),
    stewardship.OccurrenceQuestion: ("occurrence_questions",),
    stewardship.Attendance: ("attendance",),
    stewardship.HeardAnswer: ("heard",),
    stewardship.SessionOutput: ("session_outputs",),
    stewardship.LearningReport: ("learning_reports",),
    stewardship.ReportCycle: ("report_cycles",),
    stewardship.ReportSection: ("report_sections",),
    stewardship.ReportComment: ("report_comments",),
    stewardship.LearningTime: ("learning_time",),
    stewardship.StopDoing: ("stop_doing",),
    stewardship.HeadsUp: ("heads_ups",),
    stewardship.MethodTemplate: ("method_templates",),
    stewardship.MethodTemplateVersion: ("method_template_versions",),
    stewardship.MethodRun: ("method_runs",),
    stewardship.MethodRunLink: ("method_run_links",),
    stewardship.RunParticipant: ("run_participants",),
    stewardship.RunAnswer: ("run_answers", "run_spreads"),
    stewardship.RunOutput: ("run_outputs",),
}

# The model: why the export leaves it out.
NOT_EXPORTED: dict[type[models.Model], str] = {
    systems.PersonIdentity: "A person's identity (name, date of birth, contact) never leaves "
    "the workspace: it is shown only on screen, to those who work with the person, and each "
    "showing is audited.",
    cycles.EntryDraft: "What someone is typing and has not saved: private to its author, and "
    "dropped by retention.",
    cycles.EntryRollup: "Counts the database keeps from the entries for patterns; computed "
    "again from the entries, never written by anyone.",
    stewardship.HeardReceipt: "Only who answered \u201cdid you feel heard?\u201d, kept so "
    "nobody answers twice; exporting it would undo the answers' anonymity.",
    stewardship.Reminder: "The outbox of messages due to members: delivery machinery, made "
    "again from sessions, experiments and barriers.",
    stewardship.Notification: "A member's own inbox of notifications.",
    stewardship.NotificationPreference: "A member's own choices about email and quiet hours.",
    stewardship.CalendarFeed: "A secret link to a member's calendar (only its hash is kept).",
    stewardship.ReportExport: "Files built from a report (HTML, PDF, Markdown): the report "
    "itself is exported and builds them again.",
    tenancy.Invitation: "Offers to join, each with a signed link that lets someone in.",
    api.ApiKey: "Credentials of partner systems (hashed secrets).",
    api.IdempotencyRecord: "The API's memory of requests already answered, kept for a day.",
    webhooks.WebhookSubscription: "Where events are sent, with the secret that signs them.",
    webhooks.WebhookDelivery: "The log of events sent to partner systems.",
    audit.AuditEvent: "The audit log is evidence of who did what here; it stays where it was "
    "written and admins read it on the audit log page.",
    audit.Tombstone: "Markers of deletions for partner systems that sync through the API.",
    audit.RetentionRun: "Counts of what retention deleted, for the audit of retention here.",
    dataio.ImportRun: "Uploaded files and their checks: the records they made are exported.",
    dataio.ExportRun: "The exports themselves.",
}


def not_exported_table() -> str:
    """The Markdown table of the models left out, and why (docs/import-export.md)."""
    lines = ["| Model | Why it is not exported |", "|---|---|"]
    for model, why in sorted(NOT_EXPORTED.items(), key=lambda item: item[0]._meta.label):
        lines.append(f"| `{model._meta.label}` | {why} |")
    return "\n".join(lines)
