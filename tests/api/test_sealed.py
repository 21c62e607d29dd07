"""The API base alone decides how a viewset finds its objects: a subclass that overrides
`get_queryset` or `get_object` (itself or through a mixin) is refused when it is defined, so no
resource can step around the workspace scope."""

from typing import Any

import pytest
from django.db.models import QuerySet
from rest_framework import mixins

from hls.api.base import ApiViewSet, CreateMixin
from hls.api.urls import router


@pytest.mark.parametrize("name", ["get_queryset", "get_object"])
def test_a_subclass_cannot_override_how_objects_are_found(name):
    with pytest.raises(TypeError, match=f"overrides {name}"):
        type("Leaky", (CreateMixin, mixins.ListModelMixin), {name: lambda self: None})


def test_nor_through_a_mixin_of_its_own():
    class Unscoped:
        def get_queryset(self) -> QuerySet:
            raise AssertionError("never called")

    with pytest.raises(TypeError, match="overrides get_queryset"):
        type("Leaky", (Unscoped, ApiViewSet), {})


def test_scoped_queryset_is_the_way_in():
    class Fine(ApiViewSet):
        family = "cycles"

        def scoped_queryset(self) -> Any:
            raise AssertionError("never called")

    assert Fine.get_queryset is ApiViewSet.get_queryset


def test_every_registered_viewset_finds_its_objects_through_the_base():
    viewsets = [viewset for _, viewset, _ in router.registry]
    assert len(viewsets) >= 15
    for viewset in viewsets:
        assert issubclass(viewset, ApiViewSet), viewset
        assert viewset.get_queryset is ApiViewSet.get_queryset, viewset
        assert viewset.get_object is ApiViewSet.get_object, viewset
        assert viewset.scoped_queryset is not ApiViewSet.scoped_queryset, viewset
