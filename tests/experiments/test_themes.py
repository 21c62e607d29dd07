"""Themes: services, selectors and pages."""

import pytest
from django.core.exceptions import ValidationError

from cycles.models import EntryTheme, Theme, ThemeChange
from cycles.themes import selectors, services
from hls.tenancy.context import tenant_scope
from tests.factories import EntryFactory, EntryThemeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_create_refuses_a_name_already_in_use_whatever_its_case(workspace, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        services.theme_create(
            workspace=workspace, created_by=admin.user, name="Fear of letters", kind="problem"
        )
        with pytest.raises(ValidationError) as error:
            services.theme_create(
                workspace=workspace, created_by=admin.user, name=" fear OF  letters", kind="problem"
            )
    assert "already a theme called" in error.value.message_dict["name"][0]


def test_a_merged_themes_name_may_be_used_again(workspace, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        old = ThemeFactory(workspace=workspace, name="Debt")
        target = ThemeFactory(workspace=workspace, name="Money worries")
        services.theme_merge(workspace=workspace, theme=old, into=target, merged_by=admin.user)
        again = services.theme_create(
            workspace=workspace, created_by=admin.user, name="debt", kind="problem"
        )
    assert again.name == "debt"


def test_rename_records_history_and_refuses_a_taken_name(workspace, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        theme = ThemeFactory(workspace=workspace, name="Debt")
        ThemeFactory(workspace=workspace, name="Loneliness")
        services.theme_update(
            workspace=workspace,
            theme=theme,
            changed_by=admin.user,
            name="Money worries",
            kind="problem",
            description="",
        )
        with pytest.raises(ValidationError) as error:
            services.theme_update(
                workspace=workspace,
                theme=theme,
                changed_by=admin.user,
                name="LONELINESS",
                kind="problem",
                description="",
            )
        history = list(selectors.theme_history(workspace=workspace, theme=theme))
    assert "name" in error.value.message_dict
    assert [(c.action, c.before, c.after, c.changed_by) for c in history] == [
        ("renamed", "Debt", "Money worries", admin.user)
    ]


def test_merge_moves_entries_without_duplicates_and_keeps_history(workspace, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        a = ThemeFactory(workspace=workspace, name="Debt")
        b = ThemeFactory(workspace=workspace, name="Money worries")
        both = EntryFactory(workspace=workspace)
        only_a = EntryFactory(workspace=workspace, cycle=both.cycle)
        EntryThemeFactory(workspace=workspace, entry=both, theme=a)
        EntryThemeFactory(workspace=workspace, entry=both, theme=b)
        EntryThemeFactory(workspace=workspace, entry=only_a, theme=a)
        earlier = ThemeFactory(workspace=workspace, name="Arrears")
        services.theme_merge(workspace=workspace, theme=earlier, into=a, merged_by=admin.user)

        services.theme_merge(workspace=workspace, theme=a, into=b, merged_by=admin.user)

        rows = sorted(
            EntryTheme.objects.filter(workspace=workspace).values_list("entry_id", "theme_id")
        )
        a.refresh_from_db()
        earlier.refresh_from_db()
        picker = list(selectors.themes_for_picker(workspace=workspace))
        a_history = [
            (c.action, c.after) for c in selectors.theme_history(workspace=workspace, theme=a)
        ]
        b_history = [
            (c.action, c.before) for c in selectors.theme_history(workspace=workspace, theme=b)
        ]
    assert rows == sorted([(both.pk, b.pk), (only_a.pk, b.pk)])
    assert a.merged_into_id == b.pk
    assert earlier.merged_into_id == b.pk
    assert picker == [b]
    assert ("merged", "Money worries") in a_history
    assert b_history == [("absorbed", "Debt")]


@pytest.mark.parametrize("case", ["itself", "into_merged", "already_merged"])
def test_merge_refuses_itself_and_merged_themes(workspace, admin, case) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        a = ThemeFactory(workspace=workspace)
        b = ThemeFactory(workspace=workspace)
        c = ThemeFactory(workspace=workspace)
        services.theme_merge(workspace=workspace, theme=c, into=b, merged_by=admin.user)
        source, into = {"itself": (a, a), "into_merged": (a, c), "already_merged": (c, a)}[case]
        with pytest.raises(ValidationError) as error:
            services.theme_merge(workspace=workspace, theme=source, into=into, merged_by=admin.user)
        a.refresh_from_db()
    assert a.merged_into_id is None
    text = " ".join(error.value.messages)
    assert {
        "itself": "cannot be merged into itself",
        "into_merged": "was itself merged into another theme",
        "already_merged": "already been merged",
    }[case] in text


# Pages ------------------------------------------------------------------------------------


def test_list_groups_by_kind_and_hides_merged(workspace, admin, admin_client) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        ThemeFactory(workspace=workspace, name="Fear of letters", kind="problem")
        ThemeFactory(workspace=workspace, name="A home near family", kind="aspiration")
        gone = ThemeFactory(workspace=workspace, name="Old word")
        gone.merged_into = ThemeFactory(workspace=workspace, name="New word")
        gone.save()
    html = admin_client.get("/w/riverside/themes/").content.decode()
    problems, aspirations = html.split("Aspiration in common</h2>")
    assert "Fear of letters" in problems
    assert "A home near family" in aspirations
    assert "Old word" not in html
    assert "New word" in html
    assert "Add a theme" in html


def test_viewer_sees_the_list_without_the_form(workspace, admin, make_member) -> None:
    from tests.conftest import signed_in

    viewer = make_member(workspace, "viewer")
    response = signed_in(viewer).get("/w/riverside/themes/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Themes</h1>" in html  # the list, rendered...
    assert "Add a theme" not in html  # ...without the form
    assert "Add a theme" in signed_in(admin).get("/w/riverside/themes/").content.decode()


def test_create_with_a_taken_name_says_so_beside_the_field_and_keeps_the_text(
    workspace, admin, admin_client
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        ThemeFactory(workspace=workspace, name="Fear of letters")
    response = admin_client.post(
        "/w/riverside/themes/new/",
        {"name": "fear of LETTERS", "kind": "problem", "description": "When the post comes"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in html
    assert "already a theme called" in html
    assert 'value="fear of LETTERS"' in html
    assert "When the post comes" in html


def test_create_with_an_empty_name(workspace, admin, admin_client) -> None:
    response = admin_client.post("/w/riverside/themes/new/", {"name": " ", "kind": "problem"})
    assert response.status_code == 400
    assert "Give the theme a name." in response.content.decode()


def test_create_then_rename_then_merge_in_the_browser(workspace, admin, admin_client) -> None:
    response = admin_client.post(
        "/w/riverside/themes/new/", {"name": "Debt", "kind": "problem", "description": ""}
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        debt = Theme.objects.get(name="Debt")
        target = ThemeFactory(workspace=workspace, name="Money worries", kind="problem")
    edit = f"/w/riverside/themes/{debt.pk}/edit/"
    assert admin_client.get(edit).status_code == 200
    response = admin_client.post(edit, {"name": "Arrears", "kind": "problem", "description": ""})
    assert response.status_code == 302
    merge = f"/w/riverside/themes/{debt.pk}/merge/"
    form = admin_client.get(merge).content.decode()
    assert "Money worries" in form
    assert f'value="{debt.pk}"' not in form
    response = admin_client.post(merge, {"into": target.pk})
    assert response.status_code == 302
    page = admin_client.get(f"/w/riverside/themes/{debt.pk}/").content.decode()
    assert "This theme was merged into" in page
    assert "Money worries" in page
    assert "Renamed from “Debt” to “Arrears”" in page
    assert "Merged into “Money worries”" in page
    target_page = admin_client.get(f"/w/riverside/themes/{target.pk}/").content.decode()
    assert "“Arrears” was merged into this theme" in target_page


def test_merge_into_itself_is_refused_beside_the_field(workspace, admin, admin_client) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        theme = ThemeFactory(workspace=workspace)
    response = admin_client.post(f"/w/riverside/themes/{theme.pk}/merge/", {"into": theme.pk})
    assert response.status_code == 400
    assert 'id="id_into_error"' in response.content.decode()
    assert "cannot be merged into itself" in response.content.decode()
    with tenant_scope(workspace_id=workspace.pk):
        assert not ThemeChange.objects.exists()


def test_rename_to_a_taken_name_keeps_the_typed_text(workspace, admin, admin_client) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        theme = ThemeFactory(workspace=workspace, name="Debt")
        ThemeFactory(workspace=workspace, name="Loneliness")
    response = admin_client.post(
        f"/w/riverside/themes/{theme.pk}/edit/",
        {"name": "loneliness", "kind": "problem", "description": "typed words"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in html
    assert 'value="loneliness"' in html
    assert "typed words" in html


def test_theme_page_shows_only_entries_the_viewer_may_see(
    workspace, admin, member, member_client
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        theme = ThemeFactory(workspace=workspace)
        mine = EntryFactory(workspace=workspace, author=member.user, text="my own words")
        private = EntryFactory(workspace=workspace, author=admin.user, text="admin's private words")
        EntryThemeFactory(workspace=workspace, entry=mine, theme=theme)
        EntryThemeFactory(workspace=workspace, entry=private, theme=theme)
    html = member_client.get(f"/w/riverside/themes/{theme.pk}/").content.decode()
    assert "my own words" in html
    assert "private words" not in html


def test_theme_list_query_budget_is_constant(
    workspace, admin, admin_client, django_assert_num_queries
) -> None:
    def grow(n: int) -> None:
        with tenant_scope(workspace_id=workspace.pk):
            start = Theme.objects.count()
            Theme.objects.bulk_create(
                Theme(workspace=workspace, name=f"Theme {start + i}", kind="problem")
                for i in range(n)
            )

    grow(10)
    with django_assert_num_queries(9):
        assert admin_client.get("/w/riverside/themes/").status_code == 200
    grow(990)
    with django_assert_num_queries(9):
        response = admin_client.get("/w/riverside/themes/")
    assert response.content.decode().count('class="card theme-card"') == 1000
