import base64
import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    redirect_to_login,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from hls.accounts import selectors
from hls.accounts import services as account_services
from hls.accounts.forms import (
    ChangePasswordForm,
    EmailAuthenticationForm,
    PasswordConfirmForm,
    ProfileForm,
    SignInCodeForm,
    SignupForm,
    TwoFactorConfirmForm,
    TwoFactorDisableForm,
)
from hls.accounts.models import User
from hls.accounts.qr import qr_svg
from hls.accounts.services import user_create, user_update_profile
from hls.forms import act, add_service_error, submit
from hls.tenancy import selectors as tenancy_selectors
from hls.tenancy import services as tenancy_services
from hls.tenancy.forms import WorkspaceForm
from hls.tenancy.http import AuthenticatedRequest


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Where signing in lands: your only workspace, or the list of them to choose from."""
    memberships = list(tenancy_selectors.memberships_for_user(user=request.user))
    if len(memberships) == 1 and "choose" not in request.GET:
        return redirect("workspace-home", workspace_slug=memberships[0].workspace.slug)
    return render(request, "accounts/home.html", {"memberships": memberships})


@login_required
def workspace_create(request: AuthenticatedRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST":
        workspace = submit(
            form, lambda data: tenancy_services.workspace_create(creator=request.user, **data)
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
    context = {"form": form, "two_factor_on": selectors.two_factor_confirmed(user=request.user)}
    return render(request, "accounts/profile.html", context, status=status)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Follow an invitation link: sign up, sign in, or join, depending on who follows it."""
    lookup = tenancy_services.invitation_for_token(token)
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
            tenancy_services.invitation_accept(invitation=invitation, user=user)
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
        tenancy_services.invitation_accept(invitation=invitation, user=new_user)
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


# Signing in, in one or two steps (docs/accounts.md) -------------------------------------------

PENDING = "hls_two_factor_pending"  # in the session: who gave the right password, and when


class SignInView(LoginView):
    """Email and password. Someone who has set up two-step sign-in is not signed in yet: the
    session only remembers, for a few minutes, that their password was right, and the code page
    asks for the second step."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.session.pop(PENDING, None)  # back at the start: a half-done sign-in is dropped
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not selectors.two_factor_confirmed(user=user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "next": self.get_success_url(),
            "at": int(time.time()),
        }
        return redirect("login-code")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING) or {}
    fresh = int(time.time()) - int(pending.get("at", 0)) <= settings.TWO_FACTOR_PENDING_SECONDS
    user_id = pending.get("user")
    user = User.objects.filter(pk=user_id, is_active=True).first() if fresh and user_id else None
    return user, pending


@sensitive_post_parameters("code")
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code.
    Wrong codes count towards the same lockout as wrong passwords (django-axes), and the app
    itself slows down after each wrong code (django-otp)."""
    user, pending = _pending_user(request)
    if user is None:
        if request.session.pop(PENDING, None):
            messages.info(request, _("That took a while, so start again: sign in once more."))
        return redirect("login")
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING, None)
        return get_lockout_response(request, None, credentials)
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = account_services.two_factor_sign_in_check(user=user, code=form.cleaned_data["code"])
        if check.ok:
            del request.session[PENDING]
            login(request, user, backend=pending.get("backend") or None)
            if check.kind == "recovery":
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; it will not work again. You have "
                        "%(left)s left: make new ones from your account's two-step sign-in page."
                    )
                    % {"left": selectors.recovery_codes_left(user=user)},
                )
            return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
        if not check.wait_seconds:  # a code checked and wrong, not one refused for waiting
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):  # that was one too many
            request.session.pop(PENDING, None)
            return get_lockout_response(request, None, credentials)
        add_service_error(form, account_services.code_refusal(check))
    status = 400 if form.errors else 200
    return render(request, "registration/login_code.html", {"form": form}, status=status)


# Two-step sign-in: setting it up, recovery codes, turning it off -------------------------------

FRESH_CODES = "hls_fresh_recovery_codes"  # in the session: codes to show once, and until when
FRESH_CODES_SECONDS = 10 * 60


def _safe_next(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _keep_fresh_codes(request: HttpRequest, codes: list[str]) -> None:
    request.session[FRESH_CODES] = {"codes": codes, "until": int(time.time()) + FRESH_CODES_SECONDS}


def _fresh_codes(request: HttpRequest) -> list[str]:
    fresh = request.session.get(FRESH_CODES) or {}
    if int(fresh.get("until", 0)) < int(time.time()):
        return []
    return list(fresh.get("codes", []))


def _group(secret: str, size: int = 4) -> str:
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


@login_required
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """Your two-step sign-in: on or off, recovery codes left, and what you can do."""
    user = request.user
    context = {
        "enabled": selectors.two_factor_confirmed(user=user),
        "codes_left": selectors.recovery_codes_left(user=user),
        "required_by": selectors.workspaces_requiring_two_factor(user=user),
        "regenerate_form": PasswordConfirmForm(),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    """Set up two-step sign-in: scan the QR code (or type the key), then type the app's code."""
    user = request.user
    next_url = _safe_next(request, reverse("two-factor"))
    if selectors.two_factor_confirmed(user=user):
        messages.info(request, _("Two-step sign-in is already on for your account."))
        return redirect(next_url)
    device = account_services.two_factor_begin(user=user)
    form = TwoFactorConfirmForm(request.POST or None)
    if request.method == "POST":
        codes = submit(
            form, lambda data: account_services.two_factor_confirm(user=user, code=data["code"])
        )
        if codes is not None:
            _keep_fresh_codes(request, codes)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect(reverse("recovery-codes") + "?" + urlencode({"next": next_url}))
    context = {
        "form": form,
        "qr": qr_svg(device.config_url, label=_("QR code to add HLS Learning Cycles to your app")),
        "secret": _group(base64.b32encode(device.bin_key).decode()),
        "required_by": selectors.workspaces_requiring_two_factor(user=user),
        "next": next_url,
    }
    return render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@login_required
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes, shown until the user says they have kept them (or ten minutes)."""
    next_url = _safe_next(request, reverse("two-factor"))
    if request.method == "POST":  # "I have kept them"
        request.session.pop(FRESH_CODES, None)
        return redirect(next_url)
    codes = _fresh_codes(request)
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown once. If you have lost yours, make new ones here."),
        )
        return redirect("two-factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


@login_required
def recovery_codes_download(request: AuthenticatedRequest) -> HttpResponse:
    codes = _fresh_codes(request)
    if not codes:
        raise Http404
    text = render_to_string(
        "accounts/recovery_codes.txt", {"codes": codes, "email": request.user.email}
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="hls-recovery-codes.txt"'
    return response


@require_POST
@login_required
def recovery_codes_regenerate(request: AuthenticatedRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST)
    codes = submit(
        form,
        lambda data: account_services.recovery_codes_regenerate(
            user=request.user, password=data["password"]
        ),
    )
    if codes is not None:
        _keep_fresh_codes(request, codes)
        messages.success(request, _("New recovery codes made. The old ones no longer work."))
        return redirect("recovery-codes")
    context = {
        "enabled": selectors.two_factor_confirmed(user=request.user),
        "codes_left": selectors.recovery_codes_left(user=request.user),
        "required_by": selectors.workspaces_requiring_two_factor(user=request.user),
        "regenerate_form": form,
    }
    return render(request, "accounts/two_factor.html", context, status=400)


@sensitive_post_parameters("password", "code")
@login_required
def two_factor_disable(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not selectors.two_factor_confirmed(user=user):
        return redirect("two-factor")
    form = TwoFactorDisableForm(request.POST or None)
    if request.method == "POST":
        done = submit(form, lambda data: account_services.two_factor_disable(user=user, **data))
        if done is not None:
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("two-factor")
    context = {"form": form, "required_by": selectors.workspaces_requiring_two_factor(user=user)}
    return render(
        request, "accounts/two_factor_disable.html", context, status=400 if form.errors else 200
    )


# Where you're signed in; your password ---------------------------------------------------------


@login_required
def sessions(request: AuthenticatedRequest) -> HttpResponse:
    found = selectors.sessions_for_user(user=request.user, current_key=request.session.session_key)
    return render(request, "accounts/sessions.html", {"sessions": found})


@require_POST
@login_required
def session_end(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    ended = act(
        request,
        lambda: account_services.session_end(
            user=request.user,
            session_id=session_id,
            current_session_key=request.session.session_key,
        ),
    )
    if ended is not None:
        messages.success(request, _("That session is signed out."))
    return redirect("sessions")


@require_POST
@login_required
def sessions_end_others(request: AuthenticatedRequest) -> HttpResponse:
    count = account_services.sessions_end(
        user=request.user,
        actor=request.user,
        reason="everywhere_else",
        keep_session_key=request.session.session_key,
    )
    messages.success(
        request,
        ngettext(
            "Signed out of %(count)s other session. Only this one is signed in now.",
            "Signed out of %(count)s other sessions. Only this one is signed in now.",
            count,
        )
        % {"count": count}
        if count
        else _("You were signed in here only."),
    )
    return redirect("sessions")


class ChangePasswordView(PasswordChangeView):
    """Change your password; every other session of yours ends at once (this one stays)."""

    form_class = ChangePasswordForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves it; update_session_auth_hash keeps this one
        ended = account_services.sessions_after_password_change(
            user=form.user, old_session_key=old_key, session_key=self.request.session.session_key
        )
        text = _("Your password is changed.")
        if ended:
            text += " " + ngettext(
                "Your %(count)s other session was signed out.",
                "Your %(count)s other sessions were signed out.",
                ended,
            ) % {"count": ended}
        messages.success(self.request, text)
        return response

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class ResetPasswordConfirmView(PasswordResetConfirmView):
    """Choose a new password from an emailed link: every session of the account ends, this
    browser's too if it was signed in to it (the next sign-in uses the new password)."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        current = self.request.session.session_key
        account_services.sessions_end(
            user=user, actor=user, reason="password_reset", keep_session_key=current
        )
        if self.request.user.is_authenticated and self.request.user.pk == user.pk:
            logout(self.request)  # this browser's session, the only one left
        return response
