from rest_framework.routers import SimpleRouter

from cycles.api.themes import ThemeViewSet


def register(router: SimpleRouter) -> None:
    router.register("themes", ThemeViewSet, basename="api-theme")
