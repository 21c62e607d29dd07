"""Themes: the workspace's shared vocabulary. Thin views over cycles.themes services."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cycles.access import access_theme
from cycles.models import Theme
from cycles.themes import selectors, services
from cycles.themes.forms import MergeForm, ThemeForm
from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can


def _list_page(
    request: WorkspaceRequest, form: ThemeForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "groups": selectors.themes_by_kind(workspace=request.workspace),
        "form": form or ThemeForm(initial={"kind": Theme.Kind.PROBLEM}),
        "can_manage_themes": can(request.membership, "themes.manage"),
    }
    return render(request, "cycles/themes/list.html", context, status=status)


@workspace_view()
def theme_list(request: WorkspaceRequest) -> HttpResponse:
    return _list_page(request)


@workspace_view("themes.manage")
def theme_create(request: WorkspaceRequest) -> HttpResponse:
    if request.method != "POST":
        return _list_page(request)
    form = ThemeForm(request.POST)
    theme = submit(
        form,
        lambda data: services.theme_create(
            workspace=request.workspace,
            created_by=request.user,
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
        ),
    )
    if theme is not None:
        messages.success(request, _("Theme “%(name)s” added.") % {"name": theme.name})
        return redirect("theme-list", workspace_slug=request.workspace.slug)
    return _list_page(request, form=form, status=invalid_status(request))


@workspace_view()
def theme_detail(request: WorkspaceRequest, theme_id: int) -> HttpResponse:
    workspace = request.workspace
    theme = access_theme(workspace=workspace, theme_id=theme_id)
    merged_into = (
        Theme.objects.filter(workspace=workspace, pk=theme.merged_into_id).first()
        if theme.merged_into_id
        else None
    )
    labels = dict(Theme.Kind.choices)
    history = list(selectors.theme_history(workspace=workspace, theme=theme))
    for change in history:  # show kinds by their labels
        if change.action == "kind_changed":
            change.before = str(labels.get(change.before, change.before))
            change.after = str(labels.get(change.after, change.after))
    context = {
        "theme": theme,
        "merged_into": merged_into,
        "history": history,
        "entries": selectors.theme_entries_visible_to(
            workspace=workspace, user=request.user, theme=theme
        ),
        "can_manage_themes": can(request.membership, "themes.manage"),
    }
    return render(request, "cycles/themes/detail.html", context)


@workspace_view("themes.manage")
def theme_edit(request: WorkspaceRequest, theme_id: int) -> HttpResponse:
    workspace = request.workspace
    theme = access_theme(workspace=workspace, theme_id=theme_id)
    initial = {
        "name": theme.name,
        "kind": theme.kind,
        "description": theme.description,
        "revision": theme.revision,
    }
    form = ThemeForm(request.POST if request.method == "POST" else None, initial=initial)
    conflict: EditConflict | None = None
    if request.method == "POST":
        try:
            saved = submit(
                form,
                lambda data: services.theme_update(
                    workspace=workspace, theme=theme, changed_by=request.user, **data
                ),
            )
        except EditConflict as error:
            conflict = error.with_yours(form.cleaned_data)
            form = ThemeForm(rebind(request.POST, conflict), initial=initial)
        else:
            if saved is not None:
                messages.success(request, _("Theme saved. Its history keeps the old name."))
                return redirect("theme-detail", workspace_slug=workspace.slug, theme_id=theme.pk)
    status = 409 if conflict else invalid_status(request) if form.errors else 200
    context = {"theme": theme, "form": form, "conflict": conflict}
    return render(request, "cycles/themes/edit.html", context, status=status)


@workspace_view("themes.manage")
def theme_merge(request: WorkspaceRequest, theme_id: int) -> HttpResponse:
    workspace = request.workspace
    theme = access_theme(workspace=workspace, theme_id=theme_id)
    form = MergeForm(
        request.POST if request.method == "POST" else None, workspace=workspace, theme=theme
    )
    if request.method == "POST":
        target = submit(
            form,
            lambda data: services.theme_merge(
                workspace=workspace, theme=theme, merged_by=request.user, **data
            ),
        )
        if target is not None:
            messages.success(
                request,
                _("“%(theme)s” was merged into “%(into)s”. Its entries now carry “%(into)s”.")
                % {"theme": theme.name, "into": target.name},
            )
            return redirect("theme-detail", workspace_slug=workspace.slug, theme_id=target.pk)
    status = invalid_status(request) if form.errors else 200
    return render(
        request, "cycles/themes/merge.html", {"theme": theme, "form": form}, status=status
    )
