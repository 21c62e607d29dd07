"""The vocabulary of "shared upward, capped by consent" (`Entry.objects`, `Entry.effective_level`)
says the same thing in SQL and in Python, for every visibility and consent."""

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.models import BarrierRoute, Entry, effective_level
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import BarrierRouteFactory, CycleFactory, EntryFactory, PersonFactory

pytestmark = pytest.mark.django_db

LEVELS = list(ShareLevel.values)


@pytest.fixture
def cycles(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return CycleFactory(workspace=workspace), CycleFactory(workspace=workspace)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cases=st.lists(
        st.tuples(st.sampled_from(LEVELS), st.sampled_from([None, *LEVELS])),
        min_size=1,
        max_size=8,
    )
)
def test_sql_and_python_agree_on_each_entrys_level(workspace, cycles, cases):
    below, above = cycles
    with tenant_scope(workspace_id=workspace.pk):
        made = []
        for visibility, consent in cases:
            person = (
                PersonFactory(workspace=workspace, consent_level=consent)
                if consent is not None
                else None
            )
            entry = EntryFactory(
                workspace=workspace, cycle=below, visibility=visibility, person=person
            )
            BarrierRouteFactory(workspace=workspace, entry=entry, to_cycle=above)
            made.append((entry.pk, visibility if consent is None else min(visibility, consent)))
        expected = dict(made)

        entries = Entry.objects.filter(workspace=workspace)
        assert dict(entries.with_level().values_list("pk", "level")) == expected
        assert dict(entries.with_level().with_level().values_list("pk", "level")) == expected
        for entry in entries.select_related("person"):
            assert entry.effective_level == expected[entry.pk]
            assert entry.is_shared_upward == (expected[entry.pk] >= ShareLevel.SHARED_UPWARD)
        for level in LEVELS:
            assert set(entries.at_least(level).values_list("pk", flat=True)) == {
                pk for pk, n in made if n >= level
            }
        assert set(entries.shared_upward().values_list("pk", flat=True)) == {
            pk for pk, n in made if n >= ShareLevel.SHARED_UPWARD
        }
        # From a barrier route, through `via`.
        routes = BarrierRoute.objects.filter(workspace=workspace).annotate(
            level=effective_level(via="entry")
        )
        assert dict(routes.values_list("entry_id", "level")) == expected
        assert not Entry.objects.filter(workspace=workspace).filter(~Q(pk__in=expected)).exists()

        BarrierRoute.objects.filter(workspace=workspace).delete()
        Entry.objects.filter(workspace=workspace).delete()
