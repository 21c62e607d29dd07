"""Writes for experiments. Keyword-only, typed, atomic.

An experiment is designed (planned), started (which needs a prediction and dates: it is how
we learn from the surprise), and ended with an outcome and what was learnt. Once it runs its
design is frozen: a change makes a new version, and the old one stays as history.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.experiments.selectors import owners_inside
from cycles.models import Cycle, Experiment, ExperimentActor, ExperimentPerson
from cycles.trust import require_steer
from hls.accounts.models import User
from hls.conflicts import next_revision, require_current
from hls.tenancy.models import Workspace
from hls.webhooks.services import webhook_emit
from systems.models import Actor, Person
from systems.selectors import people_worked_with

TITLE_MAX = 160
TEXT_MAX = 5000
# What a stale design edit shows side by side (the free text of the design).
CONFLICT_FIELDS = (
    "title",
    "what_we_will_try",
    "why",
    "prediction",
    "how_we_will_know",
    "safe_to_fail_limits",
)
DESIGN_FIELDS = (
    "title",
    "what_we_will_try",
    "why",
    "prediction",
    "how_we_will_know",
    "safe_to_fail_limits",
    "starts_on",
    "ends_on",
)


def owner_outside_message() -> str:
    return _("Choose someone who takes part in this cycle or works in its team.")


def prediction_missing_message() -> str:
    return _(
        "Write what you expect to happen before it starts — it's how we learn from the surprise."
    )


@dataclass
class ExperimentDesign:
    """What can be designed (and, once running, only changed by a new version)."""

    title: str
    what_we_will_try: str
    why: str = ""
    prediction: str = ""
    how_we_will_know: str = ""
    safe_to_fail_limits: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    owner: User | None = None
    people: Sequence[Person] = field(default_factory=list)
    actors: Sequence[Actor] = field(default_factory=list)


def _clean_design(
    *, workspace: Workspace, cycle: Cycle, editor: User, design: ExperimentDesign
) -> ExperimentDesign:
    errors: dict[str, str] = {}
    for name in DESIGN_FIELDS[:6]:
        value = getattr(design, name).strip()
        if name == "title":
            value = " ".join(value.split())
        setattr(design, name, value)
        if len(value) > (TITLE_MAX if name == "title" else TEXT_MAX):
            errors[name] = _("Keep this to %(max)d characters or fewer.") % {
                "max": TITLE_MAX if name == "title" else TEXT_MAX
            }
    if not design.title:
        errors["title"] = _("Give the experiment a short title.")
    if not design.what_we_will_try:
        errors["what_we_will_try"] = _("Say what you will try.")
    if design.starts_on and design.ends_on and design.ends_on < design.starts_on:
        errors["ends_on"] = _("The end date is before the start date. Choose a later end date.")
    if design.owner is None:
        design.owner = editor
    elif not owners_inside(workspace=workspace, cycle=cycle).filter(pk=design.owner.pk).exists():
        errors["owner"] = owner_outside_message()
    allowed_people = set(
        people_worked_with(workspace=workspace, user=editor).values_list("pk", flat=True)
    )
    if any(p.workspace_id != workspace.pk or p.pk not in allowed_people for p in design.people):
        errors["people"] = _("Choose only people you work with.")
    if any(a.workspace_id != workspace.pk or a.system_id != cycle.system_id for a in design.actors):
        errors["actors"] = _("Choose actors from this cycle's system map.")
    if errors:
        raise ValidationError(errors)
    return design


def _set_involved(
    *,
    workspace: Workspace,
    experiment: Experiment,
    people: Sequence[Person],
    actors: Sequence[Actor],
    keep_people: Sequence[int] = (),
) -> None:
    ExperimentPerson.objects.filter(workspace=workspace, experiment=experiment).delete()
    ExperimentActor.objects.filter(workspace=workspace, experiment=experiment).delete()
    person_ids = {p.pk for p in people} | set(keep_people)
    ExperimentPerson.objects.bulk_create(
        ExperimentPerson(workspace=workspace, experiment=experiment, person_id=pk)
        for pk in sorted(person_ids)
    )
    ExperimentActor.objects.bulk_create(
        ExperimentActor(workspace=workspace, experiment=experiment, actor_id=pk)
        for pk in sorted({a.pk for a in actors})
    )


# What a planned experiment may lack but needs before it starts (forms mark these fields so).
NEEDED_TO_START = ("prediction", "starts_on", "ends_on")


def _start_problems(experiment: Experiment | ExperimentDesign) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not experiment.prediction.strip():
        errors["prediction"] = prediction_missing_message()
    if experiment.starts_on is None:
        errors["starts_on"] = _("Give a start date before it starts.")
    if experiment.ends_on is None:
        errors["ends_on"] = _("Give an end date: when you will stop to decide what to do next.")
    return errors


@transaction.atomic
def experiment_create(
    *, workspace: Workspace, cycle: Cycle, created_by: User, design: ExperimentDesign
) -> Experiment:
    """Design an experiment in a cycle. It is planned until started; the owner defaults to
    the person designing it. Only those inside the cycle design its experiments."""
    if cycle.workspace_id != workspace.pk:
        raise ValidationError(_("Choose a cycle of this workspace."))
    require_steer(workspace=workspace, user=created_by, cycle=cycle)
    design = _clean_design(workspace=workspace, cycle=cycle, editor=created_by, design=design)
    experiment = Experiment.objects.create(
        workspace=workspace,
        cycle=cycle,
        owner=design.owner,
        **{name: getattr(design, name) for name in DESIGN_FIELDS},
    )
    _set_involved(
        workspace=workspace, experiment=experiment, people=design.people, actors=design.actors
    )
    return experiment


def _lock(*, workspace: Workspace, experiment: Experiment) -> Experiment:
    return (
        Experiment.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .get(workspace=workspace, pk=experiment.pk)
    )


def _is_current(experiment: Experiment) -> bool:
    return not Experiment.objects.filter(
        workspace_id=experiment.workspace_id, previous_version=experiment
    ).exists()


@transaction.atomic
def experiment_update(
    *,
    workspace: Workspace,
    experiment: Experiment,
    editor: User,
    design: ExperimentDesign,
    revision: int | None = None,
) -> Experiment:
    """Change the design. A planned experiment changes in place. A running one is frozen: the
    change makes a new version that goes on running, and the old version ends as history
    ("Replaced by version N"). Returns the experiment as it now is (maybe the new version).
    People involved whom the editor does not work with stay involved, unseen by them.
    Only those inside the experiment's cycle change it. `revision` is the row's edit counter
    the editor started from (not the design `version`): if someone saved since,
    `EditConflict` and nothing is written (hls/conflicts.py)."""
    current = _lock(workspace=workspace, experiment=experiment)
    require_steer(workspace=workspace, user=editor, cycle=current.cycle)
    if current.status == Experiment.Status.ENDED or not _is_current(current):
        raise ValidationError(
            _("This experiment has ended, so its design stays as it was. Design a new one.")
        )
    require_current(current, revision=revision, fields=CONFLICT_FIELDS)
    design = _clean_design(workspace=workspace, cycle=current.cycle, editor=editor, design=design)
    visible = people_worked_with(workspace=workspace, user=editor).values("pk")
    keep_people = list(
        ExperimentPerson.objects.filter(workspace=workspace, experiment=current)
        .exclude(person_id__in=visible)
        .values_list("person_id", flat=True)
    )
    if current.status == Experiment.Status.PLANNED:
        for name in DESIGN_FIELDS:
            setattr(current, name, getattr(design, name))
        current.owner = design.owner
        current.revision = next_revision(current)
        current.save(update_fields=[*DESIGN_FIELDS, "owner", "revision", "updated_at"])
        _set_involved(
            workspace=workspace,
            experiment=current,
            people=design.people,
            actors=design.actors,
            keep_people=keep_people,
        )
        return current

    # Running: the design is frozen.
    errors = _start_problems(design)
    if errors:
        raise ValidationError(errors)
    if not _design_changed(current, design, keep_people):
        return current
    now = timezone.now()
    version = current.version + 1
    current.status = Experiment.Status.ENDED
    current.outcome = ""
    current.ended_at = now
    current.learnt = _("Replaced by version %(version)d") % {"version": version}
    current.revision = next_revision(current)
    current.save(
        update_fields=["status", "outcome", "ended_at", "learnt", "revision", "updated_at"]
    )
    new = Experiment.objects.create(
        workspace=workspace,
        cycle=current.cycle,
        owner=design.owner,
        status=Experiment.Status.RUNNING,
        version=version,
        previous_version=current,
        started_at=now,
        **{name: getattr(design, name) for name in DESIGN_FIELDS},
    )
    _set_involved(
        workspace=workspace,
        experiment=new,
        people=design.people,
        actors=design.actors,
        keep_people=keep_people,
    )
    return new


def _design_changed(
    experiment: Experiment, design: ExperimentDesign, keep_people: Sequence[int]
) -> bool:
    if any(getattr(experiment, name) != getattr(design, name) for name in DESIGN_FIELDS):
        return True
    if experiment.owner_id != (design.owner.pk if design.owner else None):
        return True
    people = set(
        ExperimentPerson.objects.filter(
            workspace_id=experiment.workspace_id, experiment=experiment
        ).values_list("person_id", flat=True)
    )
    actors = set(
        ExperimentActor.objects.filter(
            workspace_id=experiment.workspace_id, experiment=experiment
        ).values_list("actor_id", flat=True)
    )
    return people != {p.pk for p in design.people} | set(keep_people) or actors != {
        a.pk for a in design.actors
    }


@transaction.atomic
def experiment_start(
    *, workspace: Workspace, experiment: Experiment, started_by: User
) -> Experiment:
    """Start a planned experiment. It needs what we expect to happen, and its dates. Only those
    inside its cycle start it."""
    current = _lock(workspace=workspace, experiment=experiment)
    require_steer(workspace=workspace, user=started_by, cycle=current.cycle)
    if current.status != Experiment.Status.PLANNED:
        raise ValidationError(_("Only a planned experiment can be started."))
    errors = _start_problems(current)
    if errors:
        raise ValidationError(errors)
    current.status = Experiment.Status.RUNNING
    current.started_at = timezone.now()
    current.save(update_fields=["status", "started_at", "updated_at"])
    return current


@transaction.atomic
def experiment_end(
    *, workspace: Workspace, experiment: Experiment, ended_by: User, outcome: str, learnt: str
) -> Experiment:
    """End a running experiment with its outcome (amplify, adapt, or stop: learnt, all of the
    same standing) and what was learnt. Only those inside its cycle end it."""
    current = _lock(workspace=workspace, experiment=experiment)
    require_steer(workspace=workspace, user=ended_by, cycle=current.cycle)
    if current.status != Experiment.Status.RUNNING:
        raise ValidationError(_("Only a running experiment can be ended."))
    errors: dict[str, str] = {}
    if outcome not in Experiment.Outcome.values:
        errors["outcome"] = _("Choose what happens next: amplify, adapt, or stop: learnt.")
    learnt = learnt.strip()
    if not learnt:
        errors["learnt"] = _(
            "Write what was learnt. Whatever the outcome, this is what the experiment was for."
        )
    elif len(learnt) > TEXT_MAX:
        errors["learnt"] = _("Keep this to %(max)d characters or fewer.") % {"max": TEXT_MAX}
    if errors:
        raise ValidationError(errors)
    current.status = Experiment.Status.ENDED
    current.outcome = outcome
    current.learnt = learnt
    current.ended_at = timezone.now()
    webhook_emit(
        workspace=workspace,
        event="experiment.ended",
        resource="experiment",
        object_id=current.pk,
        data={"cycle": current.cycle_id, "outcome": outcome},
    )
    current.save(update_fields=["status", "outcome", "learnt", "ended_at", "updated_at"])
    return current
