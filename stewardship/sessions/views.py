"""Sense-making sessions: the meetings list, planning and changing a series, a meeting's page
with its agenda, facilitation (notes, attendance, questions, outputs), and "did you feel
heard?". Thin: parse, call one service, render or redirect. Who sees: selectors; who may change
or record: the services (a page asks the same rule first, through `services.require_*`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.models import Cycle
from hls.conflicts import EditConflict, rebind
from hls.forms import act, submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from stewardship.burden import selectors as burden
from stewardship.methods import selectors as method_selectors
from stewardship.models import OccurrenceQuestion, Session, SessionOutput, SessionParticipant
from stewardship.sessions import selectors, services
from stewardship.sessions.access import access_session, access_slot
from stewardship.sessions.agenda import agenda_for
from stewardship.sessions.forms import (
    AttendanceForm,
    HeardForm,
    MoveForm,
    NotesForm,
    OutputForm,
    RespondForm,
    SessionForm,
)
from stewardship.sessions.recurrence import Slot
from stewardship.sessions.repeat import describe_rule


def _session(request: WorkspaceRequest, session_id: int) -> Session:
    return access_session(
        workspace=request.workspace, membership=request.membership, session_id=session_id
    )


def _changeable(request: WorkspaceRequest, session_id: int) -> Session:
    """A session the viewer may change, asked before its form is shown (the service asks too)."""
    session = _session(request, session_id)
    services.require_may_change(membership=request.membership, session=session)
    return session


def _meeting(request: WorkspaceRequest, session_id: int, slot: str) -> tuple[Session, Slot]:
    session = _session(request, session_id)
    return session, access_slot(workspace=request.workspace, session=session, slot=slot)


def _facilitated(request: WorkspaceRequest, session_id: int, slot: str) -> tuple[Session, Slot]:
    """A meeting the viewer may record, asked before its page is shown (the service asks too)."""
    session, found = _meeting(request, session_id, slot)
    services.require_may_facilitate(membership=request.membership, session=session)
    return session, found


def _meeting_url(session: Session, slot: Slot, request: WorkspaceRequest, name: str) -> Any:
    return redirect(name, request.workspace.slug, session.pk, slot.key)


# Sessions -------------------------------------------------------------------------------------


@workspace_view()
def session_list(request: WorkspaceRequest) -> HttpResponse:
    meetings = selectors.meetings_for(workspace=request.workspace, membership=request.membership)
    return render(
        request,
        "stewardship/sessions/list.html",
        {"meetings": meetings, "can_plan": can(request.membership, "sessions.manage")},
    )


@workspace_view("sessions.manage")
def session_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = SessionForm(
        request.POST or None,
        workspace=workspace,
        initial=None if request.method == "POST" else {"facilitator": request.user},
    )
    status = 200
    if request.method == "POST":
        session = submit(
            form,
            lambda data: services.session_create(
                workspace=workspace, user=request.user, **form.service_kwargs()
            ),
            fields=form.service_fields,
        )
        if session is not None:
            messages.success(request, _("Session planned. Invitations are on their way."))
            return redirect("session-detail", workspace.slug, session.pk)
        status = invalid_status(request)
    return render(
        request, "stewardship/sessions/form.html", {"form": form, "session": None}, status=status
    )


@workspace_view()
def session_detail(request: WorkspaceRequest, session_id: int) -> HttpResponse:
    workspace, membership = request.workspace, request.membership
    session = _session(request, session_id)
    may_change = selectors.may_change(membership=membership, session=session)
    offer = None
    if selectors.may_lighten(membership=membership, session=session):
        offer = selectors.lighter_cadence_offer(workspace=workspace, session=session)
    return render(
        request,
        "stewardship/sessions/detail.html",
        {
            "session": session,
            "rule": describe_rule(session.rrule),
            "meetings": selectors.session_meetings(session=session),
            "participants": selectors.participants_of(workspace=workspace, session=session),
            "counts": selectors.response_counts(workspace=workspace, session=session),
            "me": selectors.participant_of(workspace=workspace, session=session, user=request.user),
            "may_change": may_change,
            "offer": offer,
            "offer_rule": describe_rule(offer.rule) if offer else "",
            "learning_times": burden.times_for(
                workspace=workspace, cycles=list(session.cycles.all())
            ),
        },
    )


@workspace_view("sessions.manage")
def session_edit(request: WorkspaceRequest, session_id: int) -> HttpResponse:
    workspace = request.workspace
    session = _changeable(request, session_id)
    if session.status == Session.Status.CANCELLED:
        messages.info(request, _("This session was cancelled; plan a new one instead."))
        return redirect("session-detail", workspace.slug, session.pk)
    form = SessionForm(request.POST or None, workspace=workspace, session=session)
    status = 200
    conflict: EditConflict | None = None
    if request.method == "POST":
        status = invalid_status(request)
        try:
            saved = submit(
                form,
                lambda data: services.session_update(
                    workspace=workspace,
                    session=session,
                    by=request.membership,
                    revision=data.get("revision"),
                    **form.service_kwargs(),
                ),
                fields=form.service_fields,
            )
        except EditConflict as error:
            # Theirs beside this editor's, who keeps what they typed (hls/conflicts.py).
            conflict = error.with_yours(form.shown())
            form = SessionForm(rebind(request.POST, conflict), workspace=workspace)
            status = 409
        else:
            if saved is not None:
                messages.success(request, _("Saved. Everyone invited will see the change."))
                return redirect("session-detail", workspace.slug, session.pk)
    return render(
        request,
        "stewardship/sessions/form.html",
        {"form": form, "session": session, "conflict": conflict},
        status=status,
    )


@workspace_view("sessions.manage")
def session_cancel(request: WorkspaceRequest, session_id: int) -> HttpResponse:
    workspace = request.workspace
    session = _changeable(request, session_id)
    if request.method == "POST":
        services.session_cancel(workspace=workspace, session=session, by=request.membership)
        messages.success(request, _("The session is cancelled. Everyone invited will be told."))
        return redirect("session-detail", workspace.slug, session.pk)
    return render(request, "stewardship/sessions/cancel.html", {"session": session, "slot": None})


@require_POST
@workspace_view()
def session_respond(request: WorkspaceRequest, session_id: int) -> HttpResponse:
    workspace = request.workspace
    session = _session(request, session_id)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether you are coming."))
        return redirect("session-detail", workspace.slug, session.pk)
    if act(
        request,
        lambda: services.session_respond(
            workspace=workspace,
            session=session,
            user=request.user,
            response=form.cleaned_data["response"],
        ),
    ):
        messages.success(request, _("Thank you, your answer is saved."))
    return redirect("session-detail", workspace.slug, session.pk)


@require_POST
@workspace_view("sessions.manage")
def session_lighten(request: WorkspaceRequest, session_id: int) -> HttpResponse:
    workspace, membership = request.workspace, request.membership
    session = _session(request, session_id)
    services.require_may_lighten(membership=membership, session=session)
    offer = selectors.lighter_cadence_offer(workspace=workspace, session=session)
    if offer is None:
        messages.info(request, _("There is no lighter rhythm to offer right now."))
        return redirect("session-detail", workspace.slug, session.pk)
    if act(
        request,
        lambda: services.session_lighten(
            workspace=workspace, session=session, by=membership, rrule=offer.rule
        ),
    ):
        messages.success(
            request,
            _("The session now meets on a lighter rhythm: %(rule)s.")
            % {"rule": describe_rule(offer.rule)},
        )
    return redirect("session-detail", workspace.slug, session.pk)


# A meeting ------------------------------------------------------------------------------------


def _outputs(request: WorkspaceRequest, slot: Slot) -> list[SessionOutput]:
    """The meeting's outputs the viewer may read: entries through the visibility rule."""
    if slot.occurrence is None:
        return []
    return list(
        selectors.outputs_visible_to(workspace=request.workspace, membership=request.membership)
        .filter(occurrence=slot.occurrence)
        .select_related("cycle", "entry", "experiment")
        .order_by("created_at", "pk")
    )


@workspace_view()
def meeting_detail(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    workspace, membership = request.workspace, request.membership
    session, found = _meeting(request, session_id, slot)
    me = selectors.participant_of(workspace=workspace, session=session, user=request.user)
    answered = selectors.has_answered_heard(
        workspace=workspace, occurrence=found.occurrence, user=request.user
    )
    return render(
        request,
        "stewardship/sessions/meeting.html",
        {
            "session": session,
            "slot": found,
            "agenda": agenda_for(workspace=workspace, slot=found, viewer=request.user),
            "outputs": _outputs(request, found),
            "runs": method_selectors.runs_in_meeting(
                workspace=workspace, occurrence=found.occurrence
            ),
            "may_change": selectors.may_change(membership=membership, session=session),
            "may_facilitate": selectors.may_facilitate(
                workspace=workspace, membership=membership, session=session
            ),
            "may_answer_heard": me is not None
            and found.starts_at <= timezone.now()
            and not answered,
            "answered_heard": answered,
            "heard_form": HeardForm(),
            "started": found.starts_at <= timezone.now(),
        },
    )


@workspace_view("sessions.manage")
def meeting_move(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    workspace = request.workspace
    session = _changeable(request, session_id)
    found = access_slot(workspace=workspace, session=session, slot=slot)
    form = MoveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        moved = submit(
            form,
            lambda data: services.occurrence_move(
                workspace=workspace,
                session=session,
                by=request.membership,
                original_start=found.original_start,
                starts_at=form.starts_at(session.timezone),
            ),
            fields={"starts_at": "start_date"},
        )
        if moved is not None:
            messages.success(request, _("Meeting moved. Everyone invited will be told."))
            return redirect("session-detail", workspace.slug, session.pk)
        status = invalid_status(request)
    return render(
        request,
        "stewardship/sessions/move.html",
        {"session": session, "slot": found, "form": form},
        status=status,
    )


@workspace_view("sessions.manage")
def meeting_cancel(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    workspace = request.workspace
    session = _changeable(request, session_id)
    found = access_slot(workspace=workspace, session=session, slot=slot)
    if request.method == "POST":
        if act(
            request,
            lambda: services.occurrence_cancel(
                workspace=workspace,
                session=session,
                by=request.membership,
                original_start=found.original_start,
            ),
        ):
            messages.success(
                request, _("That meeting is cancelled. Everyone invited will be told.")
            )
        return redirect("session-detail", workspace.slug, session.pk)
    return render(request, "stewardship/sessions/cancel.html", {"session": session, "slot": found})


def _facilitation_context(
    request: WorkspaceRequest,
    session: Session,
    found: Slot,
    *,
    notes_form: NotesForm | None = None,
    output_form: OutputForm | None = None,
) -> dict[str, Any]:
    workspace = request.workspace
    agenda = agenda_for(workspace=workspace, slot=found, viewer=request.user)
    ticked: list[int] = []
    if found.occurrence is not None:
        ticked = list(
            OccurrenceQuestion.objects.filter(
                workspace=workspace, occurrence=found.occurrence
            ).values_list("question_id", flat=True)
        )
    questions = [(q.pk, q.text) for q in agenda.questions]
    if notes_form is None:
        notes_form = NotesForm(
            initial={
                "notes": found.occurrence.notes if found.occurrence else "",
                "revision": found.occurrence.notes_revision if found.occurrence else 1,
                "questions": ticked,
            },
            questions=questions,
        )
    participants = list(selectors.participants_of(workspace=workspace, session=session))
    attended: list[int] = []
    if found.occurrence is not None:
        attended = [a.participant_id for a in found.occurrence.attendance.all() if a.attended]
    attendance_form = AttendanceForm(
        initial={"attended": attended},
        participants=[(p.pk, _participant_label(p)) for p in participants],
    )
    cycles = list(
        Cycle.objects.filter(workspace=workspace, sessioncycle__session=session).order_by("name")
    )
    return {
        "session": session,
        "slot": found,
        "agenda": agenda,
        "notes_form": notes_form,
        "attendance_form": attendance_form,
        "output_form": output_form or OutputForm(cycles=cycles),
        "outputs": _outputs(request, found),
        "heard": selectors.heard_totals(workspace=workspace, occurrence=found.occurrence),
    }


def _participant_label(participant: SessionParticipant) -> str:
    if participant.user_id is not None:
        return str(participant.user.display_name)  # type: ignore[union-attr]
    return participant.name or participant.email


@workspace_view()
def meeting_facilitate(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    """The facilitation page; POST saves the notes and the questions discussed (htmx autosave
    posts here too and gets a small status back, with the notes' new revision in `X-Revision`).
    A save from a page older than the last save of the notes answers 409: autosave gets a short
    message (the script stops and keeps the text), the form gets both versions side by side."""
    workspace = request.workspace
    session, found = _facilitated(request, session_id, slot)
    if request.method == "POST":
        agenda = agenda_for(workspace=workspace, slot=found, viewer=request.user)
        questions = [(q.pk, q.text) for q in agenda.questions]
        form = NotesForm(request.POST, questions=questions)
        conflict: EditConflict | None = None
        try:
            occurrence = submit(
                form,
                lambda data: services.occurrence_notes_save(
                    workspace=workspace,
                    slot=found,
                    by=request.membership,
                    notes=data["notes"],
                    question_ids=None if request.htmx else data["questions"],
                    revision=data["revision"],
                ),
            )
        except EditConflict as error:
            conflict = error.with_yours(form.cleaned_data)
        else:
            if occurrence is not None:
                if request.htmx:
                    response = render(
                        request,
                        "stewardship/sessions/facilitate.html#saved",
                        {"saved_at": timezone.now()},
                    )
                    response["X-Revision"] = str(occurrence.notes_revision)
                    return response
                messages.success(request, _("Notes saved."))
                return _meeting_url(session, found, request, "meeting-facilitate")
        if conflict is not None:
            if request.htmx:
                response = render(
                    request,
                    "stewardship/sessions/facilitate.html#conflict-status",
                    {"conflict": conflict},
                    status=409,
                )
                response["X-Revision"] = str(conflict.revision)
                return response
            form = NotesForm(rebind(request.POST, conflict), questions=questions)
        found = access_slot(workspace=workspace, session=session, slot=slot)
        context = _facilitation_context(request, session, found, notes_form=form)
        context["conflict"] = conflict
        return render(
            request,
            "stewardship/sessions/facilitate.html",
            context,
            status=409 if conflict else invalid_status(request),
        )
    return render(
        request,
        "stewardship/sessions/facilitate.html",
        _facilitation_context(request, session, found),
    )


@require_POST
@workspace_view()
def meeting_attendance(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    workspace = request.workspace
    session, found = _facilitated(request, session_id, slot)
    ids = set(
        SessionParticipant.objects.filter(workspace=workspace, session=session).values_list(
            "pk", flat=True
        )
    )
    form = AttendanceForm(request.POST, participants=[(pk, str(pk)) for pk in ids])
    if form.is_valid():
        services.attendance_set(
            workspace=workspace,
            slot=found,
            by=request.membership,
            attended_ids=form.cleaned_data["attended"],
        )
        messages.success(request, _("Attendance saved."))
    else:
        messages.error(request, _("Tick people from the list."))
    return _meeting_url(session, found, request, "meeting-facilitate")


@require_POST
@workspace_view()
def meeting_output_add(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    workspace = request.workspace
    session, found = _facilitated(request, session_id, slot)
    cycles = list(Cycle.objects.filter(workspace=workspace, sessioncycle__session=session))
    form = OutputForm(request.POST, cycles=cycles)
    output = submit(
        form,
        lambda data: services.output_add(
            workspace=workspace, slot=found, by=request.membership, **data
        ),
    )
    if output is not None:
        messages.success(
            request,
            _("Added to %(cycle)s, with a link back to this session.")
            % {"cycle": output.cycle.name},
        )
        return _meeting_url(session, found, request, "meeting-facilitate")
    found = access_slot(workspace=workspace, session=session, slot=slot)
    return render(
        request,
        "stewardship/sessions/facilitate.html",
        _facilitation_context(request, session, found, output_form=form),
        status=invalid_status(request),
    )


@require_POST
@workspace_view()
def meeting_done(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    session, found = _facilitated(request, session_id, slot)
    services.occurrence_done(workspace=request.workspace, slot=found, by=request.membership)
    messages.success(request, _("Outputs recorded. Thank you for closing the loop."))
    return _meeting_url(session, found, request, "meeting-detail")


@workspace_view()
def meeting_heard(request: WorkspaceRequest, session_id: int, slot: str) -> HttpResponse:
    workspace = request.workspace
    session, found = _meeting(request, session_id, slot)
    if selectors.participant_of(workspace=workspace, session=session, user=request.user) is None:
        raise PermissionDenied(_("Only those invited to this session answer this."))
    form = HeardForm(request.POST or None)
    answered = selectors.has_answered_heard(
        workspace=workspace, occurrence=found.occurrence, user=request.user
    )
    status = 200
    if request.method == "POST" and not answered:
        if form.is_valid():
            answered_now = act(  # refused only if they answered meanwhile (another tab): news
                request,
                lambda: services.heard_answer(
                    workspace=workspace,
                    slot=found,
                    user=request.user,
                    felt_heard=form.cleaned_data["felt_heard"],
                    comment=form.cleaned_data["comment"],
                ),
                level=messages.INFO,
            )
            if answered_now:
                messages.success(request, _("Thank you. Your answer is anonymous."))
            return _meeting_url(session, found, request, "meeting-detail")
        status = invalid_status(request)
    elif request.method == "POST":
        messages.info(
            request, _("You have already answered for this meeting. Thank you: it is counted once.")
        )
        return _meeting_url(session, found, request, "meeting-detail")
    return render(
        request,
        "stewardship/sessions/heard.html",
        {"session": session, "slot": found, "form": form, "answered": answered},
        status=status,
    )
