"""The export's files for the rest of the cycles' work: consent histories, who takes part in a
cycle, phase shifts, theme changes, the people and actors of experiments, entries' earlier
versions and lineage, links between cycles, questions back to context and their answers,
barriers on their way up with every answer, enablers, and the signifier set a cycle uses.

Each reads through the same rule as its page: people and their consent only for those who work
with them (`people_visible_to`); entries (their revisions, lineage, outputs) only where the
member may read the entry (`entries_visible_to`); barriers only in the chains of the routes the
member may open (`visible_route_ids`, then `barrier_chains`: answers all come home); and
someone's name (email) only where `cycles.trust` names them."""

from __future__ import annotations

from django.db.models import Q

from cycles.barriers.selectors import barrier_chains, visible_route_ids
from cycles.models import (
    BarrierRoute,
    ContextAnswer,
    ContextQuestion,
    ContextQuestionTarget,
    CycleLink,
    CycleMember,
    CycleSignifiers,
    Enabler,
    EnablerTarget,
    EntryRevision,
    EntrySource,
    ExperimentActor,
    ExperimentPerson,
    PhaseShift,
    ThemeChange,
)
from dataio.export_naming import Naming, Rows, as_json, resource
from dataio.kinds import share_level_token
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import Consent


@resource("person_id", "person", "level", "note", "recorded_by_email", "recorded_at")
def consents(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Every consent of the people the member works with, oldest first: the history the person
    page shows (the newest is in force, and is the one `people.csv` carries)."""
    return [
        {
            "person_id": c.person_id,
            "person": c.person.reference,
            "level": share_level_token(c.level),
            "note": c.note,
            "recorded_by_email": naming.email(c.recorded_by_id),
            "recorded_at": c.recorded_at,
        }
        for c in Consent.objects.filter(
            workspace=workspace, person__in=naming.people().values("pk")
        )
        .select_related("person")
        .order_by("person_id", "recorded_at", "pk")
    ]


@resource("cycle_id", "cycle", "email")
def cycle_members(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {"cycle_id": m.cycle_id, "cycle": naming.cycle_of(m.cycle_id), "email": email}
        for m in CycleMember.objects.filter(workspace=workspace).order_by("cycle_id", "pk")
        if (email := naming.email(m.user_id))
    ]


@resource(
    "id", "cycle_id", "cycle", "from_phase", "to_phase", "reason", "shifted_by_email",
    "shifted_at",
)  # fmt: skip
def phase_shifts(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "cycle_id": s.cycle_id,
            "cycle": naming.cycle_of(s.cycle_id),
            "from_phase": s.from_phase,
            "to_phase": s.to_phase,
            "reason": s.reason,
            "shifted_by_email": naming.email_in(s.shifted_by_id, s.cycle_id),
            "shifted_at": s.shifted_at,
        }
        for s in PhaseShift.objects.filter(workspace=workspace).order_by("cycle_id", "pk")
    ]


@resource("id", "theme_id", "action", "before", "after", "changed_by_email", "changed_at")
def theme_changes(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": c.pk,
            "theme_id": c.theme_id,
            "action": c.action,
            "before": c.before,
            "after": c.after,
            "changed_by_email": naming.email(c.changed_by_id),
            "changed_at": c.changed_at,
        }
        for c in ThemeChange.objects.filter(workspace=workspace).order_by("theme_id", "pk")
    ]


@resource("experiment_id", "person_id", "person")
def experiment_people(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The people involved in experiments, only those the member works with (the experiment's
    page says no more than that others are involved too)."""
    return [
        {
            "experiment_id": ep.experiment_id,
            "person_id": ep.person_id,
            "person": ep.person.reference,
        }
        for ep in ExperimentPerson.objects.filter(
            workspace=workspace, person__in=naming.people().values("pk")
        )
        .select_related("person")
        .order_by("experiment_id", "pk")
    ]


@resource("experiment_id", "actor_id", "actor")
def experiment_actors(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {"experiment_id": ea.experiment_id, "actor_id": ea.actor_id, "actor": ea.actor.name}
        for ea in ExperimentActor.objects.filter(workspace=workspace)
        .select_related("actor")
        .order_by("experiment_id", "pk")
    ]


@resource("entry_id", "kind", "phase", "text", "visibility", "edited_at")
def entry_revisions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Earlier versions of the entries the member may read (the entry's history page)."""
    return [
        {
            "entry_id": r.entry_id,
            "kind": r.kind,
            "phase": r.phase,
            "text": r.text,
            "visibility": share_level_token(r.visibility),
            "edited_at": r.edited_at,
        }
        for r in EntryRevision.objects.filter(
            workspace=workspace, entry__in=naming.entries().values("pk")
        ).order_by("entry_id", "edited_at", "pk")
    ]


@resource("id", "entry_id", "source_entry_id", "source_experiment_id", "added_at")
def entry_sources(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Lineage: where an entry came from, when the member may read both ends (an experiment
    as a source is seen by everyone)."""
    visible = naming.entries().values("pk")
    return [
        {
            "id": s.pk,
            "entry_id": s.entry_id,
            "source_entry_id": s.source_entry_id,
            "source_experiment_id": s.source_experiment_id,
            "added_at": s.added_at,
        }
        for s in EntrySource.objects.filter(workspace=workspace, entry__in=visible)
        .filter(Q(source_entry__in=visible) | Q(source_experiment__isnull=False))
        .order_by("pk")
    ]


@resource(
    "id", "cycle_id", "cycle", "other_id", "other", "kind", "reason", "created_by_email",
    "created_at", "ended_at", "end_reason",
)  # fmt: skip
def cycle_links(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": link.pk,
            "cycle_id": link.cycle_id,
            "cycle": naming.cycle_of(link.cycle_id),
            "other_id": link.other_id,
            "other": naming.cycle_of(link.other_id),
            "kind": link.kind,
            "reason": link.reason,
            "created_by_email": naming.email_in(link.created_by_id, link.cycle_id),
            "created_at": link.created_at,
            "ended_at": link.ended_at,
            "end_reason": link.end_reason,
        }
        for link in CycleLink.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource(
    "id", "asked_from_id", "asked_from", "asked_by_email", "text", "origin", "created_at"
)  # fmt: skip
def context_questions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Questions sent from a pattern back to the cycles below (every member reads them)."""
    return [
        {
            "id": q.pk,
            "asked_from_id": q.asked_from_id,
            "asked_from": naming.cycle_of(q.asked_from_id),
            "asked_by_email": naming.email_in(q.asked_by_id, q.asked_from_id),
            "text": q.text,
            "origin": as_json(q.origin),
            "created_at": q.created_at,
        }
        for q in ContextQuestion.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("id", "question_id", "cycle_id", "cycle", "answered_at")
def context_question_targets(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": t.pk,
            "question_id": t.question_id,
            "cycle_id": t.cycle_id,
            "cycle": naming.cycle_of(t.cycle_id),
            "answered_at": t.answered_at,
        }
        for t in ContextQuestionTarget.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("id", "target_id", "author_email", "text", "created_at")
def context_answers(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": a.pk,
            "target_id": a.target_id,
            "author_email": naming.email_in(a.author_id, a.target.cycle_id),
            "text": a.text,
            "created_at": a.created_at,
        }
        for a in ContextAnswer.objects.filter(workspace=workspace)
        .select_related("target")
        .order_by("pk")
    ]


def _barrier_routes(workspace: Workspace, user: User, naming: Naming) -> list[BarrierRoute]:
    """Every route of the chains holding a route the member may open (three queries), oldest
    first; each route's `responses` loaded."""
    opened = list(visible_route_ids(workspace=workspace, user=user).only("pk"))
    chains = barrier_chains(workspace=workspace, trust=naming.trust, routes=opened)
    routes = {r.pk: r for chain in chains.values() for r in chain.routes}
    return sorted(routes.values(), key=lambda r: (r.raised_at, r.pk))


@resource(
    "id", "entry_id", "from_cycle_id", "from_cycle", "to_cycle_id", "to_cycle", "state",
    "passed_from_id", "raised_by_email", "raised_at",
)  # fmt: skip
def barrier_routes(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Barriers on their way up: the routes of every chain the member may open (a member of the
    raising or of a receiving cycle). The barrier's words are its entry's (`entries.csv`, when
    the member may read it)."""
    return [
        {
            "id": r.pk,
            "entry_id": r.entry_id,
            "from_cycle_id": r.from_cycle_id,
            "from_cycle": naming.cycle_of(r.from_cycle_id),
            "to_cycle_id": r.to_cycle_id,
            "to_cycle": naming.cycle_of(r.to_cycle_id),
            "state": r.state,
            "passed_from_id": r.passed_from_id,
            "raised_by_email": naming.email_in(r.raised_by_id, r.from_cycle_id),
            "raised_at": r.raised_at,
        }
        for r in naming.memo("routes", lambda: _barrier_routes(workspace, user, naming))
    ]


@resource("id", "route_id", "state", "text", "responded_by_email", "responded_at")
def barrier_responses(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Every answer of those chains, at every level, oldest first; who answered only to those
    inside the answering cycle."""
    rows = [
        {
            "id": response.pk,
            "route_id": r.pk,
            "state": response.state,
            "text": response.text,
            "responded_by_email": (
                naming.email(response.responded_by_id) if naming.inside(r.to_cycle_id) else ""
            ),
            "responded_at": response.responded_at,
        }
        for r in naming.memo("routes", lambda: _barrier_routes(workspace, user, naming))
        for response in r.responses.all()
    ]
    return sorted(rows, key=lambda row: (row["responded_at"], row["id"]))


@resource("id", "cycle_id", "cycle", "kind", "text", "barrier_route_id", "created_by_email",
          "created_at")  # fmt: skip
def enablers(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """What cycles do to enable the cycles below (about no one: every member sees them)."""
    return [
        {
            "id": e.pk,
            "cycle_id": e.cycle_id,
            "cycle": naming.cycle_of(e.cycle_id),
            "kind": e.kind,
            "text": e.text,
            "barrier_route_id": e.barrier_route_id,
            "created_by_email": naming.email_in(e.created_by_id, e.cycle_id),
            "created_at": e.created_at,
        }
        for e in Enabler.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("enabler_id", "cycle_id", "cycle")
def enabler_targets(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {"enabler_id": t.enabler_id, "cycle_id": t.cycle_id, "cycle": naming.cycle_of(t.cycle_id)}
        for t in EnablerTarget.objects.filter(workspace=workspace).order_by("enabler_id", "pk")
    ]


@resource("cycle_id", "cycle", "signifier_set_id", "attached_at")
def cycle_signifiers(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "cycle_id": a.cycle_id,
            "cycle": naming.cycle_of(a.cycle_id),
            "signifier_set_id": a.signifier_set_id,
            "attached_at": a.attached_at,
        }
        for a in CycleSignifiers.objects.filter(workspace=workspace).order_by("cycle_id")
    ]


RESOURCES = {
    "consents": consents,
    "cycle_members": cycle_members,
    "phase_shifts": phase_shifts,
    "theme_changes": theme_changes,
    "experiment_people": experiment_people,
    "experiment_actors": experiment_actors,
    "entry_revisions": entry_revisions,
    "entry_sources": entry_sources,
    "cycle_links": cycle_links,
    "context_questions": context_questions,
    "context_question_targets": context_question_targets,
    "context_answers": context_answers,
    "barrier_routes": barrier_routes,
    "barrier_responses": barrier_responses,
    "enablers": enablers,
    "enabler_targets": enabler_targets,
    "cycle_signifiers": cycle_signifiers,
}
