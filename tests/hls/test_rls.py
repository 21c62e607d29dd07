"""Row-level security, the third layer of tenancy (DESIGN.md §4), checked on the database itself.

Every model with a foreign key to Workspace is found from the app registry; a new one joins these
tests by itself and needs only a factory in FACTORIES.
"""

import factory
import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Invitation, Membership, Organisation, Workspace
from hls.tenancy.rls import APP_ROLE_ONE_WORKSPACE, APPEND_ONLY, POLICY
from tests import factories
from tests.bypass import all_workspaces
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

# Every model factory in tests/factories.py, by model: a new tenant model needs only a factory.
FACTORIES: dict[type, type[factory.django.DjangoModelFactory]] = {
    klass._meta.model: klass
    for klass in vars(factories).values()
    if isinstance(klass, type)
    and issubclass(klass, factory.django.DjangoModelFactory)
    and klass._meta.model is not None
}


def _tenant_models() -> list[type]:
    return [
        model
        for model in apps.get_models()
        if model is not Workspace
        and any(
            field.many_to_one and field.related_model is Workspace
            for field in model._meta.get_fields()
        )
    ]


TENANT_MODELS = _tenant_models()


def _count(table: str, where: str = "", params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} {where}", params or [])
        return cursor.fetchone()[0]


def _make(model: type, workspace: Workspace, n: int) -> list:
    if model not in FACTORIES:
        pytest.fail(f"{model._meta.label} has a workspace but no factory in tests/hls/test_rls.py")
    with tenant_scope(workspace_id=workspace.pk):
        return FACTORIES[model].create_batch(n, workspace=workspace)


@pytest.fixture
def two_workspaces() -> tuple[Workspace, Workspace]:
    """Two rows of every tenant model in A and three in B, made by the code under test only."""
    a = WorkspaceFactory(slug="ws-a")
    b = WorkspaceFactory(slug="ws-b")
    for model in TENANT_MODELS:
        _make(model, a, 2)
        _make(model, b, 3)
    return a, b


def test_the_known_tenant_models_are_found() -> None:
    assert {Membership, Invitation, Organisation, AuditEvent} <= set(TENANT_MODELS)


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_table_has_rls_enabled_forced_and_a_policy(model: type) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass(%s)",
            [table],
        )
        row = cursor.fetchone()
        cursor.execute(
            "SELECT policyname, cmd, permissive FROM pg_policies"
            " WHERE tablename = %s AND policyname IN (%s, %s) ORDER BY policyname",
            [table, POLICY, APP_ROLE_ONE_WORKSPACE],
        )
        policies = cursor.fetchall()
    assert row is not None, f"no table {table}"
    assert row == (True, True), f"{table}: row security enabled/forced is {row}"
    assert policies == [
        (APP_ROLE_ONE_WORKSPACE, "ALL", "RESTRICTIVE"),
        (POLICY, "ALL", "PERMISSIVE"),
    ], f"{table}: policies {policies}"


def test_the_connection_cannot_bypass_rls() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, bypass = cursor.fetchone()
    assert user == settings.DATABASE_APP_ROLE
    assert superuser is False
    assert bypass is False


def test_without_a_workspace_no_tenant_row_is_visible(two_workspaces) -> None:
    for model in TENANT_MODELS:
        assert _count(model._meta.db_table) == 0, model._meta.label
        assert model.objects.count() == 0, model._meta.label


def _made(model: type, workspace: Workspace) -> int:
    """How many rows of `model` the set-up made in `workspace` (at least 2 in A, 3 in B; more
    where other models' factories made some as parents)."""
    with all_workspaces("test: count what was made"):
        return model.objects.filter(workspace=workspace).count()


def test_with_a_workspace_only_its_rows_are_visible(two_workspaces) -> None:
    a, b = two_workspaces
    for model in TENANT_MODELS:
        table = model._meta.db_table
        in_a, in_b = _made(model, a), _made(model, b)
        assert in_a >= 2, table
        assert in_b >= 3, table
        with tenant_scope(workspace_id=a.pk):
            assert _count(table) == in_a, table
            assert _count(table, "WHERE workspace_id = %s", [b.pk]) == 0, table
        with tenant_scope(workspace_id=b.pk):
            assert _count(table) == in_b, table
            assert _count(table, "WHERE workspace_id = %s", [a.pk]) == 0, table


def test_no_setting_opens_more_than_one_workspace_to_the_application_role(two_workspaces) -> None:
    """`app.all_workspaces`, which the owner may still use in a migration, opens nothing to the
    application role, whatever else is set beside it (tests/hls/test_app_role_reach.py does the
    same over a connection that logs in as the role itself)."""
    a, _b = two_workspaces
    for settings_ in WIDENING_ATTEMPTS:
        with transaction.atomic(), connection.cursor() as cursor:
            for name, value in settings_.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value.format(a=a.pk)])
            for model in TENANT_MODELS:
                table = model._meta.db_table
                assert _count(table, "WHERE workspace_id <> %s", [a.pk]) == 0, (table, settings_)


# What SQL run as the application role might set, hoping to see more than one workspace.
WIDENING_ATTEMPTS = [
    {"app.all_workspaces": "on"},
    {"app.all_workspaces": "on", "app.workspace_id": ""},
    {"app.all_workspaces": "on", "app.workspace_id": "{a}"},
    {"app.all_workspaces": "on", "app.user_id": "", "app.workspace_id": ""},
    {"app.all_workspaces": "true", "app.workspace_id": "{a}"},
    {"app.workspace_id": "{a}", "app.user_id": "0"},
    {"app.workspace_id": "0", "app.all_workspaces": "on"},
]


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_a_row_for_another_workspace_cannot_be_written(model: type, two_workspaces) -> None:
    a, b = two_workspaces
    table = model._meta.db_table
    with all_workspaces("test"):
        before = (
            model.objects.filter(workspace=a).count(),
            model.objects.filter(workspace=b).count(),
        )
    # The audit trail refuses every change, before the workspace is even looked at.
    refused = "permission denied" if table in APPEND_ONLY else "row-level security"
    with tenant_scope(workspace_id=a.pk):
        row_in_a = model.objects.first()
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            FACTORIES[model].create(workspace=b)
        with (
            pytest.raises(DatabaseError, match=refused),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"UPDATE {table} SET workspace_id = %s WHERE id = %s", [b.pk, row_in_a.pk]
            )
        if table not in APPEND_ONLY:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [b.pk])
                assert cursor.rowcount == 0
    with all_workspaces("test"):
        after = (
            model.objects.filter(workspace=a).count(),
            model.objects.filter(workspace=b).count(),
        )
    assert after == before, "a refused write changed rows"


def test_a_user_sees_their_own_memberships_across_workspaces_and_nobody_elses() -> None:
    a = WorkspaceFactory(slug="ws-a")
    b = WorkspaceFactory(slug="ws-b")
    c = WorkspaceFactory(slug="ws-c")
    me = UserFactory()
    with tenant_scope(workspace_id=a.pk):
        mine_a = MembershipFactory(workspace=a, user=me)
        MembershipFactory(workspace=a)
        OrganisationFactory(workspace=a)
    with tenant_scope(workspace_id=b.pk):
        mine_b = MembershipFactory(workspace=b, user=me)
        MembershipFactory(workspace=b)
    with tenant_scope(workspace_id=c.pk):
        MembershipFactory(workspace=c)

    with tenant_scope(user_id=me.pk):
        assert set(Membership.objects.all()) == {mine_a, mine_b}
        assert _count(Membership._meta.db_table) == 2
        # reading is widened for memberships only, and writing not at all
        assert Organisation.objects.count() == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            MembershipFactory(workspace=c, user=me)
