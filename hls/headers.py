"""Response headers every page and API answer carries (issue 11, finding 7).

- `Cache-Control: no-store` (with Django's never-cache set) on every answer to a signed-in
  request, pages, htmx fragments and the API alike: what a person sees is theirs, and must not
  be kept by a shared computer's browser cache or a proxy. Anonymous public pages (the home and
  sign-in pages) keep their defaults, and static files (served by WhiteNoise, above this
  middleware) keep their long-lived caching.
- `Permissions-Policy` (django-permissions-policy, setting PERMISSIONS_POLICY): every powerful
  browser feature the product does not use is turned off for it and anything it embeds.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django_permissions_policy import PermissionsPolicyMiddleware


def signed_in(request: HttpRequest) -> bool:
    """A person's session, or a partner key (DRF sets request.user once it authenticates; the
    header is enough when the key is refused, as the answer still concerns that caller)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or bool(
        request.META.get("HTTP_AUTHORIZATION")
    )


class ResponseHeadersMiddleware(PermissionsPolicyMiddleware):
    async_capable = False  # the project runs under WSGI; keep __call__ synchronous

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        response = self._apply_headers(response)
        if signed_in(request):
            add_never_cache_headers(response)
        return response
