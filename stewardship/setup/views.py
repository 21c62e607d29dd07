"""Place-cycle set-up: the list of place cycles, starting one, the six steps (each can be left
and resumed), their small forms, and the overview every member reads. Thin: parse, call one
service, render or redirect. htmx requests get `template#partial` fragments; without
JavaScript every form posts and redirects back to its step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle
from cycles.models import Cycle
from hls.accounts.models import User
from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from stewardship.models import Participation
from stewardship.setup import access, selectors, services
from stewardship.setup.forms import (
    AccountabilityForm,
    CharterForm,
    OrganisationForm,
    ParticipationForm,
    PrincipleEditForm,
    PrincipleForm,
    PurposeForm,
    SignatureForm,
    StartForm,
    StatusForm,
    StewardForm,
)
from systems.models import Scale

MANAGE = "stewardship.manage"
STEP_TEMPLATE = "stewardship/setup/step.html"


def _back(request: WorkspaceRequest, cycle: Cycle, step: str) -> HttpResponse:
    return redirect("place-step", request.workspace.slug, cycle.pk, step)


def _members(request: WorkspaceRequest) -> list[User]:
    return list(
        User.objects.filter(memberships__workspace=request.workspace).order_by("full_name", "email")
    )


# The list and the start ----------------------------------------------------------------------


@workspace_view()
def place_list(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "stewardship/setup/list.html",
        {"rows": selectors.place_rows(workspace=request.workspace)},
    )


@workspace_view(MANAGE)
def place_start(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    cycles = list(selectors.cycles_to_set_up(workspace=workspace))
    scales = list(Scale.objects.filter(workspace=workspace))
    form = StartForm(
        request.POST or None,
        cycles=cycles,
        scales=scales,
        default_scale=selectors.default_place_scale(workspace=workspace),
    )

    def start(data: dict[str, Any]) -> Cycle:
        if data["cycle"] is not None:
            cycle = next(c for c in cycles if c.pk == data["cycle"])
            services.place_setup_start(workspace=workspace, cycle=cycle, user=request.user)
            return cycle
        return services.place_cycle_create(
            workspace=workspace,
            user=request.user,
            name=data["name"],
            purpose=data["purpose"],
            scale=next((s for s in scales if s.pk == data["scale"]), None),
        )

    if request.method == "POST":
        cycle = submit(form, start)
        if cycle is not None:
            messages.success(request, _("Set-up started. You can leave at any step and come back."))
            return _back(request, cycle, "purpose")
        return render(
            request,
            "stewardship/setup/start.html",
            {"form": form},
            status=invalid_status(request),
        )
    return render(request, "stewardship/setup/start.html", {"form": form})


# The overview --------------------------------------------------------------------------------


@workspace_view()
def place_detail(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(workspace=request.workspace, cycle_id=cycle_id)
    return render(
        request,
        "stewardship/setup/detail.html",
        {"cycle": cycle, "o": selectors.overview(workspace=request.workspace, cycle=cycle)},
    )


# A step --------------------------------------------------------------------------------------


def _step_page(
    request: WorkspaceRequest,
    cycle: Cycle,
    step: str,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    workspace = request.workspace
    o = selectors.overview(workspace=workspace, cycle=cycle)
    ctx: dict[str, Any] = {
        "cycle": cycle,
        "step": step,
        "label": selectors.STEP_LABELS[step],
        "steps": selectors.steps_for(o.setup, current=step),
        "o": o,
        "statuses": Participation.Status.choices,
    }
    index = selectors.STEPS.index(step)
    ctx["next_step"] = selectors.STEPS[index + 1] if index + 1 < len(selectors.STEPS) else None
    ctx["previous_step"] = selectors.STEPS[index - 1] if index else None
    if step == "purpose":
        ctx["main_form"] = PurposeForm(
            initial={
                "purpose": cycle.purpose,
                "learning_questions": cycle.learning_questions,
                "revision": cycle.revision,
            }
        )
    elif step == "organisations":
        ctx["organisation_form"] = OrganisationForm(
            organisations=list(selectors.other_organisations(workspace=workspace, cycle=cycle))
        )
    elif step == "principles":
        ctx["main_form"] = CharterForm(
            initial={
                "title": o.charter.title if o.charter else _("Our shared principles"),
                "preamble": o.charter.preamble if o.charter else "",
                "revision": o.charter.revision if o.charter else 1,
            }
        )
        ctx["principle_form"] = PrincipleForm()
        ctx["signature_form"] = SignatureForm(organisations=o.organisations)
    elif step == "stewards":
        ctx["steward_form"] = StewardForm(members=_members(request))
    elif step == "participation":
        ctx["participation_form"] = ParticipationForm()
    elif step == "accountability":
        ctx["accountability_form"] = AccountabilityForm()
    ctx.update(bound or {})
    ctx["conflict"] = conflict
    return render(request, STEP_TEMPLATE, ctx, status=status)


def _step_or_404(step: str) -> str:
    if step not in selectors.STEPS:
        raise Http404
    return step


@workspace_view(MANAGE)
def place_step(request: WorkspaceRequest, cycle_id: int, step: str) -> HttpResponse:
    workspace, user = request.workspace, request.user
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    step = _step_or_404(step)
    if request.method != "POST":
        return _step_page(request, cycle, step)

    def save(data: dict[str, Any]) -> object:
        if step == "purpose":
            services.place_purpose_save(workspace=workspace, cycle=cycle, user=user, **data)
        elif step == "principles":
            services.charter_save(workspace=workspace, cycle=cycle, user=user, **data)
        return services.place_step_save(workspace=workspace, cycle=cycle, step=step, user=user)

    main_forms: dict[str, type[forms.Form]] = {"purpose": PurposeForm, "principles": CharterForm}
    if step not in main_forms:  # the other steps' rows are saved by their own small forms
        save({})
    else:
        form = main_forms[step](request.POST)
        try:
            saved = submit(form, save)
        except EditConflict as error:
            # Someone saved this step meanwhile: theirs beside this person's, kept as typed.
            conflict = error.with_yours(form.cleaned_data)
            rebound = main_forms[step](rebind(request.POST, conflict))
            return _step_page(request, cycle, step, {"main_form": rebound}, 409, conflict)
        if saved is None:
            return _step_page(request, cycle, step, {"main_form": form}, invalid_status(request))
    setup = selectors.setup_of(workspace=workspace, cycle=cycle)
    if step not in (setup.completed_steps if setup else []):
        messages.info(
            request,
            _("Saved. This step is not finished yet: %(what)s") % {"what": _step_needs(step)},
        )
    else:
        messages.success(request, _("Saved."))
    if request.POST.get("then") == "later":
        return redirect("place-list", workspace.slug)
    index = selectors.STEPS.index(step)
    if index + 1 < len(selectors.STEPS):
        return _back(request, cycle, selectors.STEPS[index + 1])
    return redirect("place-detail", workspace.slug, cycle.pk)


def _step_needs(step: str) -> str:
    return {
        "purpose": _("say what the cycle is for."),
        "organisations": _("add at least one member organisation."),
        "principles": _("add at least one principle."),
        "stewards": _("add at least one steward."),
        "participation": _("add at least one row to the register."),
        "accountability": _("say to whom this cycle gives account."),
    }[step]


def _sub_form(
    request: WorkspaceRequest,
    cycle: Cycle,
    step: str,
    name: str,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Submit a step's small form to `write` (hls/forms.py) and go back to the step; or show
    the step again with the errors beside the fields."""
    if submit(form, write) is not None:
        messages.success(request, done)
        return _back(request, cycle, step)
    return _step_page(request, cycle, step, {name: form}, invalid_status(request))


# Step 2: organisations ------------------------------------------------------------------------


@require_POST
@workspace_view(MANAGE)
def place_organisation_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    choices = list(selectors.other_organisations(workspace=workspace, cycle=cycle))
    form = OrganisationForm(request.POST, organisations=choices)

    def write(data: dict[str, Any]) -> object:
        return services.place_organisation_add(
            workspace=workspace,
            cycle=cycle,
            user=request.user,
            organisation=next((o for o in choices if o.pk == data["organisation"]), None),
            new_name=data["new_name"],
        )

    return _sub_form(
        request, cycle, "organisations", "organisation_form", form, write, _("Organisation added.")
    )


@require_POST
@workspace_view(MANAGE)
def place_organisation_remove(
    request: WorkspaceRequest, cycle_id: int, organisation_id: int
) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    organisation = access.access_organisation(workspace=workspace, organisation_id=organisation_id)
    services.place_organisation_remove(
        workspace=workspace, cycle=cycle, user=request.user, organisation=organisation
    )
    messages.success(
        request, _("%(name)s is no longer a member organisation.") % {"name": organisation.name}
    )
    return _back(request, cycle, "organisations")


# Step 3: principles and signatures ------------------------------------------------------------


@require_POST
@workspace_view(MANAGE)
def place_principle_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    form = PrincipleForm(request.POST)

    def write(data: dict[str, Any]) -> object:
        return services.principle_add(workspace=workspace, cycle=cycle, user=request.user, **data)

    return _sub_form(
        request, cycle, "principles", "principle_form", form, write, _("Principle added.")
    )


@workspace_view(MANAGE)
def place_principle_edit(request: WorkspaceRequest, principle_id: int) -> HttpResponse:
    workspace = request.workspace
    principle = access.access_principle(workspace=workspace, principle_id=principle_id)
    cycle = principle.charter.cycle
    form = PrincipleEditForm(
        request.POST or None,
        initial={
            "title": principle.title,
            "description": principle.description,
            "revision": principle.revision,
        },
    )
    status = 200
    conflict: EditConflict | None = None
    if request.method == "POST":
        try:
            saved = submit(
                form,
                lambda data: services.principle_update(
                    workspace=workspace, principle=principle, **data
                ),
            )
        except EditConflict as error:
            conflict = error.with_yours(form.cleaned_data)
            form = PrincipleEditForm(rebind(request.POST, conflict))
        else:
            if saved is not None:
                messages.success(request, _("Principle saved."))
                return _back(request, cycle, "principles")
        status = 409 if conflict else invalid_status(request)
    context = {
        "form": form,
        "principle": principle,
        "cycle": cycle,
        "charter": principle.charter,
        "conflict": conflict,
    }
    return render(request, "stewardship/setup/principle_edit.html", context, status=status)


@require_POST
@workspace_view(MANAGE)
def place_principle_remove(request: WorkspaceRequest, principle_id: int) -> HttpResponse:
    workspace = request.workspace
    principle = access.access_principle(workspace=workspace, principle_id=principle_id)
    services.principle_remove(workspace=workspace, principle=principle)
    messages.success(request, _("Principle removed."))
    return _back(request, principle.charter.cycle, "principles")


@require_POST
@workspace_view(MANAGE)
def place_principle_move(request: WorkspaceRequest, principle_id: int) -> HttpResponse:
    workspace = request.workspace
    principle = access.access_principle(workspace=workspace, principle_id=principle_id)
    direction: Literal["up", "down"] = "up" if request.POST.get("direction") == "up" else "down"
    services.principle_move(workspace=workspace, principle=principle, direction=direction)
    return _back(request, principle.charter.cycle, "principles")


@require_POST
@workspace_view(MANAGE)
def place_signature_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    organisations = list(selectors.member_organisations(workspace=workspace, cycle=cycle))
    form = SignatureForm(request.POST, organisations=organisations)

    def write(data: dict[str, Any]) -> object:
        return services.signature_add(
            workspace=workspace,
            cycle=cycle,
            user=request.user,
            organisation=next(o for o in organisations if o.pk == data["organisation"]),
            signed_by_name=data["signed_by_name"],
            signed_on=data["signed_on"],
        )

    return _sub_form(
        request, cycle, "principles", "signature_form", form, write, _("Signature recorded.")
    )


# Step 4: stewards ----------------------------------------------------------------------------


@require_POST
@workspace_view(MANAGE)
def place_steward_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    members = _members(request)
    form = StewardForm(request.POST, members=members)

    def write(data: dict[str, Any]) -> object:
        return services.steward_role_add(
            workspace=workspace,
            cycle=cycle,
            user=request.user,
            holder=next((u for u in members if u.pk == data["holder"]), None),
            holder_name=data["holder_name"],
            mandate=data["mandate"],
            answers_to=data["answers_to"],
            review_on=data["review_on"],
        )

    return _sub_form(request, cycle, "stewards", "steward_form", form, write, _("Steward added."))


@require_POST
@workspace_view(MANAGE)
def place_steward_end(request: WorkspaceRequest, steward_role_id: int) -> HttpResponse:
    workspace = request.workspace
    role = access.access_steward_role(workspace=workspace, steward_role_id=steward_role_id)
    services.steward_role_end(workspace=workspace, role=role)
    messages.success(request, _("The role has ended. It stays in the record."))
    return _back(request, role.cycle, "stewards")


# Step 5: participation -----------------------------------------------------------------------


@require_POST
@workspace_view(MANAGE)
def place_participation_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    form = ParticipationForm(request.POST)
    if not request.htmx:

        def write(data: dict[str, Any]) -> object:
            return services.participation_add(
                workspace=workspace, cycle=cycle, user=request.user, **data
            )

        return _sub_form(
            request, cycle, "participation", "participation_form", form, write, _("Added.")
        )
    context: dict[str, Any] = {"cycle": cycle, "statuses": Participation.Status.choices}
    row = submit(
        form,
        lambda data: services.participation_add(
            workspace=workspace, cycle=cycle, user=request.user, **data
        ),
    )
    if row is not None:
        context.update(
            row=row,
            participation_form=ParticipationForm(),
            o=selectors.overview(workspace=workspace, cycle=cycle),
        )
        return render(request, f"{STEP_TEMPLATE}#participation-added", context)
    context["participation_form"] = form
    return render(
        request, f"{STEP_TEMPLATE}#participation-add", context, status=invalid_status(request)
    )


@require_POST
@workspace_view(MANAGE)
def place_participation_status(request: WorkspaceRequest, participation_id: int) -> HttpResponse:
    workspace = request.workspace
    row = access.access_participation(workspace=workspace, participation_id=participation_id)
    form = StatusForm(request.POST)
    error = ""
    if form.is_valid():
        services.participation_set_status(
            workspace=workspace, participation=row, status=form.cleaned_data["status"]
        )
    else:
        error = _("Choose invited, taking part or heard.")
    if request.htmx:
        return render(
            request,
            f"{STEP_TEMPLATE}#participation-row",
            {
                "row": row,
                "cycle": row.cycle,
                "statuses": Participation.Status.choices,
                "status_error": error,
                "saved": not error,
            },
            status=invalid_status(request) if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s.") % {"name": row.name, "status": row.get_status_display()},
        )
    return _back(request, row.cycle, "participation")


@require_POST
@workspace_view(MANAGE)
def place_participation_remove(request: WorkspaceRequest, participation_id: int) -> HttpResponse:
    workspace = request.workspace
    row = access.access_participation(workspace=workspace, participation_id=participation_id)
    services.participation_remove(workspace=workspace, participation=row)
    messages.success(request, _("Removed from the register."))
    return _back(request, row.cycle, "participation")


# Step 6: accountability ----------------------------------------------------------------------


@require_POST
@workspace_view(MANAGE)
def place_accountability_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    form = AccountabilityForm(request.POST)

    def write(data: dict[str, Any]) -> object:
        return services.accountability_add(
            workspace=workspace, cycle=cycle, user=request.user, **data
        )

    return _sub_form(
        request, cycle, "accountability", "accountability_form", form, write, _("Added.")
    )


@require_POST
@workspace_view(MANAGE)
def place_accountability_remove(request: WorkspaceRequest, accountability_id: int) -> HttpResponse:
    workspace = request.workspace
    row = access.access_accountability(workspace=workspace, accountability_id=accountability_id)
    services.accountability_remove(workspace=workspace, accountability=row)
    messages.success(request, _("Removed."))
    return _back(request, row.cycle, "accountability")
