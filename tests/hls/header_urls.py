"""For tests only (tests/hls/test_headers.py): the project's URLs plus one view that fails, so
the 500 page's headers can be checked through the real handlers."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from hls.urls import handler404, handler500
from hls.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure for the 500 page's headers")


urlpatterns = [
    path("test-failure/", fail),
    path("api/v1/test-failure/", fail),
    *project_urlpatterns,
]
