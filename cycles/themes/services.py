"""Writes for themes. Keyword-only, typed, atomic. Renames and merges keep their history
(ThemeChange), so what was said under an old name still reads."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cycles.models import EntryTheme, Theme, ThemeChange
from hls.accounts.models import User
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Workspace

NAME_MAX = 80


def _clean_name(*, workspace: Workspace, name: str, exclude: Theme | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the theme a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("Keep the name to %(max)d characters or fewer.") % {"max": NAME_MAX}}
        )
    taken = Theme.objects.select_for_update().filter(
        workspace=workspace, merged_into__isnull=True, name__iexact=name
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        message = _("There is already a theme called “%(name)s”. Use that one.")
        raise ValidationError({"name": message % {"name": name}})
    return name


def _clean_kind(kind: str) -> str:
    if kind not in Theme.Kind.values:
        raise ValidationError({"kind": _("Choose problem in common or aspiration in common.")})
    return kind


@transaction.atomic
def theme_create(
    *, workspace: Workspace, created_by: User, name: str, kind: str, description: str = ""
) -> Theme:
    return Theme.objects.create(
        workspace=workspace,
        name=_clean_name(workspace=workspace, name=name),
        kind=_clean_kind(kind),
        description=description.strip(),
    )


@transaction.atomic
def theme_update(
    *,
    workspace: Workspace,
    theme: Theme,
    changed_by: User,
    name: str,
    kind: str,
    description: str,
    revision: int | None = None,
) -> Theme:
    """Rename (recorded in the history), change the kind (recorded too) or the description.
    `revision` is the one the editor started from: if someone saved the theme since,
    `EditConflict` and nothing is written (hls/conflicts.py)."""
    current = lock_current(Theme, workspace=workspace, pk=theme.pk)
    require_current(current, revision=revision, fields=["name", "kind", "description"])
    theme = current
    if theme.merged_into_id is not None:
        raise ValidationError(_("This theme was merged into another one; change that one instead."))
    new_name = _clean_name(workspace=workspace, name=name, exclude=theme)
    new_kind = _clean_kind(kind)
    if new_name != theme.name:
        ThemeChange.objects.create(
            workspace=workspace,
            theme=theme,
            action="renamed",
            before=theme.name,
            after=new_name,
            changed_by=changed_by,
        )
    if new_kind != theme.kind:
        ThemeChange.objects.create(
            workspace=workspace,
            theme=theme,
            action="kind_changed",
            before=theme.kind,
            after=new_kind,
            changed_by=changed_by,
        )
    changed = (new_name, new_kind, description.strip()) != (
        theme.name,
        theme.kind,
        theme.description,
    )
    theme.name, theme.kind, theme.description = new_name, new_kind, description.strip()
    theme.revision = next_revision(theme) if changed else theme.revision
    theme.save(update_fields=["name", "kind", "description", "revision", "updated_at"])
    return theme


@transaction.atomic
def theme_merge(*, workspace: Workspace, theme: Theme, into: Theme, merged_by: User) -> Theme:
    """Merge `theme` into `into`: its entries move over (never twice on one entry), it is
    hidden from lists and pickers, and both themes' histories say so. Returns `into`."""
    locked = {
        t.pk: t
        for t in Theme.objects.select_for_update().filter(
            workspace=workspace, pk__in=[theme.pk, into.pk]
        )
    }
    source, target = locked.get(theme.pk), locked.get(into.pk)
    if source is None or target is None:
        raise ValidationError({"into": _("Choose a theme of this workspace.")})
    if source.pk == target.pk:
        raise ValidationError({"into": _("A theme cannot be merged into itself. Choose another.")})
    if source.merged_into_id is not None:
        raise ValidationError(_("This theme has already been merged into another one."))
    if target.merged_into_id is not None:
        raise ValidationError(
            {
                "into": _("“%(name)s” was itself merged into another theme. Choose a theme in use.")
                % {"name": target.name}
            }
        )
    already = EntryTheme.objects.filter(workspace=workspace, theme=target).values("entry_id")
    EntryTheme.objects.filter(workspace=workspace, theme=source, entry_id__in=already).delete()
    EntryTheme.objects.filter(workspace=workspace, theme=source).update(theme=target)
    # Themes merged into this one before now point at where it went.
    Theme.objects.filter(workspace=workspace, merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    for row, action in ((source, "merged"), (target, "absorbed")):
        ThemeChange.objects.create(
            workspace=workspace,
            theme=row,
            action=action,
            before=source.name,
            after=target.name,
            changed_by=merged_by,
        )
    theme.merged_into = target
    return target
