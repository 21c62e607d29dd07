"""The audit log page: newest first, a page at a time, narrowed by what, who, about what and
when; each row says who did what to what, and when; never a person's words or identity."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hls.audit import export, selectors
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.people import services as people_services
from tests.audit.conftest import record
from tests.conftest import signed_in
from tests.factories import (
    ApiKeyFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)

URL = "/w/riverside/audit/"
EXPORT = "/w/riverside/audit/export.csv"


def _rows(response) -> list[str]:
    """The ids of the events the page lists, in order."""
    return re.findall(r'<tr id="audit-event-(\d+)"', response.content.decode())


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def person(workspace, admin):
    """A person the admin works with, with an alias and an identity (personal text)."""
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, is_person_scale=True)
        system = SystemFactory(workspace=workspace, scale=scale, name="A life")
        SystemMemberFactory(workspace=workspace, system=system, user=admin.user)
        person = PersonFactory(
            workspace=workspace, reference="P-7K3Q", alias="Morag", system=system
        )
        people_services.identity_set(
            workspace=workspace,
            person=person,
            actor=admin.user,
            name="Morag Example",
            date_of_birth=None,
            contact="07700 900123",
        )
        people_services.identity_view(workspace=workspace, person=person, viewer=admin.user)
    return person


def test_newest_first_saying_who_what_about_what_and_when(
    workspace, admin, admin_client, person
) -> None:
    response = admin_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    with tenant_scope(workspace_id=workspace.pk):
        newest_first = list(
            AuditEvent.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
        )
    assert _rows(response) == [str(pk) for pk in newest_first]
    row = page[page.index(f'id="audit-event-{newest_first[0]}"') :]
    row = row[: row.index("</tr>")]
    assert "Ada Admin" in row
    assert "Saw a person&#x27;s identity" in row
    assert "person.identity_viewed" in row
    assert f'href="/w/riverside/people/{person.pk}/"' in row
    assert "P-7K3Q" in row
    assert "<time datetime=" in row
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_holds_no_personal_text(admin_client, person) -> None:
    page = admin_client.get(URL).content.decode()

    assert "P-7K3Q" in page  # the pseudonym names the person
    for personal in ("Morag", "07700 900123", "Being able to stay in my flat"):
        assert personal not in page


def test_a_target_that_is_gone_is_named_by_kind_and_number(workspace, admin, admin_client):
    with tenant_scope(workspace_id=workspace.pk):
        person = PersonFactory(workspace=workspace, reference="P-GONE")
        event = record(workspace, "person.created", actor=admin.user, target=person)
        gone_id = person.pk
        person.delete()

    page = admin_client.get(URL).content.decode()

    row = page[page.index(f'id="audit-event-{event.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"Person #{gone_id}" in row
    assert "no longer here" in row
    assert "<a href" not in row


def test_background_work_and_details_are_said(workspace, admin, admin_client, make_member):
    member = make_member(workspace, Role.PRACTITIONER, full_name="Pat Role")
    from hls.tenancy import services as tenancy_services

    with tenant_scope(workspace_id=workspace.pk):
        tenancy_services.membership_change_role(
            membership=member, role=Role.MANAGER, actor=admin.user
        )
    record(workspace, "dataio.import_failed")

    page = admin_client.get(URL).content.decode()

    assert "No one: background work" in page
    assert "An import failed" in page
    assert "Changed a member&#x27;s role" in page
    assert "Practitioner → Manager" in page
    assert "Member" in page
    assert "Pat Role" in page


def test_another_workspaces_events_are_never_shown(
    workspace, other_workspace, admin_client, outsider
) -> None:
    theirs = record(other_workspace, "person.identity_viewed", actor=outsider.user)
    ours = record(workspace, "person.created")

    response = admin_client.get(URL)

    assert _rows(response) == [str(ours.pk)]
    assert str(theirs.pk) not in response.content.decode().split("audit-event-")[1:]


# Filters ---------------------------------------------------------------------------------------


@pytest.fixture
def mixed(workspace, admin, member, person):
    """A mix of events: by the admin, by the practitioner, by nobody; about a person or a key."""
    with tenant_scope(workspace_id=workspace.pk):
        key = ApiKeyFactory(workspace=workspace, created_by=admin.user)
    return {
        "role": record(workspace, "membership.role_changed", actor=admin.user, old="a", new="b"),
        "key": record(workspace, "api_key.create", actor=admin.user, target=key),
        "api": record(workspace, "api.entries.create", actor=member.user, via="hls_00000001"),
        "nobody": record(workspace, "webhook.auto_disable"),
        "person": record(workspace, "person.updated", actor=member.user, target=person),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "membership.role_changed"}, ["role"]),
        ({"action": "group:integrations"}, ["nobody", "key"]),
        ({"action": "group:api"}, ["api"]),
        ({"action": "api:entries"}, ["api"]),
        ({"action": "api:people"}, []),
        ({"actor": "none"}, ["nobody"]),
        ({"target_kind": "api.apikey"}, ["key"]),
    ],
)
def test_narrowed_by_what_and_who(query, expected, admin_client, mixed) -> None:
    response = admin_client.get(URL, query)

    assert response.status_code == 200
    assert _rows(response) == [str(mixed[name].pk) for name in expected]


def test_narrowed_by_a_member(admin_client, member, mixed) -> None:
    response = admin_client.get(URL, {"actor": str(member.user_id)})

    assert _rows(response) == [str(mixed["person"].pk), str(mixed["api"].pk)]
    assert "through" in response.content.decode()  # the API key's prefix, as "through"


def test_narrowed_to_a_person_by_their_reference(workspace, admin_client, mixed, person) -> None:
    by_reference = admin_client.get(URL, {"target": "p-7k3q"})  # any case; a person implied
    by_number = admin_client.get(URL, {"target_kind": "systems.person", "target": f"#{person.pk}"})

    with tenant_scope(workspace_id=workspace.pk):
        about = AuditEvent.objects.filter(target_type="systems.person", target_id=str(person.pk))
        expected = [
            str(pk) for pk in about.order_by("-created_at", "-pk").values_list("pk", flat=True)
        ]
    assert str(mixed["person"].pk) in expected
    assert _rows(by_reference) == _rows(by_number) == expected


def test_narrowed_by_dates_in_the_viewers_time_zone(workspace, admin, admin_client) -> None:
    london = dt.timezone(dt.timedelta(0))
    before = record(workspace, "person.created", at=dt.datetime(2026, 3, 1, 23, 59, tzinfo=london))
    inside = record(workspace, "person.created", at=dt.datetime(2026, 3, 2, 0, 1, tzinfo=london))
    last = record(workspace, "person.created", at=dt.datetime(2026, 3, 3, 23, 59, tzinfo=london))
    after = record(workspace, "person.created", at=dt.datetime(2026, 3, 4, 0, 1, tzinfo=london))

    response = admin_client.get(URL, {"since": "2026-03-02", "until": "2026-03-03"})

    assert _rows(response) == [str(last.pk), str(inside.pk)]
    assert str(before.pk) not in _rows(response)
    assert str(after.pk) not in _rows(response)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since": "2026-03-05", "until": "2026-03-01"}, "until", "before the “From” date"),
        ({"target": "P-NOBODY"}, "target", "No one here has the reference P-NOBODY"),
        ({"target": "12"}, "target_kind", "Choose what it was about"),
        ({"target_kind": "api.apikey", "target": "my key"}, "target", "Give the number"),
        ({"since": "yesterday-ish"}, "since", "Give a date"),
        ({"action": "person.nonsense"}, "action", "Choose what was done from the list"),
    ],
)
def test_a_bad_filter_is_said_beside_its_field_and_kept(
    query, field, message, admin_client, mixed
) -> None:
    response = admin_client.get(URL, query)

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', page, re.S)
    assert error
    assert message in error.group(1).replace("&ldquo;", "“").replace("&rdquo;", "”")
    for value in query.values():
        if field != "action":
            assert f'value="{value}"' in page
    assert _rows(response) == []


# Pages -----------------------------------------------------------------------------------------


def test_pages_go_older_and_back_newer_by_keyset(workspace, admin_client) -> None:
    events = [record(workspace, "person.created") for _ in range(selectors.PAGE_SIZE * 2 + 7)]
    newest_first = [str(e.pk) for e in reversed(events)]

    first = admin_client.get(URL, {"action": "person.created"})
    older = re.search(r'href="\?([^"]*before=[^"]*)"', first.content.decode()).group(1)
    second = admin_client.get(URL + "?" + older.replace("&amp;", "&"))
    older = re.search(r'href="\?([^"]*before=[^"]*)"', second.content.decode()).group(1)
    third = admin_client.get(URL + "?" + older.replace("&amp;", "&"))
    newer = re.search(r'href="\?([^"]*after=[^"]*)"', third.content.decode()).group(1)
    back = admin_client.get(URL + "?" + newer.replace("&amp;", "&"))

    size = selectors.PAGE_SIZE
    assert _rows(first) == newest_first[:size]
    assert _rows(second) == newest_first[size : 2 * size]
    assert _rows(third) == newest_first[2 * size :]
    assert "before=" not in third.content.decode()
    assert "action=person.created" in newer  # the filter stays
    assert _rows(back) == newest_first[size : 2 * size]


def test_a_broken_cursor_shows_the_first_page(workspace, admin_client) -> None:
    event = record(workspace, "person.created")

    response = admin_client.get(URL, {"before": "yesterday"})

    assert _rows(response) == [str(event.pk)]


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_page_reads_a_fixed_number_of_queries(
    workspace, admin, member, person, django_assert_num_queries
) -> None:
    """Whatever the number of events: the user, the request's transaction and workspace scope
    (six statements), the membership, the members for "who", the events with their actors,
    then one query per kind of target on the page (here people, API keys and members)."""
    with tenant_scope(workspace_id=workspace.pk):
        key = ApiKeyFactory(workspace=workspace, created_by=admin.user)
    client = signed_in(admin)

    def add(n: int) -> None:
        for _ in range(n):
            record(workspace, "person.updated", actor=member.user, target=person)
            record(workspace, "api_key.create", actor=admin.user, target=key)
            record(workspace, "membership.role_changed", actor=admin.user, target=member)

    add(2)
    small = _page_queries(client)
    add(20)
    with django_assert_num_queries(small):
        assert len(_rows(client.get(URL))) == selectors.PAGE_SIZE
    assert small == 10 + 3


# The CSV ---------------------------------------------------------------------------------------


def test_the_export_is_the_filtered_log_and_is_itself_recorded(
    workspace, admin, admin_client, mixed, person
) -> None:
    response = admin_client.get(EXPORT, {"action": "group:people", "target": "P-7K3Q"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-riverside-')
    rows = _csv(response)
    assert [r["event_id"] for r in rows] == [
        pk for pk in _rows(admin_client.get(URL, {"action": "group:people", "target": "P-7K3Q"}))
    ]
    assert rows[0]["event_id"] == str(mixed["person"].pk)
    assert rows[0]["action"] == "person.updated"
    assert rows[0]["what"] == "Changed a person's record"
    assert rows[0]["target"] == "P-7K3Q"
    assert rows[0]["actor"] == "Pat Practitioner"
    assert rows[0]["at_utc"].endswith("+00:00")
    with tenant_scope(workspace_id=workspace.pk):
        exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == admin.user
    assert exported.data == {
        "narrowed_to": {
            "action": "group:people",
            "target_type": "systems.person",
            "target_id": str(person.pk),
        }
    }


def test_the_export_reads_in_chunks_and_escapes_formulas(workspace, make_member) -> None:
    sneaky = make_member(workspace, Role.ADMIN, full_name="=HYPERLINK(1)")
    events = [record(workspace, "person.created", actor=sneaky.user) for _ in range(5)]

    with tenant_scope(workspace_id=workspace.pk):
        lines = list(export.csv_lines(workspace=workspace, f=selectors.AuditFilter(), chunk=2))

    rows = list(csv.DictReader(io.StringIO("".join(lines))))
    assert [r["event_id"] for r in rows] == [str(e.pk) for e in reversed(events)]
    assert {r["actor"] for r in rows} == {"'=HYPERLINK(1)"}


def test_a_bad_filter_exports_nothing(workspace, admin_client) -> None:
    response = admin_client.get(EXPORT, {"target": "P-NOBODY"})

    assert response.status_code == 400
    with tenant_scope(workspace_id=workspace.pk):
        assert not AuditEvent.objects.filter(action="audit.exported").exists()
