"""Measures for learning: a cycle's measures, a measure's page (its chart, a text alternative
and a table), quick entry on a phone, and a person's own terms. Thin: parse, call one service,
render or redirect. Who sees what is decided by the selectors and access helpers; who changes
what, by the services (those inside the cycle)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle
from cycles.measures import selectors, services, svg
from cycles.measures.access import access_item, access_measure, access_own_terms, access_point
from cycles.measures.forms import (
    MeasureForm,
    PointForm,
    RatingForm,
    SignalNoteForm,
    WhatMattersForm,
)
from cycles.models import Cycle, DataPoint, Measure, WhatMatters
from cycles.selectors import people_for_cycle_picker
from cycles.trust import request_trust, steer_refused_message
from hls.conflicts import EditConflict, rebind
from hls.forms import act, submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from systems.selectors import request_systems_worked_in

WRITE = "entries.create"  # everyone who logs learning; viewers only read


def _may_steer(request: WorkspaceRequest, cycle: Cycle) -> bool:
    return can(request.membership, WRITE) and request_trust(request).may_steer(cycle)


def _require_steer(request: WorkspaceRequest, cycle: Cycle) -> None:
    """A form only those inside the cycle may send is not shown to anyone else either (the
    services refuse them the same)."""
    if not request_trust(request).may_steer(cycle):
        raise PermissionDenied(steer_refused_message())


# A cycle's measures ------------------------------------------------------------------------


@workspace_view()
def cycle_measures(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    worked_in = request_systems_worked_in(request)
    measures = selectors.measures_of_cycle(
        workspace=workspace, user=request.user, cycle=cycle, worked_in=worked_in
    )
    signals = selectors.signals_from_below(
        workspace=workspace, user=request.user, cycle=cycle, worked_in=worked_in
    )
    context = {
        "cycle": cycle,
        "measures": [m for m in measures if not m.archived],
        "archived": [m for m in measures if m.archived],
        "signals": signals,
        "may_steer": _may_steer(request, cycle),
        "own_terms": cycle.system.scale.is_person_scale and cycle.system_id in worked_in,
    }
    return render(request, "cycles/measures/list.html", context)


def _people(request: WorkspaceRequest, cycle: Cycle, chosen: Any = None) -> Any:
    return people_for_cycle_picker(
        workspace=request.workspace, user=request.user, cycle=cycle, chosen=[chosen]
    )


@workspace_view(WRITE)
def measure_create(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    _require_steer(request, cycle)
    chosen = request.POST.get("person") or None
    form = MeasureForm(
        request.POST or None, people=_people(request, cycle, chosen), initial={"revision": 0}
    )
    if request.method == "POST":
        measure = submit(
            form,
            lambda data: services.measure_create(
                workspace=workspace, cycle=cycle, user=request.user, name=data["name"],
                learning_question=data["learning_question"], unit=data["unit"],
                how_collected=data["how_collected"], chart=data["chart"],
                visibility=data["visibility"], person=data.get("person"),
            ),
        )  # fmt: skip
        if measure is not None:
            messages.success(request, _("Measure added. Add its first value when you have it."))
            return redirect("measure-detail", workspace.slug, measure.pk)
    status = invalid_status(request) if form.errors else 200
    context = {"cycle": cycle, "form": form, "measure": None}
    return render(request, "cycles/measures/form.html", context, status=status)


def _measure_initial(measure: Measure) -> dict[str, Any]:
    return {
        "revision": measure.revision,
        "name": measure.name,
        "unit": measure.unit,
        "learning_question": measure.learning_question,
        "how_collected": measure.how_collected,
        "chart": measure.chart,
        "visibility": measure.visibility,
    }


@workspace_view(WRITE)
def measure_edit(request: WorkspaceRequest, measure_id: int) -> HttpResponse:
    workspace = request.workspace
    measure = access_measure(
        workspace=workspace, user=request.user, measure_id=measure_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    _require_steer(request, measure.cycle)
    form = MeasureForm(request.POST or None, initial=_measure_initial(measure))
    conflict: EditConflict | None = None
    status = 200
    if request.method == "POST":
        try:
            saved = submit(
                form,
                lambda data: services.measure_update(
                    workspace=workspace, measure=measure, user=request.user, name=data["name"],
                    learning_question=data["learning_question"], unit=data["unit"],
                    how_collected=data["how_collected"], chart=data["chart"],
                    visibility=data["visibility"], revision=data["revision"],
                ),
            )  # fmt: skip
        except EditConflict as error:
            conflict = error.with_yours(form.cleaned_data)
            form = MeasureForm(rebind(request.POST, conflict))
            status = 409
        else:
            if saved is not None:
                messages.success(request, _("Measure saved."))
                return redirect("measure-detail", workspace.slug, measure.pk)
            status = invalid_status(request)
    context = {"cycle": measure.cycle, "form": form, "measure": measure, "conflict": conflict}
    return render(request, "cycles/measures/form.html", context, status=status)


@require_POST
@workspace_view(WRITE)
def measure_archive(request: WorkspaceRequest, measure_id: int) -> HttpResponse:
    workspace = request.workspace
    measure = access_measure(
        workspace=workspace, user=request.user, measure_id=measure_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    archived = request.POST.get("archived", "1") != "0"
    if act(
        request,
        lambda: services.measure_archive(
            workspace=workspace, measure=measure, user=request.user, archived=archived
        ),
    ):
        messages.success(request, _("Measure put away.") if archived else _("Measure back in use."))
    return redirect("measure-detail", workspace.slug, measure.pk)


# A measure's page --------------------------------------------------------------------------


def _timeline_url(slug: str, cycle_id: int, start: dt.date, end: dt.date) -> str:
    base = reverse("cycle-timeline", args=[slug, cycle_id])
    return f"{base}?{urlencode({'date_from': start.isoformat(), 'date_to': end.isoformat()})}"


def _rows(slug: str, measure: Measure, points: list[DataPoint]) -> list[dict[str, Any]]:
    """Each point with the link to the cycle's entries of its period: the days since the
    point before it (its own day, for the first)."""
    rows = []
    previous: dt.date | None = None
    for point in points:
        start = previous + dt.timedelta(days=1) if previous else point.on
        rows.append(
            {
                "point": point,
                "url": _timeline_url(slug, measure.cycle_id, start, point.on),
                "period_start": start,
            }
        )
        previous = point.on
    return rows


def _chart(measure: Measure, rows: list[dict[str, Any]], annotations: list[Any]) -> Any:
    """The context of the chart's partial (cycles.measures.svg), or None with no values."""
    if not rows:
        return None
    points = [
        svg.ChartPoint(on=row["point"].on, value=row["point"].value,
                       note=row["point"].note, url=row["url"])
        for row in rows
    ]  # fmt: skip
    analysis = selectors.analyse(measure.chart, [p.value for p in points])
    return svg.render_chart(
        points, analysis, unit=measure.unit, annotations=annotations, title=measure.name
    )


def _measure_page(
    request: WorkspaceRequest,
    measure: Measure,
    *,
    status: int = 200,
    note_form: SignalNoteForm | None = None,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    workspace = request.workspace
    points = selectors.points_of(workspace=workspace, measure=measure)
    rows = _rows(workspace.slug, measure, points)
    annotations = selectors.annotations_for(workspace=workspace, cycle=measure.cycle)
    context = {
        "cycle": measure.cycle,
        "measure": measure,
        "rows": rows,
        "rows_newest_first": list(reversed(rows)),
        "annotations": annotations,
        "chart": _chart(measure, rows, annotations),
        "may_steer": _may_steer(request, measure.cycle),
        "note_form": note_form
        or SignalNoteForm(initial={"revision": measure.revision, "note": measure.signal_note}),
        "conflict": conflict,
    }
    return render(request, "cycles/measures/detail.html", context, status=status)


@workspace_view()
def measure_detail(request: WorkspaceRequest, measure_id: int) -> HttpResponse:
    measure = access_measure(
        workspace=request.workspace, user=request.user, measure_id=measure_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    return _measure_page(request, measure)


@require_POST
@workspace_view(WRITE)
def measure_signal_note(request: WorkspaceRequest, measure_id: int) -> HttpResponse:
    workspace = request.workspace
    measure = access_measure(
        workspace=workspace, user=request.user, measure_id=measure_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    form = SignalNoteForm(request.POST)
    try:
        saved = submit(
            form,
            lambda data: services.signal_note_set(
                workspace=workspace, measure=measure, user=request.user, note=data["note"],
                revision=data["revision"],
            ),
        )  # fmt: skip
    except EditConflict as error:
        conflict = error.with_yours(form.cleaned_data)
        form = SignalNoteForm(rebind(request.POST, conflict))
        return _measure_page(request, measure, status=409, note_form=form, conflict=conflict)
    if saved is None:
        return _measure_page(request, measure, status=invalid_status(request), note_form=form)
    messages.success(request, _("Note saved."))
    return redirect("measure-detail", workspace.slug, measure.pk)


# Quick entry and changing a value ----------------------------------------------------------


def _duplicate_of(form: PointForm, workspace: Any, measure: Measure) -> DataPoint | None:
    """The point already on the day the form names, when the refusal was "one a day"."""
    if "on" not in form.errors:
        return None
    try:  # (the refusal took "on" out of cleaned_data: read it again as sent)
        day = form.fields["on"].clean(form["on"].value()) or timezone.localdate()
    except ValidationError:
        return None
    return DataPoint.objects.filter(workspace=workspace, measure=measure, on=day).first()


@workspace_view(WRITE)
def point_add(request: WorkspaceRequest, measure_id: int) -> HttpResponse:
    workspace = request.workspace
    measure = access_measure(
        workspace=workspace, user=request.user, measure_id=measure_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    _require_steer(request, measure.cycle)
    form = PointForm(request.POST or None, initial={"on": timezone.localdate()})
    existing: DataPoint | None = None
    if request.method == "POST":
        point = submit(
            form,
            lambda data: services.point_add(
                workspace=workspace, measure=measure, user=request.user, value=data["value"],
                on=data["on"], note=data["note"],
            ),
        )  # fmt: skip
        if point is not None:
            messages.success(
                request,
                _("%(value)s saved for %(day)s.")
                % {"value": point.value.normalize(), "day": services.day_label(point.on)},
            )
            return redirect("measure-detail", workspace.slug, measure.pk)
        existing = _duplicate_of(form, workspace, measure)
    status = invalid_status(request) if form.errors else 200
    context = {"cycle": measure.cycle, "measure": measure, "form": form, "existing": existing}
    return render(request, "cycles/measures/add.html", context, status=status)


@workspace_view(WRITE)
def point_edit(request: WorkspaceRequest, data_point_id: int) -> HttpResponse:
    workspace = request.workspace
    point = access_point(
        workspace=workspace, user=request.user, point_id=data_point_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    measure = point.measure
    _require_steer(request, measure.cycle)
    initial = {"value": point.value.normalize(), "on": point.on, "note": point.note}
    form = PointForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = submit(
            form,
            lambda data: services.point_update(
                workspace=workspace, point=point, user=request.user, value=data["value"],
                on=data["on"], note=data["note"],
            ),
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Value changed."))
            return redirect("measure-detail", workspace.slug, measure.pk)
    status = invalid_status(request) if form.errors else 200
    context = {"cycle": measure.cycle, "measure": measure, "form": form, "point": point}
    return render(request, "cycles/measures/point_edit.html", context, status=status)


@require_POST
@workspace_view(WRITE)
def point_delete(request: WorkspaceRequest, data_point_id: int) -> HttpResponse:
    workspace = request.workspace
    point = access_point(
        workspace=workspace, user=request.user, point_id=data_point_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    services.point_delete(workspace=workspace, point=point, user=request.user)
    messages.success(request, _("Value removed."))
    return redirect("measure-detail", workspace.slug, point.measure_id)


# The person's own terms --------------------------------------------------------------------


def _item_form(item: WhatMatters, data: Any = None) -> WhatMattersForm:
    initial = {
        "revision": item.revision,
        "words": item.words,
        "scale_max": item.scale_max,
        "low_words": item.low_words,
        "high_words": item.high_words,
    }
    return WhatMattersForm(data, initial=initial, prefix=f"item-{item.pk}")


def _rating_form(item: WhatMatters, data: Any = None) -> RatingForm:
    return RatingForm(
        data, top=item.scale_max, prefix=f"rate-{item.pk}", initial={"on": timezone.localdate()}
    )


def _own_terms_page(
    request: WorkspaceRequest,
    cycle: Cycle,
    *,
    status: int = 200,
    add_form: WhatMattersForm | None = None,
    sent: tuple[int, str, Any] | None = None,  # (item id, "edit" | "rate", its bound form)
    conflict: EditConflict | None = None,
) -> HttpResponse:
    workspace = request.workspace
    worked_in = request_systems_worked_in(request)
    person = access_own_terms(
        workspace=workspace, user=request.user, cycle=cycle, worked_in=worked_in
    )
    terms = selectors.what_matters_of(workspace=workspace, cycle=cycle, person=person)
    measures = selectors.measures_of_cycle(
        workspace=workspace, user=request.user, cycle=cycle, worked_in=worked_in
    )
    may_steer = _may_steer(request, cycle)
    items = []
    for term in terms:
        edit = sent[2] if sent and sent[0] == term.item.pk and sent[1] == "edit" else None
        rate = sent[2] if sent and sent[0] == term.item.pk and sent[1] == "rate" else None
        items.append(
            {
                "term": term,
                "edit_form": edit or _item_form(term.item),
                "rate_form": rate or _rating_form(term.item),
                "conflict": conflict if edit is not None else None,
            }
        )
    context = {
        "cycle": cycle,
        "person": person,
        "items": items,
        "measures": [m for m in measures if not m.archived],
        "may_steer": may_steer,
        "add_form": add_form or WhatMattersForm(initial={"revision": 0}, prefix="new"),
    }
    return render(request, "cycles/measures/own_terms.html", context, status=status)


@workspace_view()
def own_terms(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if not cycle.system.scale.is_person_scale:  # the same answer for everyone: no one's own
        return render(
            request, "cycles/measures/own_terms.html", {"cycle": cycle, "no_person": True}
        )
    if request.method != "POST":
        return _own_terms_page(request, cycle)
    person = access_own_terms(
        workspace=workspace, user=request.user, cycle=cycle,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    if not can(request.membership, WRITE):
        raise PermissionDenied
    form = WhatMattersForm(request.POST, prefix="new")
    added = submit(
        form,
        lambda data: services.what_matters_add(
            workspace=workspace, cycle=cycle, person=person, user=request.user,
            words=data["words"], scale_max=data["scale_max"], low_words=data["low_words"],
            high_words=data["high_words"],
        ),
    )  # fmt: skip
    if added is None:
        return _own_terms_page(request, cycle, status=invalid_status(request), add_form=form)
    messages.success(request, _("Added, in their words."))
    return redirect("cycle-what-matters", workspace.slug, cycle.pk)


@require_POST
@workspace_view(WRITE)
def what_matters_edit(request: WorkspaceRequest, what_matters_id: int) -> HttpResponse:
    workspace = request.workspace
    item = access_item(
        workspace=workspace, user=request.user, item_id=what_matters_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    form = _item_form(item, request.POST)
    archived = None
    if "archive" in request.POST:
        archived = True
    try:
        saved = submit(
            form,
            lambda data: services.what_matters_update(
                workspace=workspace, item=item, user=request.user, words=data["words"],
                scale_max=data["scale_max"], low_words=data["low_words"],
                high_words=data["high_words"], archived=archived, revision=data["revision"],
            ),
        )  # fmt: skip
    except EditConflict as error:
        conflict = error.with_yours(form.cleaned_data)
        prefixed = rebind(request.POST, conflict, counter=f"item-{item.pk}-revision")
        form = _item_form(item, prefixed)
        return _own_terms_page(
            request, item.cycle, status=409, sent=(item.pk, "edit", form), conflict=conflict
        )
    if saved is None:
        return _own_terms_page(
            request, item.cycle, status=invalid_status(request), sent=(item.pk, "edit", form)
        )
    messages.success(request, _("Saved."))
    return redirect("cycle-what-matters", workspace.slug, item.cycle_id)


@require_POST
@workspace_view(WRITE)
def what_matters_rate(request: WorkspaceRequest, what_matters_id: int) -> HttpResponse:
    workspace = request.workspace
    item = access_item(
        workspace=workspace, user=request.user, item_id=what_matters_id,
        worked_in=request_systems_worked_in(request),
    )  # fmt: skip
    form = _rating_form(item, request.POST)
    rating = submit(
        form,
        lambda data: services.rating_add(
            workspace=workspace, item=item, user=request.user, value=data["value"],
            on=data["on"], note=data["note"], rated_by=data["rated_by"],
        ),
    )  # fmt: skip
    if rating is None:
        return _own_terms_page(
            request, item.cycle, status=invalid_status(request), sent=(item.pk, "rate", form)
        )
    messages.success(request, _("Placed on their scale."))
    return redirect("cycle-what-matters", workspace.slug, item.cycle_id)
