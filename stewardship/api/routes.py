from rest_framework.routers import SimpleRouter

from stewardship.api.methods import MethodRunViewSet, MethodTemplateViewSet
from stewardship.api.outputs import OutputViewSet
from stewardship.api.reports import ReportViewSet
from stewardship.api.sessions import SessionViewSet


def register(router: SimpleRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
    router.register("sessions", SessionViewSet, basename="api-session")
    router.register("outputs", OutputViewSet, basename="api-output")
    router.register("reports", ReportViewSet, basename="api-report")
    router.register("method-templates", MethodTemplateViewSet, basename="api-method-template")
    router.register("method-runs", MethodRunViewSet, basename="api-method-run")
