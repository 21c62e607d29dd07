from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hls.forms import act, submit
from hls.notices import today_sections
from hls.tenancy import selectors, services
from hls.tenancy.access import access_invitation, access_membership
from hls.tenancy.decorators import workspace_view
from hls.tenancy.forms import InvitationForm, RoleForm, TwoFactorPolicyForm
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.models import Role
from hls.tenancy.permissions import can


@workspace_view()
def workspace_home(request: WorkspaceRequest) -> HttpResponse:
    """Today: what waits for the member, from the areas that registered a section."""
    return render(request, "tenancy/workspace_home.html", {"sections": today_sections(request)})


def _members_page(
    request: WorkspaceRequest, invite_form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    workspace = request.workspace
    manages = can(request.membership, "members.manage")
    context = {
        "members": selectors.workspace_members(workspace=workspace),
        "invitations": (
            selectors.pending_invitations(workspace=workspace)
            if can(request.membership, "members.invite")
            else []
        ),
        "invite_form": invite_form or InvitationForm(),
        "role_choices": Role.choices,
        "two_factor_form": (
            TwoFactorPolicyForm(initial={"require_two_factor": workspace.require_two_factor})
            if manages
            else None
        ),
        "without_two_factor": (
            selectors.members_without_two_factor(workspace=workspace) if manages else []
        ),
    }
    return render(request, "tenancy/members.html", context, status=status)


@workspace_view("members.view")
def members(request: WorkspaceRequest) -> HttpResponse:
    return _members_page(request)


@require_POST
@workspace_view("members.manage")
def workspace_two_factor(request: WorkspaceRequest) -> HttpResponse:
    """The members page's "Two-step sign-in" setting: on, the workspace's admins and stewards
    must set it up before they carry on (hls/tenancy/middleware.py)."""
    workspace = request.workspace
    form = TwoFactorPolicyForm(request.POST)
    done = submit(
        form,
        lambda data: services.workspace_require_two_factor(
            workspace=workspace, actor=request.user, required=data["require_two_factor"]
        ),
    )
    if done is not None:
        messages.success(
            request,
            _("Admins and stewards here now sign in in two steps.")
            if done.require_two_factor
            else _("Two-step sign-in is now each person's own choice here."),
        )
    return redirect(reverse("members", args=[workspace.slug]) + "#two-step")


@require_POST
@workspace_view("members.invite")
def member_invite(request: WorkspaceRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    sent = submit(
        form,
        lambda data: services.invitation_create(
            workspace=request.workspace, invited_by=request.user, **data
        ),
    )
    if sent is not None:
        invitation, created = sent
        text = (
            _("Invitation sent to %(email)s.")
            if created
            else _("%(email)s was already invited: the invitation was sent again.")
        )
        messages.success(request, text % {"email": invitation.email})
        return redirect("members", workspace_slug=request.workspace.slug)
    return _members_page(request, invite_form=form, status=invalid_status(request))


@require_POST
@workspace_view("members.manage")
def member_role(request: WorkspaceRequest, membership_id: int) -> HttpResponse:
    workspace = request.workspace
    membership = access_membership(workspace=workspace, membership_id=membership_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors["role"]))
        services.membership_change_role(
            membership=membership,
            role=form.cleaned_data["role"],
            actor=request.user,
        )
    except ValidationError as error:
        text, failed = " ".join(error.messages), True
        membership.refresh_from_db(fields=["role"])
    else:
        text, failed = (
            _("%(name)s is now %(role)s.")
            % {"name": membership.user.display_name, "role": membership.get_role_display()},
            False,
        )
    if request.htmx:  # swap just this member's row, with the outcome beside the role
        context = {"member": membership, "row_message": text, "row_error": failed}
        context["role_choices"] = Role.choices
        return render(request, "tenancy/members.html#member-row", context)
    (messages.error if failed else messages.success)(request, text)
    return redirect("members", workspace_slug=workspace.slug)


@workspace_view("members.manage")
def member_remove(request: WorkspaceRequest, membership_id: int) -> HttpResponse:
    workspace = request.workspace
    membership = access_membership(workspace=workspace, membership_id=membership_id)
    error = ""
    if request.method == "POST":
        try:
            services.membership_remove(
                membership=membership,
                actor=request.user,
                actor_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(name)s no longer belongs to this workspace.")
                % {"name": membership.user.display_name},
            )
            if membership.user_id == request.user.pk:
                return redirect("home")
            return redirect("members", workspace_slug=workspace.slug)
    return render(
        request,
        "tenancy/member_remove.html",
        {"member": membership, "error": error},
        status=400 if error else 200,
    )


@require_POST
@workspace_view("members.invite")
def invitation_resend(request: WorkspaceRequest, invitation_id: int) -> HttpResponse:
    workspace = request.workspace
    invitation = access_invitation(workspace=workspace, invitation_id=invitation_id)
    if act(request, lambda: services.invitation_resend(invitation=invitation, actor=request.user)):
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": invitation.email}
        )
    return redirect("members", workspace_slug=workspace.slug)


@require_POST
@workspace_view("members.invite")
def invitation_revoke(request: WorkspaceRequest, invitation_id: int) -> HttpResponse:
    workspace = request.workspace
    invitation = access_invitation(workspace=workspace, invitation_id=invitation_id)
    if act(request, lambda: services.invitation_revoke(invitation=invitation, actor=request.user)):
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("members", workspace_slug=workspace.slug)
