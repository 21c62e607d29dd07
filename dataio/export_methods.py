"""The export's files for guided methods: the workspace's own methods (templates, every version)
and the runs the member may see (`stewardship.methods.rules.may_see`, as a query): those inside
the run's cycle, its facilitator, the facilitator of the session it is held in, those taking
part and those invited to that session. Nobody else sees a run, admins outside included.

A run's answers go as its page shows them to the member (`selectors.step_views`): the group's,
the member's own, and others' only where the group may see them (an open step, an answer its
author chose to share, a private step revealed with its answers). A private step revealed as
a spread goes as counts per value (`run_spreads.csv`), never with who gave them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from dataio.export_naming import Naming, Rows, as_json, resource
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.methods.definition import Definition, DefinitionError, parse
from stewardship.methods.selectors import spread
from stewardship.models import (
    MethodRun,
    MethodRunLink,
    MethodTemplate,
    MethodTemplateVersion,
    RunAnswer,
    RunOutput,
    RunParticipant,
    SessionParticipant,
)


@resource(
    "id", "name", "summary", "source", "phases", "scales", "copied_from", "definition",
    "version", "archived", "created_by_email", "created_at", "updated_at",
)  # fmt: skip
def method_templates(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": t.pk,
            "name": t.name,
            "summary": t.summary,
            "source": t.source,
            "phases": "; ".join(t.phases),
            "scales": "; ".join(t.scales),
            "copied_from": t.copied_from,
            "definition": as_json(t.definition),
            "version": t.version,
            "archived": t.archived,
            "created_by_email": naming.email(t.created_by_id),
            "created_at": t.created_at,
            "updated_at": t.updated_at,
        }
        for t in MethodTemplate.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("template_id", "version", "name", "definition", "edited_by_email", "edited_at")
def method_template_versions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "template_id": v.template_id,
            "version": v.version,
            "name": v.name,
            "definition": as_json(v.definition),
            "edited_by_email": naming.email(v.edited_by_id),
            "edited_at": v.edited_at,
        }
        for v in MethodTemplateVersion.objects.filter(workspace=workspace).order_by(
            "template_id", "version"
        )
    ]


def runs_seen(workspace: Workspace, naming: Naming) -> QuerySet[MethodRun]:
    """`rules.may_see` as one query: the runs the member may open."""
    user_id = naming.user.pk
    took_part = RunParticipant.objects.filter(
        workspace=workspace, run=OuterRef("pk"), user_id=user_id
    )
    invited = SessionParticipant.objects.filter(
        workspace=workspace, session=OuterRef("occurrence__session"), user_id=user_id
    )
    return MethodRun.objects.filter(workspace=workspace).filter(
        Q(facilitator_id=user_id)
        | Q(occurrence__session__facilitator_id=user_id)
        | Q(cycle__system_id__in=sorted(naming.worked_in))
        | Q(Exists(took_part))
        | Q(Exists(invited))
    )


def _runs(workspace: Workspace, naming: Naming) -> list[MethodRun]:
    return naming.memo("runs", lambda: list(runs_seen(workspace, naming).order_by("pk")))


@resource(
    "id", "cycle_id", "cycle", "occurrence_id", "template_id", "builtin", "version", "name",
    "definition", "title", "why_this_method", "facilitator_email", "status", "step", "round",
    "revealed", "created_at", "completed_at",
)  # fmt: skip
def method_runs(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The runs the member may see, each with the method as it was when it started (its join
    code for guests is left out: it lets people in)."""
    return [
        {
            "id": r.pk,
            "cycle_id": r.cycle_id,
            "cycle": naming.cycle_of(r.cycle_id),
            "occurrence_id": r.occurrence_id,
            "template_id": r.template_id,
            "builtin": r.builtin,
            "version": r.version,
            "name": r.name,
            "definition": as_json(r.definition),
            "title": r.title,
            "why_this_method": r.why_this_method,
            "facilitator_email": naming.email(r.facilitator_id),
            "status": r.status,
            "step": r.step,
            "round": r.round,
            "revealed": "; ".join(r.revealed),
            "created_at": r.created_at,
            "completed_at": r.completed_at,
        }
        for r in _runs(workspace, naming)
    ]


@resource("run_id", "source_id", "created_at")
def method_run_links(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """A run that draws on another's selection (Most Significant Change), where the member sees
    the run that draws."""
    runs = [r.pk for r in _runs(workspace, naming)]
    return [
        {"run_id": link.run_id, "source_id": link.source_id, "created_at": link.created_at}
        for link in MethodRunLink.objects.filter(workspace=workspace, run_id__in=runs).order_by(
            "run_id", "source_id"
        )
    ]


@resource("id", "run_id", "member_email", "guest_name", "joined_at")
def run_participants(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Who took part: a member by email, a guest by the name they chose to show the group
    (never the secret their browser holds)."""
    runs = [r.pk for r in _runs(workspace, naming)]
    return [
        {
            "id": p.pk,
            "run_id": p.run_id,
            "member_email": naming.email(p.user_id),
            "guest_name": p.guest_name if p.user_id is None else "",
            "joined_at": p.joined_at,
        }
        for p in RunParticipant.objects.filter(workspace=workspace, run_id__in=runs).order_by(
            "run_id", "pk"
        )
    ]


def _definition(run: MethodRun) -> Definition | None:
    try:
        return parse(run.definition)
    except DefinitionError:
        return None


def _answers(workspace: Workspace, naming: Naming) -> list[tuple[MethodRun, RunAnswer, bool]]:
    """Every answer of the runs seen, with whether the member may see it (one query)."""

    def read() -> list[tuple[MethodRun, RunAnswer, bool]]:
        runs = {r.pk: r for r in _runs(workspace, naming)}
        definitions = {pk: _definition(r) for pk, r in runs.items()}
        found = []
        for answer in (
            RunAnswer.objects.filter(workspace=workspace, run_id__in=list(runs))
            .select_related("participant")
            .order_by("run_id", "round", "created_at", "pk")
        ):
            run, definition = runs[answer.run_id], definitions[answer.run_id]
            step = definition.step(answer.step) if definition else None
            participant = answer.participant
            if participant is None:
                seen = True  # the group's answer
            elif participant.user_id == naming.user.pk:
                seen = True  # one's own
            elif step is None:
                seen = False
            else:
                seen = (
                    not step.private
                    or answer.shared
                    or (step.key in run.revealed and step.reveal == "answers")
                )
            found.append((run, answer, seen))
        return found

    return naming.memo("answers", read)


@resource("id", "run_id", "participant_id", "step", "round", "data", "shared", "created_at",
          "updated_at")  # fmt: skip
def run_answers(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": a.pk,
            "run_id": a.run_id,
            "participant_id": a.participant_id,
            "step": a.step,
            "round": a.round,
            "data": as_json(a.data),
            "shared": a.shared,
            "created_at": a.created_at,
            "updated_at": a.updated_at,
        }
        for _run, a, seen in _answers(workspace, naming)
        if seen
    ]


@resource("run_id", "step", "round", "field", "value", "count")
def run_spreads(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """A private step revealed as a spread: how many gave each value of its scale and choice
    fields, never who (`selectors.spread`); every answer counts, as on the run's page."""
    groups: dict[tuple[int, str, int], list[RunAnswer]] = {}
    runs: dict[int, MethodRun] = {}
    for run, answer, _seen in _answers(workspace, naming):
        if answer.participant_id is not None:
            groups.setdefault((run.pk, answer.step, answer.round), []).append(answer)
            runs[run.pk] = run
    rows = []
    for (run_id, step_key, round_), given in sorted(groups.items()):
        run = runs[run_id]
        definition = _definition(run)
        step = definition.step(step_key) if definition else None
        if step is None or not step.private or step.key not in run.revealed:
            continue
        if step.reveal != "spread":
            continue
        for field_key, values in spread(step, given).items():
            rows += [
                {"run_id": run_id, "step": step_key, "round": round_, "field": field_key,
                 "value": value, "count": count}
                for value, count in values
            ]  # fmt: skip
    return rows


@resource("id", "run_id", "step", "round", "entry_id", "experiment_id", "actor_id",
          "factor_id", "created_at")  # fmt: skip
def run_outputs(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """What runs wrote into their cycles; one written as an entry only where the member may
    read the entry."""
    runs = [r.pk for r in _runs(workspace, naming)]
    return [
        {
            "id": o.pk,
            "run_id": o.run_id,
            "step": o.step,
            "round": o.round,
            "entry_id": o.entry_id,
            "experiment_id": o.experiment_id,
            "actor_id": o.actor_id,
            "factor_id": o.factor_id,
            "created_at": o.created_at,
        }
        for o in RunOutput.objects.filter(workspace=workspace, run_id__in=runs)
        .filter(Q(entry__isnull=True) | Q(entry__in=naming.entries().values("pk")))
        .order_by("pk")
    ]


RESOURCES = {
    "method_templates": method_templates,
    "method_template_versions": method_template_versions,
    "method_runs": method_runs,
    "method_run_links": method_run_links,
    "run_participants": run_participants,
    "run_answers": run_answers,
    "run_spreads": run_spreads,
    "run_outputs": run_outputs,
}
