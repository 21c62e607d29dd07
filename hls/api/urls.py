"""`/api/v1/`: every resource family's viewsets on one router, the schema and its docs page, and
the root (a JSON map of all of them, hls/api/root.py).

The domain apps bring their own resources: each installed app with an `api/routes.py` adds its
viewsets through that module's `register(router)`, in INSTALLED_APPS order. They are found by
name, as Celery finds each app's `tasks.py`, so this core imports no domain app (the import
contracts in pyproject.toml check it)."""

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from hls.api.deletions import DeletionViewSet
from hls.api.root import api_root_view


def register_app_routes(router: SimpleRouter) -> list[str]:
    """Let every installed app with an `api/routes.py` register its viewsets, in INSTALLED_APPS
    order; returns the names of the modules that did."""
    found = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "api"):
            continue
        if not module_has_submodule(import_module(f"{config.name}.api"), "routes"):
            continue
        routes = import_module(f"{config.name}.api.routes")
        routes.register(router)
        found.append(routes.__name__)
    return found


router = SimpleRouter()
router.register("deletions", DeletionViewSet, basename="api-deletion")
APP_ROUTES = register_app_routes(router)

urlpatterns = [
    path("", api_root_view(router), name="api-root"),
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
