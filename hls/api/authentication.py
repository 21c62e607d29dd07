"""Who is calling and for which workspace. An API key names its workspace; a browser session
names it with the `X-Workspace` header (the workspace's slug). Either way the transaction is
scoped to that workspace before any view code runs, and a non-member gets 404."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from hls.api.services import KeyRefused, api_key_authenticate
from hls.tenancy.context import scope_to_workspace
from hls.tenancy.selectors import membership_for_slug


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword != self.keyword or not raw.strip():
            raise exceptions.AuthenticationFailed(
                _("Send the key as `Authorization: Bearer <key>`.")
            )
        try:
            key, membership = api_key_authenticate(raw.strip())
        except KeyRefused as error:
            raise exceptions.AuthenticationFailed(str(error)) from error
        request._request.workspace = membership.workspace  # type: ignore[attr-defined]
        request._request.membership = membership  # type: ignore[attr-defined]
        return membership.user, key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class WorkspaceSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session (with CSRF), for the workspace named in `X-Workspace`."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        slug = request.headers.get("X-Workspace", "").strip()
        if not slug:
            raise exceptions.ParseError(
                _("Name the workspace in the X-Workspace header (its slug).")
            )
        membership = membership_for_slug(user=user, slug=slug)
        if membership is None:
            raise Http404
        scope_to_workspace(membership.workspace_id)
        request._request.workspace = membership.workspace  # type: ignore[attr-defined]
        request._request.membership = membership  # type: ignore[attr-defined]
        return user, None


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "hls.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An HLS API key."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "hls.api.authentication.WorkspaceSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
