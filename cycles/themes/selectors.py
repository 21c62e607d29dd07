"""Reads for themes: the workspace's shared vocabulary (cycles.models.Theme).

A merged theme is hidden from lists and pickers but stays readable at its own URL.
"""

from django.db.models import QuerySet

from cycles.models import Entry, Theme, ThemeChange
from cycles.selectors import entries_visible_to
from hls.accounts.models import User
from hls.tenancy.models import Workspace


def themes_for_picker(*, workspace: Workspace) -> QuerySet[Theme]:
    """Themes people may choose: every theme not merged into another, by name."""
    return Theme.objects.filter(workspace=workspace, merged_into__isnull=True).order_by(
        "name", "pk"
    )


def themes_by_kind(*, workspace: Workspace) -> list[tuple[str, str, list[Theme]]]:
    """The unmerged themes grouped by kind, as (kind, label, themes), in one query."""
    groups: dict[str, list[Theme]] = {kind: [] for kind in Theme.Kind.values}
    for theme in themes_for_picker(workspace=workspace):
        groups.setdefault(theme.kind, []).append(theme)
    labels = dict(Theme.Kind.choices)
    return [(kind, str(labels.get(kind, kind)), themes) for kind, themes in groups.items()]


def theme_history(*, workspace: Workspace, theme: Theme) -> QuerySet[ThemeChange]:
    """Renames and merges of a theme, newest first, with who made them."""
    return (
        ThemeChange.objects.filter(workspace=workspace, theme=theme)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    )


def theme_entries_visible_to(
    *, workspace: Workspace, user: User, theme: Theme, limit: int = 20
) -> list[Entry]:
    """The newest entries tagged with the theme that the user may see."""
    return list(
        entries_visible_to(workspace=workspace, user=user)
        .filter(entrytheme__theme=theme)
        .select_related("cycle")
        .order_by("-created_at", "-pk")[:limit]
    )
