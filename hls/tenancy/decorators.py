from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from hls.tenancy.permissions import can

View = Callable[..., HttpResponse]


def workspace_view(capability: str = "workspace.view") -> Callable[[View], View]:
    """For views under /w/<slug>/: the middleware has already answered 404 to outsiders; this
    answers 403 to members whose role lacks `capability`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, workspace_slug: str, *args: Any, **kwargs: Any) -> Any:
            if not can(getattr(request, "membership", None), capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]
        return wrapper

    return decorator
