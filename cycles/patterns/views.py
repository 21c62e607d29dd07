"""The patterns view of a cycle (what the cycles below shared upward) and "back to context"
questions. Thin: parse the filters, call selectors/services, render. Counts under the
workspace's threshold are shown as "fewer than N"; each number links to the entries behind it
that the viewer may see."""

from __future__ import annotations

import datetime as _dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle
from cycles.models import ContextQuestionTarget, Cycle, Entry, Experiment, Theme
from cycles.patterns import selectors, services
from cycles.patterns.forms import AnswerForm, DrillDownForm, PatternFilterForm, QuestionForm
from cycles.patterns.selectors import PatternFilter
from cycles.patterns.selectors import ShownCount as Count
from cycles.selectors import CYCLE_NAMING, TIMELINE_ORDER
from cycles.trust import request_trust
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from systems.selectors import scales_of

PAGE_SIZE = 50


def _params(f: PatternFilter, **extra: Any) -> dict[str, str]:
    params = {
        "date_from": f.date_from.isoformat(),
        "date_to": f.date_to.isoformat(),
        "system": str(f.system.pk) if f.system else "",
        "scale": str(f.scale.pk) if f.scale else "",
        "theme": str(f.theme.pk) if f.theme else "",
        "month": f.month.strftime("%Y-%m") if f.month else "",
        "kind": f.kind,
    }
    params.update({key: str(value) for key, value in extra.items()})
    return {key: value for key, value in params.items() if value}


def _url(name: str, slug: str, cycle: Cycle, f: PatternFilter, **extra: Any) -> str:
    return f"{reverse(name, args=[slug, cycle.pk])}?{urlencode(_params(f, **extra))}"


def _filter_form(
    request: WorkspaceRequest, cycle_ids: set[int], form_class: type[PatternFilterForm]
) -> PatternFilterForm:
    workspace = request.workspace
    return form_class(
        request.GET or None,
        systems=selectors.systems_below_cycle(workspace=workspace, cycle_ids=cycle_ids),
        scales=scales_of(workspace=workspace),
        themes=Theme.objects.filter(workspace=workspace, merged_into__isnull=True).order_by("name"),
    )


def _valid_filter(form: PatternFilterForm) -> PatternFilter | None:
    if not form.is_bound:
        form.cleaned_data = {}
        start, end = selectors.default_period()
        return PatternFilter(date_from=start, date_to=end)
    return form.pattern_filter() if form.is_valid() else None


def month_label(month: _dt.date) -> str:
    return formats.date_format(month, "M Y")


def describe(f: PatternFilter) -> str:
    """The pattern in words, for a question's origin: "theme 'Fear of letters', Mar 2025"."""
    parts = []
    if f.theme is not None:
        parts.append(_("theme “%(name)s”") % {"name": f.theme.name})
    if f.kind:
        parts.append(str(dict(Entry.Kind.choices).get(f.kind, f.kind)).lower())
    if f.system is not None:
        parts.append(_("in %(system)s") % {"system": f.system.name})
    if f.scale is not None:
        parts.append(_("at the %(scale)s scale") % {"scale": f.scale.name})
    if f.month is not None:
        parts.append(month_label(f.month))
    else:
        start, end = month_label(f.date_from), month_label(f.date_to)
        parts.append(start if start == end else f"{start}\u2013{end}")
    return ", ".join(parts)


# The patterns view ---------------------------------------------------------------------------


@workspace_view()
def patterns_home(request: WorkspaceRequest) -> HttpResponse:
    """The navigation's "Patterns": the patterns below the highest cycle the member holds (by
    scale, then name) that has cycles below; with `?choose=1`, or holding none, a chooser of
    every such cycle, the member's own first. Two queries."""
    workspace = request.workspace
    held = request_trust(request).systems
    cycles = sorted(
        selectors.cycles_with_patterns(workspace=workspace),
        key=lambda c: (-c.system.scale.position, c.name.casefold(), c.pk),
    )
    yours = [c for c in cycles if c.system_id in held]
    if yours and "choose" not in request.GET:
        return redirect("cycle-patterns", workspace_slug=workspace.slug, cycle_id=yours[0].pk)
    others = [c for c in cycles if c.system_id not in held]
    return render(request, "cycles/patterns/choose.html", {"yours": yours, "others": others})


@workspace_view()
def patterns(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace, _user = request.workspace, request.user
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    below = selectors.below_ids(workspace=workspace, cycle=cycle)
    form = _filter_form(request, below, PatternFilterForm)
    f = _valid_filter(form)
    context: dict[str, Any] = {
        "cycle": cycle,
        "form": form,
        "has_below": bool(below),
        "may_ask": selectors.may_ask_back(request.membership),
        "threshold": workspace.small_count_threshold,
    }
    if f is None:  # an impossible period: say so beside the field, compute nothing
        return render(
            request, "cycles/patterns/patterns.html", context, status=invalid_status(request)
        )
    context.update(_patterns_context(request, cycle, below, f))
    return render(request, "cycles/patterns/patterns.html", context)


def _patterns_context(
    request: WorkspaceRequest, cycle: Cycle, below: set[int], f: PatternFilter
) -> dict[str, Any]:
    """The page presents `selectors.patterns_summary`: each number with the link to its
    entries (or experiments), in the words of this page. No counting or suppression here."""
    workspace, user, slug = request.workspace, request.user, request.workspace.slug
    ids = selectors.scoped_cycle_ids(workspace=workspace, cycle_ids=below, system=f.system)
    summary = selectors.patterns_summary(workspace=workspace, cycle_ids=ids, f=f)

    def linked(count: Count, **extra: Any) -> dict[str, Any]:
        return {"count": count, "url": _url("cycle-pattern-entries", slug, cycle, f, **extra)}

    def ask_url(**extra: Any) -> str:
        return _url("cycle-pattern-ask", slug, cycle, f, **extra)

    def month(value: _dt.date) -> str:
        return value.strftime("%Y-%m")

    table = [
        {
            "theme_id": theme.theme_id,
            "name": theme.name,
            "kind": theme.kind,
            "cells": [
                linked(count, theme=theme.theme_id, month=month(m))
                for m, count in zip(summary.months, theme.cells, strict=True)
            ],
            "total": linked(theme.total, theme=theme.theme_id),
            "ask_url": ask_url(theme=theme.theme_id),
        }
        for theme in summary.themes
    ]
    experiments_url = reverse("cycle-pattern-experiments", args=[slug, cycle.pk])
    ended = _("Ended")
    outcomes = dict(Experiment.Outcome.choices)
    labels: dict[str, str] = {
        Experiment.Status.PLANNED: _("Planned"),
        Experiment.Status.RUNNING: _("Running"),
    }
    portfolio = []
    for row in summary.portfolio:
        if row.status != Experiment.Status.ENDED:
            label, query = labels[row.status], _params(f, status=row.status)
        else:
            outcome = outcomes.get(row.outcome, _("outcome not recorded"))
            label = f"{ended}: {outcome}"
            query = _params(f, status=row.status, outcome=row.outcome or "none")
        portfolio.append(
            {"label": label, "count": row.count, "url": f"{experiments_url}?{urlencode(query)}"}
        )
    return {
        "filter": f,
        "summary": summary,
        "months": [{"date": m, "label": month_label(m)} for m in summary.months],
        "table": table,
        "month_row": [
            linked(count, month=month(m))
            for m, count in zip(summary.months, summary.month_totals, strict=True)
        ],
        "all_total": linked(summary.total),
        "problems": [row for row in table if row["kind"] == Theme.Kind.PROBLEM],
        "aspirations": [row for row in table if row["kind"] == Theme.Kind.ASPIRATION],
        "portfolio": portfolio,
        "learnt": selectors.experiments_learnt(workspace=workspace, cycle_ids=ids, f=f),
        "stories": selectors.recent_stories(workspace=workspace, user=user, cycle_ids=ids, f=f),
        "story_count": linked(summary.stories, kind=Entry.Kind.STORY),
        "barriers": selectors.barriers_raised(workspace=workspace, user=user, cycle_ids=ids, f=f),
        "barrier_count": linked(summary.barriers, kind=Entry.Kind.BARRIER),
        "barrier_ask_url": ask_url(kind=Entry.Kind.BARRIER),
        "ask_url": ask_url(),
        "period": describe(f),
    }


@workspace_view()
def pattern_entries(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """The entries behind a number that the viewer may see."""
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    below = selectors.below_ids(workspace=workspace, cycle=cycle)
    form = _filter_form(request, below, DrillDownForm)
    f = _valid_filter(form)
    context: dict[str, Any] = {"cycle": cycle, "form": form}
    if f is None:
        return render(
            request, "cycles/patterns/entries.html", context, status=invalid_status(request)
        )
    ids = selectors.scoped_cycle_ids(workspace=workspace, cycle_ids=below, system=f.system)
    entries = (
        selectors.visible_shared_entries(workspace=workspace, user=request.user, cycle_ids=ids, f=f)
        .select_related(*CYCLE_NAMING, "author")
        .prefetch_related("themes")
        .order_by(*TIMELINE_ORDER)
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(_params(f))
    context.update(
        {
            "filter": f,
            "pattern": describe(f),
            "page": page,
            "query": query,
            "patterns_url": f"{reverse('cycle-patterns', args=[workspace.slug, cycle.pk])}?"
            + urlencode({k: v for k, v in _params(f).items() if k not in ("month", "kind")}),
            "ask_url": _url("cycle-pattern-ask", workspace.slug, cycle, f),
            "may_ask": selectors.may_ask_back(request.membership),
        }
    )
    return render(request, "cycles/patterns/entries.html", context)


@workspace_view()
def pattern_experiments(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """The experiments behind a number of the portfolio."""
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    below = selectors.below_ids(workspace=workspace, cycle=cycle)
    form = _filter_form(request, below, PatternFilterForm)
    f = _valid_filter(form)
    status = request.GET.get("status", "")
    outcome = request.GET.get("outcome", "")
    if status and status not in Experiment.Status.values:
        form.add_error(None, _("Choose a status the experiments have."))
        f = None
    if outcome and outcome != "none" and outcome not in Experiment.Outcome.values:
        form.add_error(None, _("Choose an outcome the experiments have."))
        f = None
    context: dict[str, Any] = {"cycle": cycle, "form": form}
    if f is None:
        return render(
            request, "cycles/patterns/experiments.html", context, status=invalid_status(request)
        )
    ids = selectors.scoped_cycle_ids(workspace=workspace, cycle_ids=below, system=f.system)
    experiments = selectors.experiments_below(workspace=workspace, cycle_ids=ids, f=f)
    if status:
        experiments = experiments.filter(status=status)
    if outcome:
        experiments = experiments.filter(outcome="" if outcome == "none" else outcome)
    experiments = experiments.select_related(*CYCLE_NAMING).order_by("cycle__name", "title", "pk")
    page = Paginator(experiments, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        {
            "page": page,
            "status_label": dict(Experiment.Status.choices).get(status, ""),
            "outcome_label": dict(Experiment.Outcome.choices).get(outcome, ""),
            "patterns_url": f"{reverse('cycle-patterns', args=[workspace.slug, cycle.pk])}?"
            + urlencode(_params(f)),
            "query": urlencode({**_params(f), "status": status, "outcome": outcome}),
        }
    )
    return render(request, "cycles/patterns/experiments.html", context)


# Back to context -----------------------------------------------------------------------------


@workspace_view()
def pattern_ask(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """Write a question about a pattern and send it back to the cycles it came from."""
    workspace = request.workspace
    if not selectors.may_ask_back(request.membership):
        raise PermissionDenied
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    below = selectors.below_ids(workspace=workspace, cycle=cycle)
    filter_form = _filter_form(request, below, DrillDownForm)
    f = _valid_filter(filter_form)
    if f is None:
        return render(
            request,
            "cycles/patterns/ask.html",
            {"cycle": cycle, "filter_form": filter_form, "form": None},
            status=invalid_status(request),
        )
    ids = selectors.scoped_cycle_ids(workspace=workspace, cycle_ids=below, system=f.system)
    concerned = selectors.cycles_concerned(workspace=workspace, cycle_ids=ids, f=f)
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        cycles=concerned,
        initial={"cycles": concerned},
    )
    if request.method == "POST":
        question = submit(
            form,
            lambda data: services.context_question_send(
                workspace=workspace,
                asked_from=cycle,
                asked_by=request.user,
                origin={"label": describe(f), **_params(f)},
                **data,
            ),
        )
        if question is not None:
            messages.success(
                request, _("Question sent. Their answers will show on this cycle's questions.")
            )
            return redirect("context-question", workspace.slug, question.pk)
    status = invalid_status(request) if request.method == "POST" else 200
    context = {
        "cycle": cycle,
        "filter_form": filter_form,
        "form": form,
        "pattern": describe(f),
        "has_cycles": concerned.exists(),
        "patterns_url": f"{reverse('cycle-patterns', args=[workspace.slug, cycle.pk])}?"
        + urlencode({k: v for k, v in _params(f).items() if k not in ("month", "kind")}),
    }
    return render(request, "cycles/patterns/ask.html", context, status=status)


@workspace_view()
def cycle_questions(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """The questions this cycle asked the cycles below, with their answers."""
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    questions = selectors.questions_asked_from(workspace=workspace, cycle=cycle)
    page = Paginator(questions, 20).get_page(request.GET.get("page"))
    return render(request, "cycles/patterns/questions.html", {"cycle": cycle, "page": page})


@workspace_view()
def question_detail(request: WorkspaceRequest, question_id: int) -> HttpResponse:
    return _question_page(request, question_id)


def _question_page(
    request: WorkspaceRequest,
    question_id: int,
    failed: ContextQuestionTarget | None = None,
    failed_form: AnswerForm | None = None,
) -> HttpResponse:
    workspace = request.workspace
    question = selectors.question_with_answers(workspace=workspace, question_id=question_id)
    if question is None:
        raise Http404
    answerable = selectors.targets_answerable_by(
        workspace=workspace, membership=request.membership, question=question
    )
    targets = [
        {
            "target": target,
            "form": failed_form
            if failed is not None and failed.pk == target.pk
            else (AnswerForm(prefix=f"t{target.pk}") if target.pk in answerable else None),
        }
        for target in question.targets.all()
    ]
    status = invalid_status(request) if failed_form is not None else 200
    return render(
        request,
        "cycles/patterns/question.html",
        {"question": question, "targets": targets},
        status=status,
    )


@require_POST
@workspace_view("entries.create")
def question_answer(request: WorkspaceRequest, target_id: int) -> HttpResponse:
    """Answer a question sent to a cycle one takes part in."""
    workspace = request.workspace
    target = get_object_or_404(
        ContextQuestionTarget.objects.select_related(*CYCLE_NAMING),
        workspace=workspace,
        pk=target_id,
    )
    if not selectors.may_answer(
        workspace=workspace, membership=request.membership, cycle=target.cycle
    ):
        raise PermissionDenied
    form = AnswerForm(request.POST, prefix=f"t{target.pk}")
    answer = submit(
        form,
        lambda data: services.context_answer_create(
            workspace=workspace, target=target, author=request.user, **data
        ),
    )
    if answer is not None:
        messages.success(request, _("Answer sent to the cycle that asked."))
        if request.POST.get("back") == "timeline":
            return redirect("cycle-timeline", workspace.slug, target.cycle_id)
        return redirect("context-question", workspace.slug, target.question_id)
    return _question_page(request, target.question_id, failed=target, failed_form=form)
