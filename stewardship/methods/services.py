"""Writes for guided methods: templates (versioned data), runs, joining (members and guests),
answers, moving the group, revealing private answers, going round again, and completing a run,
which writes its results into the cycle, each linked back to the run (RunOutput).

Who may do what is stewardship/methods/rules.py. Keyword-only, typed; ValidationError names
the field, so the page shows the message beside it and keeps what was typed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.experiments.services import ExperimentDesign, experiment_create
from cycles.models import Cycle, Phase
from cycles.services import entry_create
from cycles.trust import require_steer, trust_for
from hls.accounts.models import User
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Workspace
from hls.webhooks.services import webhook_emit
from stewardship.methods import answers as answer_rules
from stewardship.methods import selectors
from stewardship.methods.builtin import builtin as find_builtin
from stewardship.methods.definition import Definition, DefinitionError, Step, parse
from stewardship.methods.rules import may_facilitate, may_join
from stewardship.models import (
    MethodRun,
    MethodRunLink,
    MethodTemplate,
    MethodTemplateVersion,
    Occurrence,
    RunAnswer,
    RunOutput,
    RunParticipant,
    SessionCycle,
)
from stewardship.questions.seed import SCALE_NAMES
from systems.models import Actor, Factor, ShareLevel
from systems.services import actor_create, factor_create

GUEST_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a room
GUEST_CODE_LENGTH = 8


class MovedMeanwhile(Exception):
    """Someone else moved the group (another facilitator, another tab): the move is not made,
    and the page shows where the group is now."""

    def __init__(self, run: MethodRun) -> None:
        super().__init__("moved meanwhile")
        self.run = run


# --- Templates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateFields:
    name: str
    summary: str
    source: str
    phases: Sequence[str]
    scales: Sequence[str]
    definition: Any  # JSON: checked by definition.parse


def _clean_template(fields: TemplateFields) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    name = fields.name.strip()
    if not name:
        errors["name"] = _("Give the method a name.")
    elif len(name) > 160:
        errors["name"] = _("Keep the name to 160 characters.")
    phases = [p for p in fields.phases if p]
    if not phases or any(p not in Phase.values for p in phases):
        errors["phases"] = _("Choose the phases it serves.")
    scales = [s for s in fields.scales if s]
    if any(s not in SCALE_NAMES for s in scales):
        errors["scales"] = _("Choose scales from the list.")
    try:
        parse(fields.definition)
    except DefinitionError as error:
        errors["definition"] = error.messages
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "summary": fields.summary.strip(),
        "source": fields.source.strip()[:400],
        "phases": phases,
        "scales": scales,
        "definition": fields.definition,
    }


def _keep_version(*, workspace: Workspace, template: MethodTemplate, user: User) -> None:
    MethodTemplateVersion.objects.create(
        workspace=workspace,
        template=template,
        version=template.version,
        name=template.name,
        definition=template.definition,
        edited_by=user,
    )


@transaction.atomic
def template_create(*, workspace: Workspace, user: User, fields: TemplateFields) -> MethodTemplate:
    """A workspace's own method, written in the browser (or through the API)."""
    template = MethodTemplate.objects.create(
        workspace=workspace, created_by=user, **_clean_template(fields)
    )
    _keep_version(workspace=workspace, template=template, user=user)
    return template


@transaction.atomic
def template_copy(*, workspace: Workspace, user: User, key: str) -> MethodTemplate:
    """Copy a built-in into the workspace's own templates, to adapt it."""
    found = find_builtin(key)
    if found is None:
        raise ValidationError({"builtin": _("There is no built-in method of that name.")})
    template = MethodTemplate.objects.create(
        workspace=workspace,
        created_by=user,
        name=_("%(name)s (our version)") % {"name": found.name},
        summary=found.summary,
        source=found.source,
        phases=list(found.phases),
        scales=list(found.scales),
        copied_from=found.key,
        definition=found.definition,
    )
    _keep_version(workspace=workspace, template=template, user=user)
    return template


@transaction.atomic
def template_update(
    *,
    workspace: Workspace,
    template: MethodTemplate,
    user: User,
    fields: TemplateFields,
    revision: int | None = None,
) -> MethodTemplate:
    """Change a template. A change of its steps is a new version, kept; runs in progress keep
    the version they started with (they hold their own copy of the steps)."""
    cleaned = _clean_template(fields)
    current = lock_current(MethodTemplate, workspace=workspace, pk=template.pk)
    require_current(
        current,
        revision=revision,
        fields=["name", "summary", "source", "definition"],
        values={"definition": selectors.definition_text(current.definition)},
        labels={"definition": _("steps")},
    )
    steps_changed = cleaned["definition"] != current.definition or cleaned["name"] != current.name
    for name, value in cleaned.items():
        setattr(current, name, value)
    current.revision = next_revision(current)
    if steps_changed:
        current.version += 1
    current.save()
    if steps_changed:
        _keep_version(workspace=workspace, template=current, user=user)
    return current


def template_set_archived(
    *, workspace: Workspace, template: MethodTemplate, archived: bool
) -> MethodTemplate:
    """Archived templates are not offered for new runs; their runs and versions stay."""
    MethodTemplate.objects.filter(workspace=workspace, pk=template.pk).update(archived=archived)
    template.archived = archived
    return template


# --- Runs -------------------------------------------------------------------------------------


def _new_guest_code() -> str:
    return "".join(secrets.choice(GUEST_CODE_ALPHABET) for _i in range(GUEST_CODE_LENGTH))


def guest_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def run_start(
    *,
    workspace: Workspace,
    user: User,
    cycle: Cycle,
    builtin: str = "",
    template: MethodTemplate | None = None,
    occurrence: Occurrence | None = None,
    title: str = "",
    why_this_method: str = "",
    guests: bool = False,
    draws_from: Sequence[MethodRun] = (),
) -> MethodRun:
    """Start a method in a cycle (in a meeting when `occurrence` is given). Those inside the
    cycle start it, or the meeting's facilitator for a cycle of the session. The run keeps the
    method's steps as they are now. With `guests`, a code lets people without an account join.
    `draws_from`: earlier runs of the same method whose selections this run considers (a Most
    Significant Change level above); the user must be able to see each."""
    if cycle.workspace_id != workspace.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this workspace.")})
    if occurrence is not None:
        in_session = SessionCycle.objects.filter(
            workspace=workspace, session_id=occurrence.session_id, cycle=cycle
        ).exists()
        if not in_session:
            raise ValidationError({"cycle": _("Choose one of the meeting's cycles.")})
        if occurrence.session.facilitator_id != user.pk:
            require_steer(workspace=workspace, user=user, cycle=cycle)
    else:
        require_steer(workspace=workspace, user=user, cycle=cycle)
    if template is not None:
        if template.workspace_id != workspace.pk or template.archived:
            raise ValidationError({"method": _("Choose one of the methods offered.")})
        name, version, definition, key = template.name, template.version, template.definition, ""
    else:
        found = find_builtin(builtin)
        if found is None:
            raise ValidationError({"method": _("Choose one of the methods offered.")})
        name, version, definition, key = found.name, found.version, found.definition, found.key
    title, why = title.strip(), why_this_method.strip()
    if len(title) > 200:
        raise ValidationError({"title": _("Keep it to 200 characters.")})
    run = MethodRun.objects.create(
        workspace=workspace,
        cycle=cycle,
        occurrence=occurrence,
        template=template,
        builtin=key,
        version=version,
        name=name,
        definition=definition,
        title=title,
        why_this_method=why,
        facilitator=user,
        created_by=user,
        step_started_at=timezone.now(),
        guest_code=_new_guest_code() if guests else "",
    )
    for source in draws_from:
        run_draw_from(workspace=workspace, run=run, user=user, source=source)
    RunParticipant.objects.create(workspace=workspace, run=run, user=user)
    return run


def run_draw_from(*, workspace: Workspace, run: MethodRun, user: User, source: MethodRun) -> None:
    """Let `run` consider what `source` selected (a level above in Most Significant Change)."""
    if source.pk == run.pk or source.workspace_id != workspace.pk:
        raise ValidationError({"draws_from": _("Choose another run of this method.")})
    if (source.builtin, source.template_id) != (run.builtin, run.template_id):
        raise ValidationError({"draws_from": _("Choose a run of the same method.")})
    if not selectors.may_see_run(workspace=workspace, run=source, user=user):
        raise ValidationError({"draws_from": _("Choose a run you took part in.")})
    MethodRunLink.objects.get_or_create(workspace=workspace, run=run, source=source)


def run_offer_up(*, workspace: Workspace, run: MethodRun, user: User, to: MethodRun) -> None:
    """Offer what this run selected to an open run of the same method in a cycle directly above
    (Most Significant Change travels up by the level below choosing to send it; those above
    never take it). The level above then considers these stories beside its own, and its choice
    and reasons come back down to this run's storytellers (selectors.chain_for)."""
    if not may_facilitate(workspace=workspace, run=run, user=user):
        raise PermissionDenied(_("Only the run's facilitator, or those in its cycle, offer it."))
    if to.pk not in {r.pk for r in selectors.runs_to_offer_up(workspace=workspace, run=run)}:
        raise ValidationError({"to": _("Choose an open run of this method in a cycle above.")})
    MethodRunLink.objects.get_or_create(workspace=workspace, run=to, source=run)


def _require_open(run: MethodRun) -> None:
    if run.status != MethodRun.Status.OPEN:
        raise ValidationError(
            {"run": _("This run is completed; what it found is in the cycle. Start another.")}
        )


@transaction.atomic
def run_join(*, workspace: Workspace, run: MethodRun, user: User) -> RunParticipant:
    """Join a run as a member (again: the same place, with one's answers)."""
    if not may_join(workspace=workspace, run=run, user=user):
        raise PermissionDenied(_("Only those in the cycle or in the meeting join this run."))
    participant, _created = RunParticipant.objects.get_or_create(
        workspace=workspace, run=run, user=user
    )
    return participant


@transaction.atomic
def guest_join(*, workspace: Workspace, run: MethodRun, name: str) -> tuple[RunParticipant, str]:
    """A guest joins by the run's code: they choose the name the group sees. Returns the secret
    their browser keeps (only its hash is stored)."""
    if not run.guest_code or run.status != MethodRun.Status.OPEN:
        raise ValidationError(
            {"code": _("This run has closed; thank you. Ask the facilitator if you need it.")}
        )
    name = name.strip()
    if not name:
        raise ValidationError({"guest_name": _("Say what the group may call you.")})
    if len(name) > 80:
        raise ValidationError({"guest_name": _("Keep it to 80 characters.")})
    secret = secrets.token_urlsafe(32)
    participant = RunParticipant.objects.create(
        workspace=workspace, run=run, guest_name=name, token=guest_secret_hash(secret)
    )
    return participant, secret


def _items(*, workspace: Workspace, run: MethodRun, step: Step) -> dict[str, frozenset[str]]:
    return {
        f.key: frozenset(
            i.id for i in selectors.items(workspace=workspace, run=run, source=f.source)
        )
        for f in step.fields
        if f.type in ("select", "rank")
    }


def _step(definition: Definition, key: str) -> Step:
    step = definition.step(key)
    if step is None:
        raise ValidationError({"step": _("That step is not part of this method.")})
    return step


@transaction.atomic
def answer_save(
    *,
    workspace: Workspace,
    run: MethodRun,
    participant: RunParticipant,
    step_key: str,
    data: Mapping[str, Any],
    shared: bool = False,
    revision: int | None = None,
) -> RunAnswer:
    """Save a participant's answer to a step (the group's, for a group or facilitator step).
    Steps up to the one the group is on may be answered, so a half-finished run can be taken up
    again later. Group answers carry a revision: two people typing the group's answer at once
    are shown both versions (EditConflict)."""
    _require_open(run)
    if participant.run_id != run.pk:
        raise PermissionDenied
    definition = parse(run.definition)
    step = _step(definition, step_key)
    if definition.index(step.key) > run.step:
        raise ValidationError({"step": _("The group has not reached this step yet.")})
    if step.who == "facilitator" and (
        participant.user is None
        or not may_facilitate(workspace=workspace, run=run, user=participant.user)
    ):
        raise PermissionDenied(_("The facilitator answers this step."))
    cleaned = answer_rules.clean(step, data, _items(workspace=workspace, run=run, step=step))
    owner = participant if step.who == "each" else None
    answer = (
        RunAnswer.objects.select_for_update()
        .filter(workspace=workspace, run=run, participant=owner, step=step.key, round=run.round)
        .first()
    )
    if answer is None:
        try:
            with transaction.atomic():
                return RunAnswer.objects.create(
                    workspace=workspace,
                    run=run,
                    participant=owner,
                    step=step.key,
                    round=run.round,
                    data=cleaned,
                    shared=shared and step.private,
                )
        except IntegrityError:  # someone saved the first answer meanwhile: compare with it
            answer = RunAnswer.objects.select_for_update().get(
                workspace=workspace, run=run, participant=owner, step=step.key, round=run.round
            )
            revision = 0
    if owner is None:
        require_current(
            answer,
            revision=revision,
            fields=[f.key for f in step.fields],
            values={f.key: selectors.shown(f, answer.data.get(f.key)) for f in step.fields},
            labels={f.key: f.label for f in step.fields},
        )
    answer.data = cleaned
    answer.shared = shared and step.private
    answer.revision = next_revision(answer)
    answer.save(update_fields=["data", "shared", "revision", "updated_at"])
    return answer


def _locked(*, workspace: Workspace, run: MethodRun, user: User) -> MethodRun:
    current = lock_current(
        MethodRun, workspace=workspace, pk=run.pk, related=["cycle"], of=["self"]
    )
    if not may_facilitate(workspace=workspace, run=current, user=user):
        raise PermissionDenied(_("Only the facilitator, or those in the cycle, move the group."))
    _require_open(current)
    return current


def _group_gaps(*, run: MethodRun, steps: Sequence[Step]) -> list[str]:
    """Group and facilitator steps among `steps` whose needed fields are unanswered."""
    given = {
        a.step: a.data
        for a in RunAnswer.objects.filter(
            workspace_id=run.workspace_id, run=run, participant=None, round=run.round
        )
    }
    gaps = []
    for step in steps:
        if step.who != "each":
            empty = answer_rules.missing(step, given.get(step.key))
            if empty:
                gaps.append(
                    _("“%(step)s” still needs: %(fields)s.")
                    % {"step": step.title, "fields": ", ".join(f.label for f in empty)}
                )
    return gaps


@transaction.atomic
def run_move(
    *, workspace: Workspace, run: MethodRun, user: User, to: int, expected: int
) -> MethodRun:
    """Move the group to step `to` (a step's index). `expected` is the step the facilitator's
    page showed: if someone moved the group since, MovedMeanwhile and nothing changes. Moving on
    past a group step that still needs an answer is refused, naming what is missing."""
    current = _locked(workspace=workspace, run=run, user=user)
    if current.step != expected:
        raise MovedMeanwhile(current)
    steps = parse(current.definition).steps
    if not 0 <= to < len(steps):
        raise ValidationError({"step": _("There is no such step.")})
    gaps = _group_gaps(run=current, steps=steps[current.step : to]) if to > current.step else []
    if gaps:
        raise ValidationError({"step": gaps})
    current.step = to
    current.step_started_at = timezone.now()
    current.revision = next_revision(current)
    current.save(update_fields=["step", "step_started_at", "revision", "updated_at"])
    return current


@transaction.atomic
def run_reveal(*, workspace: Workspace, run: MethodRun, user: User, step_key: str) -> MethodRun:
    """Show the group a private step's answers, all together (as the step's `reveal` says)."""
    current = _locked(workspace=workspace, run=run, user=user)
    step = _step(parse(current.definition), step_key)
    if not step.private:
        raise ValidationError({"step": _("Answers to this step are seen as they arrive.")})
    if step.key not in current.revealed:
        current.revealed = [*current.revealed, step.key]
        current.revision = next_revision(current)
        current.save(update_fields=["revealed", "revision", "updated_at"])
    return current


@transaction.atomic
def run_again(*, workspace: Workspace, run: MethodRun, user: User, expected: int) -> MethodRun:
    """Go round again (action inquiry): a new round from the method's `repeat_from` step; the
    earlier rounds' answers stay, and are written into the cycle when the run completes."""
    current = _locked(workspace=workspace, run=run, user=user)
    if current.step != expected:
        raise MovedMeanwhile(current)
    definition = parse(current.definition)
    if not definition.repeat_from:
        raise ValidationError({"step": _("This method does not go round again.")})
    gaps = _group_gaps(run=current, steps=definition.steps)
    if gaps:
        raise ValidationError({"step": gaps})
    current.round += 1
    current.step = definition.index(definition.repeat_from)
    current.step_started_at = timezone.now()
    current.revealed = [k for k in current.revealed if definition.index(k) < current.step]
    current.revision = next_revision(current)
    current.save()
    return current


def _entry_author(*, workspace: Workspace, run: MethodRun, answer: RunAnswer, by: User) -> User:
    """Words are written into the cycle under their author's name when the author works in the
    cycle; a guest's or a visitor's words under the name of the one completing the run."""
    who = answer.participant.user if answer.participant is not None else None
    if who is not None and trust_for(workspace=workspace, user=who).inside(run.cycle):
        return who
    return by


def _texts(*, workspace: Workspace, run: MethodRun, answer: RunAnswer, field_key: str) -> list[str]:
    value = answer.data.get(field_key)
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Mapping):  # a selection: each chosen item, with why it was chosen
        found = selectors.item_texts(workspace=workspace, ids=value.get("chosen", []))
        reasons = value.get("reasons", {})
        return [
            _("%(item)s\n\nWhy it was chosen: %(why)s") % {"item": found[i], "why": reasons[i]}
            if reasons.get(i)
            else found[i]
            for i in value.get("chosen", [])
            if i in found
        ]
    return []


def _map_changes(
    *, workspace: Workspace, run: MethodRun, step: Step, answer: RunAnswer, write: dict[str, Any]
) -> list[RunOutput]:
    """Each line of the field names an actor (or a factor) added to the cycle's system map;
    a name already on the map is left as it is."""
    value = answer.data.get(write["field"])
    names = (
        [n.strip()[:160] for n in value.splitlines() if n.strip()] if isinstance(value, str) else []
    )
    system = run.cycle.system
    model = Actor if write["as"] == "actor" else Factor
    have = {
        n.lower()
        for n in model.objects.filter(workspace=workspace, system=system).values_list(
            "name", flat=True
        )
    }
    outputs = []
    for name in dict.fromkeys(names):
        if name.lower() in have:
            continue
        have.add(name.lower())
        if write["as"] == "actor":
            made: dict[str, Any] = {
                "actor": actor_create(
                    workspace=workspace,
                    system=system,
                    name=name,
                    kind=write["kind"],
                    participation=write["participation"],
                )
            }
        else:
            made = {"factor": factor_create(workspace=workspace, system=system, name=name)}
        outputs.append(
            RunOutput.objects.create(
                workspace=workspace, run=run, step=step.key, round=answer.round, **made
            )
        )
    return outputs


def _write(
    *, workspace: Workspace, run: MethodRun, step: Step, answer: RunAnswer, by: User
) -> list[RunOutput]:
    outputs = []
    for write in step.writes:
        made: dict[str, Any] = {}
        if write["as"] == "entry":
            author = _entry_author(workspace=workspace, run=run, answer=answer, by=by)
            for text in _texts(
                workspace=workspace, run=run, answer=answer, field_key=write["field"]
            ):
                made = {
                    "entry": entry_create(
                        workspace=workspace,
                        author=author,
                        cycle=run.cycle,
                        kind=write["kind"],
                        text=text,
                        visibility=ShareLevel.TEAM,
                    )
                }
                outputs.append(
                    RunOutput.objects.create(
                        workspace=workspace, run=run, step=step.key, round=answer.round, **made
                    )
                )
        elif write["as"] in ("actor", "factor"):
            outputs += _map_changes(
                workspace=workspace, run=run, step=step, answer=answer, write=write
            )
        else:
            values = {
                name: str(answer.data.get(key) or "") for name, key in write["fields"].items()
            }
            if not values["title"] or not values["what_we_will_try"]:
                continue
            design = ExperimentDesign(
                title=values["title"][:160],
                what_we_will_try=values["what_we_will_try"],
                prediction=values.get("prediction", ""),
                how_we_will_know=values.get("how_we_will_know", ""),
                safe_to_fail_limits=values.get("safe_to_fail_limits", ""),
            )
            experiment = experiment_create(
                workspace=workspace, cycle=run.cycle, created_by=by, design=design
            )
            outputs.append(
                RunOutput.objects.create(
                    workspace=workspace,
                    run=run,
                    step=step.key,
                    round=answer.round,
                    experiment=experiment,
                )
            )
    return outputs


@transaction.atomic
def run_complete(*, workspace: Workspace, run: MethodRun, user: User) -> list[RunOutput]:
    """Complete the run: what its steps write goes into the cycle, each linked back to the run
    (and through it to the meeting). Private answers are written only when their step was
    revealed (as answers) or their author shared them. The guest code stops working."""
    current = _locked(workspace=workspace, run=run, user=user)
    definition = parse(current.definition)
    gaps = _group_gaps(run=current, steps=definition.steps)
    if gaps:
        raise ValidationError({"step": gaps})
    outputs: list[RunOutput] = []
    answers = (
        RunAnswer.objects.filter(workspace=workspace, run=current)
        .select_related("participant__user")
        .order_by("round", "created_at", "pk")
    )
    for answer in answers:
        step = definition.step(answer.step)
        if step is None or not step.writes:
            continue
        hidden = step.private and not (
            answer.shared or (step.key in current.revealed and step.reveal == "answers")
        )
        if not hidden:
            outputs += _write(workspace=workspace, run=current, step=step, answer=answer, by=user)
    current.status = MethodRun.Status.COMPLETED
    current.completed_at = timezone.now()
    current.guest_code = ""
    current.revision = next_revision(current)
    current.save()
    webhook_emit(
        workspace=workspace,
        event="method_run.completed",
        resource="method_run",
        object_id=current.pk,
        data={
            "cycle": current.cycle_id,
            "method": current.builtin or f"template:{current.template_id}",
            "version": current.version,
            "outputs": len(outputs),
        },
    )
    return outputs
