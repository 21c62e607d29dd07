from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hls.accounts.forms import ProfileForm, SignupForm
from hls.accounts.models import User
from hls.accounts.services import user_create, user_update_profile
from hls.forms import submit
from hls.tenancy import selectors, services
from hls.tenancy.forms import WorkspaceForm
from hls.tenancy.http import AuthenticatedRequest


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Where signing in lands: your only workspace, or the list of them to choose from."""
    memberships = list(selectors.memberships_for_user(user=request.user))
    if len(memberships) == 1 and "choose" not in request.GET:
        return redirect("workspace-home", workspace_slug=memberships[0].workspace.slug)
    return render(request, "accounts/home.html", {"memberships": memberships})


@login_required
def workspace_create(request: AuthenticatedRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST":
        workspace = submit(
            form, lambda data: services.workspace_create(creator=request.user, **data)
        )
        if workspace is not None:
            messages.success(request, _("Workspace created. You are its admin."))
            return redirect("workspace-home", workspace_slug=workspace.slug)
    status = 400 if form.errors else 200
    return render(request, "accounts/workspace_form.html", {"form": form}, status=status)


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if (
        request.method == "POST"
        and submit(form, lambda data: user_update_profile(user=request.user, **data)) is not None
    ):
        messages.success(request, _("Your details are saved."))
        return redirect("profile")
    status = 400 if form.errors else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Follow an invitation link: sign up, sign in, or join, depending on who follows it."""
    lookup = services.invitation_for_token(token)
    invitation = lookup.invitation
    if invitation is None or lookup.problem:
        return render(
            request,
            "accounts/invitation_problem.html",
            {"problem": lookup.problem, "invitation": invitation},
            status=404 if lookup.problem == "invalid" else 410,
        )
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(
                request,
                "accounts/invitation_wrong_account.html",
                {"invitation": invitation},
                status=403,
            )
        if request.method == "POST":
            services.invitation_accept(invitation=invitation, user=user)
            messages.success(
                request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
            )
            return redirect("workspace-home", workspace_slug=invitation.workspace.slug)
        return render(request, "accounts/invitation_join.html", {"invitation": invitation})

    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("You already have an account: sign in to accept the invitation."))
        return redirect_to_login(request.get_full_path())

    form = SignupForm(request.POST or None)

    def sign_up(data: dict[str, Any]) -> User:
        new_user = user_create(
            email=invitation.email,
            password=data["password1"],
            full_name=data["full_name"],
            time_zone=data["time_zone"],
        )
        services.invitation_accept(invitation=invitation, user=new_user)
        return new_user

    new_user = submit(form, sign_up) if request.method == "POST" else None
    if new_user is not None:
        login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
        )
        return redirect("workspace-home", workspace_slug=invitation.workspace.slug)
    status = 400 if form.errors else 200
    return render(
        request,
        "accounts/invitation_signup.html",
        {"invitation": invitation, "form": form},
        status=status,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("login")
