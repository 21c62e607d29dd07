from rest_framework.routers import SimpleRouter


def register(router: SimpleRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
