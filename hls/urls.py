from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from hls.accounts import views as account_views
from hls.styleguide import styleguide
from hls.tenancy import views as tenancy_views

workspace_patterns: list[URLPattern | URLResolver] = [
    path("", tenancy_views.workspace_home, name="workspace-home"),
    path("members/", tenancy_views.members, name="members"),
    path("members/invite/", tenancy_views.member_invite, name="member-invite"),
    path("members/two-step/", tenancy_views.workspace_two_factor, name="workspace-two-factor"),
    path("members/<int:membership_id>/role/", tenancy_views.member_role, name="member-role"),
    path("members/<int:membership_id>/remove/", tenancy_views.member_remove, name="member-remove"),
    path(
        "invitations/<int:invitation_id>/resend/",
        tenancy_views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        tenancy_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("", include("systems.urls")),
    path("", include("cycles.urls")),
    path("", include("stewardship.urls")),
    path("", include("hls.api.workspace_urls")),
    path("", include("hls.webhooks.urls")),
    path("", include("dataio.urls")),
    path("", include("hls.audit.urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/login/code/", account_views.sign_in_code, name="login-code"),
    path("accounts/logout/", account_views.sign_out, name="logout"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/password/", account_views.ChangePasswordView.as_view(), name="password-change"),
    path("accounts/two-step/", account_views.two_factor, name="two-factor"),
    path("accounts/two-step/set-up/", account_views.two_factor_setup, name="two-factor-setup"),
    path(
        "accounts/two-step/turn-off/", account_views.two_factor_disable, name="two-factor-disable"
    ),
    path("accounts/two-step/recovery-codes/", account_views.recovery_codes, name="recovery-codes"),
    path(
        "accounts/two-step/recovery-codes/new/",
        account_views.recovery_codes_regenerate,
        name="recovery-codes-regenerate",
    ),
    path(
        "accounts/two-step/recovery-codes.txt",
        account_views.recovery_codes_download,
        name="recovery-codes-download",
    ),
    path("accounts/sessions/", account_views.sessions, name="sessions"),
    path(
        "accounts/sessions/others/end/",
        account_views.sessions_end_others,
        name="sessions-end-others",
    ),
    path("accounts/sessions/<int:session_id>/end/", account_views.session_end, name="session-end"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.ResetPasswordConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitations/<str:token>/", account_views.invitation_accept, name="invitation-accept"),
    path("workspaces/new/", account_views.workspace_create, name="workspace-create"),
    path("styleguide/", styleguide, name="styleguide"),  # DEBUG or staff only (docs/ui.md)
    path("calendar/", include("stewardship.notifications.feed_urls")),
    path("join/", include("stewardship.methods.guest_urls")),  # method runs' guests
    path("api/v1/", include("hls.api.urls")),
    path("w/<slug:workspace_slug>/", include(workspace_patterns)),
]

handler404 = "hls.api.problems.page_not_found"
handler500 = "hls.api.problems.server_error"
