"""The question bank: the filtered list everyone reads, adding and editing (each edit keeps a
revision), a question's history, switching a question off and on, and choosing starter
questions the bank does not have yet. Thin: parse, call one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from stewardship.questions import selectors, services
from stewardship.questions.access import access_question
from stewardship.questions.forms import FilterForm, QuestionForm, StartersForm
from systems.models import Scale

MANAGE = "questions.manage"


def _scales(request: WorkspaceRequest) -> list[Scale]:
    return list(Scale.objects.filter(workspace=request.workspace))


@workspace_view()
def question_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    scales = _scales(request)
    form = FilterForm(request.GET or None, scales=scales)
    filters: dict[str, object] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["scale"] == "any":
            filters["any_scale"] = True
        elif data["scale"]:
            filters["scale_id"] = int(data["scale"])
        filters.update(phase=data["phase"], mode=data["mode"], include_inactive=data["inactive"])
    rows = list(selectors.questions(workspace=workspace, **filters))  # type: ignore[arg-type]
    return render(
        request,
        "stewardship/questions/list.html",
        {
            "filter_form": form,
            "filtered": bool(request.GET),
            "questions": rows,
            "empty_bank": not rows and selectors.bank_is_empty(workspace=workspace),
            "new_starters": len(services.starters_not_in_bank(workspace=workspace)),
        },
        status=200 if not form.errors else invalid_status(request),
    )


@workspace_view(MANAGE)
def question_create(request: WorkspaceRequest) -> HttpResponse:
    form = QuestionForm(request.POST or None, scales=_scales(request))
    if request.method == "POST":
        question = submit(
            form,
            lambda data: services.question_create(
                workspace=request.workspace, **form.service_fields()
            ),
        )
        if question is not None:
            messages.success(request, _("Question added to the bank."))
            return redirect("question-list", request.workspace.slug)
        return render(
            request,
            "stewardship/questions/form.html",
            {"form": form},
            status=invalid_status(request),
        )
    return render(request, "stewardship/questions/form.html", {"form": form})


@workspace_view(MANAGE)
def question_edit(request: WorkspaceRequest, bank_question_id: int) -> HttpResponse:
    question = access_question(workspace=request.workspace, bank_question_id=bank_question_id)
    initial = {
        "text": question.text,
        "mode": question.mode,
        "scale": question.scale_id,
        "phase": question.phase,
        "how_would_we_know": question.how_would_we_know,
        "who_discusses": question.who_discusses,
        "what_information": question.what_information,
        "what_space": question.what_space,
        "source": question.source,
        "revision": question.version,
    }
    scales = _scales(request)
    form = QuestionForm(request.POST or None, initial=initial, scales=scales)
    context = {"form": form, "question": question}
    if request.method == "POST":
        try:
            saved = submit(
                form,
                lambda data: services.question_update(
                    workspace=request.workspace,
                    question=question,
                    user=request.user,
                    revision=data.get("revision"),
                    **form.service_fields(),
                ),
            )
        except EditConflict as error:
            # Theirs beside this editor's, who keeps their text (hls/conflicts.py).
            conflict = error.with_yours(form.shown())
            form = QuestionForm(rebind(request.POST, conflict), scales=scales)
            context = {"form": form, "question": error.current, "conflict": conflict}
            return render(request, "stewardship/questions/form.html", context, status=409)
        if saved is not None:
            messages.success(request, _("Saved. The earlier version is kept in its history."))
            return redirect("question-list", request.workspace.slug)
        return render(
            request, "stewardship/questions/form.html", context, status=invalid_status(request)
        )
    return render(request, "stewardship/questions/form.html", context)


@workspace_view()
def question_history(request: WorkspaceRequest, bank_question_id: int) -> HttpResponse:
    question = access_question(workspace=request.workspace, bank_question_id=bank_question_id)
    return render(
        request,
        "stewardship/questions/history.html",
        {
            "question": question,
            "versions": selectors.history(workspace=request.workspace, question=question),
        },
    )


@require_POST
@workspace_view(MANAGE)
def question_toggle(request: WorkspaceRequest, bank_question_id: int) -> HttpResponse:
    question = access_question(workspace=request.workspace, bank_question_id=bank_question_id)
    services.question_set_active(
        workspace=request.workspace, question=question, active=not question.active
    )
    messages.success(
        request,
        _("Switched back on: it will be offered in sessions again.")
        if question.active
        else _("Switched off: it stays in the bank, but sessions no longer offer it."),
    )
    return redirect("question-list", request.workspace.slug)


@workspace_view(MANAGE)
def question_seed(request: WorkspaceRequest) -> HttpResponse:
    """The starter questions the bank does not have yet (new ones arrive with new versions of
    the guides): a steward reads them and adds the ones they choose."""
    workspace = request.workspace
    starters = services.starters_not_in_bank(workspace=workspace)
    # (none ticked posts nothing at all, which is still an answer to check)
    form = StartersForm(request.POST if request.method == "POST" else None, starters=starters)
    if request.method == "POST":
        added = submit(
            form,
            lambda data: services.question_bank_add_starters(
                workspace=workspace, keys=data["starters"]
            ),
        )
        if added is not None:
            messages.success(
                request,
                ngettext(
                    "%(n)d starter question added. Edit it to fit your work.",
                    "%(n)d starter questions added. Edit them to fit your work.",
                    added,
                )
                % {"n": added},
            )
            return redirect("question-list", workspace.slug)
    return render(
        request,
        "stewardship/questions/starters.html",
        {"form": form, "starters": starters},
        status=invalid_status(request) if form.errors else 200,
    )
