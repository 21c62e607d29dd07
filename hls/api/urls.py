"""`/api/v1/`: every resource family's viewsets on one router, the schema and its docs page, and
the root (a JSON map of all of them, hls/api/root.py)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from cycles.api import routes as cycles_routes
from hls.api.deletions import DeletionViewSet
from hls.api.root import api_root_view
from stewardship.api import routes as stewardship_routes
from systems.api import routes as systems_routes

router = SimpleRouter()
router.register("deletions", DeletionViewSet, basename="api-deletion")
systems_routes.register(router)
cycles_routes.register(router)
stewardship_routes.register(router)

urlpatterns = [
    path("", api_root_view(router), name="api-root"),
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
