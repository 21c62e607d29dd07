"""A URL conf with one leaky view, for the test of the suite's own check that refusals change
nothing (tests/hls/test_refusal_check.py)."""

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import path

from hls.tenancy.models import Workspace
from tests.bypass import all_workspaces


def leaky(request: HttpRequest) -> HttpResponse:
    """Refuses, having written: what the check must catch."""
    with all_workspaces("test: a leaky refusal"):
        Workspace.objects.filter(slug="riverside").update(name="Changed by a refusal")
    return HttpResponseForbidden("no")


def tidy(request: HttpRequest) -> HttpResponse:
    return HttpResponseForbidden("no")


urlpatterns = [path("leaky/", leaky), path("tidy/", tidy)]
