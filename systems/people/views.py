"""People served: the pseudonymous record, consent, and identity (shown only to those who work
with the person, every view audited, never cached: docs/people-and-privacy.md)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from systems.access import access_person
from systems.models import Person
from systems.people import selectors, services, subject_access
from systems.people.forms import ConsentForm, IdentityForm, PersonForm, consent_label
from systems.selectors import works_with_person

PAGE_SIZE = 50


def _person_worked_with(request: WorkspaceRequest, person_id: int) -> Person:
    """The person, for those who work with them; 404 for everyone else (as if it did not exist),
    so identity pages never confirm that an identity exists."""
    person = access_person(workspace=request.workspace, person_id=person_id)
    if not works_with_person(workspace=request.workspace, user=request.user, person=person):
        raise Http404
    return person


@never_cache
@workspace_view()
def people(request: WorkspaceRequest) -> HttpResponse:
    queryset = selectors.people_visible_to(workspace=request.workspace, user=request.user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "systems/people/people.html",
        {"page": page, "can_manage_people": can(request.membership, "people.manage")},
    )


@never_cache
@workspace_view("people.manage")
def person_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = PersonForm(request.POST or None, workspace=workspace)
    if request.method == "POST":
        person = submit(
            form,
            lambda data: services.person_create(
                workspace=workspace,
                created_by=request.user,
                alias=data["alias"],
                what_matters=data["what_matters"],
                strengths=data["strengths"],
                system=form.chosen_system(),
            ),
        )
        if person is not None:
            messages.success(
                request,
                _("%(person)s is recorded, with the reference %(reference)s.")
                % {"person": person, "reference": person.reference},
            )
            if not works_with_person(workspace=workspace, user=request.user, person=person):
                # Linked to a life whose team the recorder is not in: the record is theirs now.
                return redirect("people", workspace_slug=workspace.slug)
            return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
    status = invalid_status(request) if form.is_bound else 200
    return render(request, "systems/people/person_form.html", {"form": form}, status=status)


def _detail_page(
    request: WorkspaceRequest,
    person: Person,
    consent_form: ConsentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    consents = selectors.person_consents(workspace=workspace, person=person)
    context = {
        "person": person,
        "has_identity": selectors.person_has_identity(workspace=workspace, person=person),
        "can_manage_people": can(request.membership, "people.manage"),
        "can_subject_access": can(request.membership, "people.subject_access"),
        "consent_now": consent_label(person.consent_level),
        "consents": [(consent, consent_label(consent.level)) for consent in consents],
        "consent_form": consent_form or ConsentForm(initial={"level": person.consent_level}),
        "can_erase_person": can(request.membership, "privacy.manage"),  # stewardship/privacy
    }
    return render(request, "systems/people/person_detail.html", context, status=status)


@never_cache
@workspace_view()
def person_detail(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """The record, consent history and what matters: only for those who work with the person."""
    return _detail_page(request, _person_worked_with(request, person_id))


@never_cache
@workspace_view("people.manage")
def person_edit(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Only those who work with the person change their record: the system link decides who
    sees their identity."""
    workspace = request.workspace
    person = _person_worked_with(request, person_id)
    initial = {
        "alias": person.alias,
        "what_matters": person.what_matters,
        "strengths": person.strengths,
        "system": person.system_id,
        "revision": person.revision,
    }
    form = PersonForm(request.POST or None, workspace=workspace, initial=initial)
    conflict: EditConflict | None = None
    status = 200
    if request.method == "POST":
        try:
            saved = submit(
                form,
                lambda data: services.person_update(
                    workspace=workspace,
                    person=person,
                    actor=request.user,
                    alias=data["alias"],
                    what_matters=data["what_matters"],
                    strengths=data["strengths"],
                    system=form.chosen_system(),
                    revision=data.get("revision"),
                ),
            )
        except EditConflict as error:
            # Theirs beside this editor's, who keeps their text (hls/conflicts.py).
            chosen = form.chosen_system()
            conflict = error.with_yours(
                {**form.cleaned_data, "system": chosen.name if chosen else ""}
            )
            form = PersonForm(rebind(request.POST, conflict), workspace=workspace)
            status = 409
        else:
            if saved is not None:
                messages.success(request, _("Saved."))
                if not works_with_person(workspace=workspace, user=request.user, person=person):
                    return redirect("people", workspace_slug=workspace.slug)
                return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
    if form.is_bound and conflict is None:
        status = invalid_status(request)
    return render(
        request,
        "systems/people/person_form.html",
        {"form": form, "person": person, "conflict": conflict},
        status=status,
    )


@never_cache
@require_POST
@workspace_view("people.manage")
def person_consent(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Record consent; only those who work with the person may."""
    workspace = request.workspace
    person = _person_worked_with(request, person_id)
    form = ConsentForm(request.POST)
    consent = submit(
        form,
        lambda data: services.consent_record(
            workspace=workspace, person=person, recorded_by=request.user, **data
        ),
    )
    if consent is not None:
        messages.success(
            request,
            _("Consent recorded. %(person)s agreed to share as far as “%(level)s”.")
            % {"person": person, "level": consent_label(person.consent_level)},
        )
        return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
    return _detail_page(request, person, consent_form=form, status=invalid_status(request))


@never_cache
@workspace_view()
def person_identity(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """GET: a page with a "Show identity" button (nothing revealed). POST: reveal it, audited.
    With htmx, only the identity fragment is returned, into the person page."""
    workspace = request.workspace
    person = _person_worked_with(request, person_id)
    identity = None
    revealed = request.method == "POST"
    if revealed:
        identity = services.identity_view(workspace=workspace, person=person, viewer=request.user)
    context = {
        "person": person,
        "identity": identity,
        "revealed": revealed,
        "has_identity": identity is not None
        or selectors.person_has_identity(workspace=workspace, person=person),
        "can_manage_people": can(request.membership, "people.manage"),
    }
    template = "systems/people/person_identity.html"
    if request.htmx and revealed:
        template += "#identity"
    return render(request, template, context)


@never_cache
@workspace_view("people.manage")
def person_identity_edit(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Record or change identity. Opening the form shows it, so that is audited as a view."""
    workspace = request.workspace
    person = _person_worked_with(request, person_id)
    if request.method == "POST":
        form = IdentityForm(request.POST)
        saved = submit(
            form,
            lambda data: services.identity_set(
                workspace=workspace, person=person, actor=request.user, **data
            ),
        )
        if saved is not None:
            messages.success(request, _("Identity saved, encrypted."))
            return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
        status = invalid_status(request)
    else:
        identity = services.identity_view(workspace=workspace, person=person, viewer=request.user)
        initial = (
            {
                "name": identity.name,
                "date_of_birth": identity.date_of_birth,
                "contact": identity.contact,
            }
            if identity
            else {}
        )
        form, status = IdentityForm(initial=initial), 200
    return render(
        request,
        "systems/people/identity_form.html",
        {"form": form, "person": person},
        status=status,
    )


@never_cache
@workspace_view("people.manage")
def person_identity_erase(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    workspace = request.workspace
    person = _person_worked_with(request, person_id)
    if request.method == "POST":
        erased = services.identity_erase(workspace=workspace, person=person, actor=request.user)
        if erased:
            messages.success(
                request,
                _("Their identity is erased. The record %(reference)s and its stories stay.")
                % {"reference": person.reference},
            )
        return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
    return render(
        request,
        "systems/people/identity_erase.html",
        {
            "person": person,
            "has_identity": selectors.person_has_identity(workspace=workspace, person=person),
        },
    )


@never_cache
@workspace_view("people.subject_access")
def person_subject_access(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Everything held about the person, as one ZIP (subject_access.py). GET says what the file
    holds and offers the button; POST makes it, which is audited (and so is the identity it
    decrypts). Only for admins who work with the person: for anyone else it does not exist."""
    workspace = request.workspace
    person = _person_worked_with(request, person_id)
    if request.method != "POST":
        return render(request, "systems/people/subject_access.html", {"person": person})
    made = subject_access.subject_access_file(
        workspace=workspace, person=person, actor=request.user
    )
    response = HttpResponse(made.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
