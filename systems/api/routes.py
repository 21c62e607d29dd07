from rest_framework.routers import SimpleRouter

from systems.api.actors import ActorViewSet
from systems.api.factors import FactorViewSet
from systems.api.people import PersonViewSet
from systems.api.relationships import RelationshipViewSet
from systems.api.scales import ScaleViewSet
from systems.api.systems import SystemViewSet


def register(router: SimpleRouter) -> None:
    """Register this app's API viewsets on the /api/v1/ router."""
    router.register("scales", ScaleViewSet, basename="api-scale")
    router.register("systems", SystemViewSet, basename="api-system")
    router.register("actors", ActorViewSet, basename="api-actor")
    router.register("factors", FactorViewSet, basename="api-factor")
    router.register("relationships", RelationshipViewSet, basename="api-relationship")
    router.register("people", PersonViewSet, basename="api-person")
