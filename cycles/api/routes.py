from rest_framework.routers import SimpleRouter

from cycles.api.barriers import BarrierViewSet
from cycles.api.cycles import CycleViewSet
from cycles.api.enablers import EnablerViewSet
from cycles.api.entries import EntryViewSet
from cycles.api.experiments import ExperimentViewSet
from cycles.api.links import LinkViewSet
from cycles.api.measures import MeasureViewSet
from cycles.api.signifiers import PlacementViewSet, SignifierSetViewSet
from cycles.api.themes import ThemeViewSet


def register(router: SimpleRouter) -> None:
    router.register("themes", ThemeViewSet, basename="api-theme")
    router.register("cycles", CycleViewSet, basename="api-cycle")
    router.register("entries", EntryViewSet, basename="api-entry")
    router.register("experiments", ExperimentViewSet, basename="api-experiment")
    router.register("links", LinkViewSet, basename="api-link")
    router.register("barriers", BarrierViewSet, basename="api-barrier")
    router.register("enablers", EnablerViewSet, basename="api-enabler")
    router.register("measures", MeasureViewSet, basename="api-measure")
    router.register("signifier-sets", SignifierSetViewSet, basename="api-signifier-set")
    router.register("placements", PlacementViewSet, basename="api-placement")
