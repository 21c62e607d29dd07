"""Visibility by consent, property-based: for any entries (any visibility, a person with any
consent or none, deleted or not) in the cast's North team cycle, `entries_visible_to` shows each
member exactly what the rule says: its author always; the team's own system from "team"; those
taking part in the cycle from "cycle"; the organisation above from "shared upward"; everyone in
the workspace from "workspace"; each capped by the person's consent, and nothing deleted."""

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.models import Entry
from cycles.selectors import entries_visible_to
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import EntryFactory, PersonFactory

pytestmark = pytest.mark.django_db

LEVELS = list(ShareLevel.values)
# Who, and the least level at which an entry in the North team's cycle reaches them.
READERS = {
    "team": ShareLevel.TEAM,  # in the North team's system
    "cycle_member": ShareLevel.CYCLE,  # taking part in the cycle
    "manager": ShareLevel.SHARED_UPWARD,  # in the Open Door system above
    "other": ShareLevel.WORKSPACE,  # no tie
}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cases=st.lists(
        st.tuples(
            st.sampled_from(LEVELS),  # the entry's visibility
            st.sampled_from([None, *LEVELS]),  # its person's consent, or no person
            st.booleans(),  # deleted
        ),
        min_size=1,
        max_size=10,
    )
)
def test_each_member_sees_exactly_what_the_rule_and_consent_allow(world, cases):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        made = []
        for visibility, consent, deleted in cases:
            person = (
                PersonFactory(workspace=ws, consent_level=consent) if consent is not None else None
            )
            entry = EntryFactory(
                workspace=ws,
                cycle=world.cycle,
                author=world.author.user,
                visibility=visibility,
                person=person,
                deleted_at=timezone.now() if deleted else None,
            )
            level = visibility if consent is None else min(visibility, consent)
            made.append((entry.pk, level, deleted))

        def seen(membership) -> set[int]:
            visible = entries_visible_to(workspace=ws, user=membership.user)
            return set(
                visible.filter(pk__in=[pk for pk, _l, _d in made]).values_list("pk", flat=True)
            )

        assert seen(world.author) == {pk for pk, _level, deleted in made if not deleted}
        for name, least in READERS.items():
            expected = {pk for pk, level, deleted in made if not deleted and level >= least}
            assert seen(getattr(world, name)) == expected, name

        Entry.objects.filter(pk__in=[pk for pk, _l, _d in made]).delete()
