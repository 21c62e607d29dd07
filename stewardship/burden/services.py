"""Writes for a cycle's burden ledger: the time it commits to learning and what it stopped
doing to make room. Only those inside the cycle change them (`cycles.trust.require_steer`):
those above may read the ledger, never set it. Keyword-only, typed; ValidationError names the
field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.models import Cycle
from cycles.trust import require_steer
from hls.accounts.models import User
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Workspace
from stewardship.models import LearningTime, StopDoing

MOST_HOURS = {LearningTime.Per.WEEK: Decimal(40), LearningTime.Per.MONTH: Decimal(160)}
WHAT_MAX = 300


@transaction.atomic
def learning_time_set(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    hours: Decimal,
    per: str,
    how: str = "",
    revision: int | None = None,
) -> LearningTime:
    """Set the time the cycle commits to learning. `revision` is the one the editor started
    from: if someone saved since, `EditConflict` and nothing is written (hls/conflicts.py)."""
    require_steer(workspace=workspace, user=user, cycle=cycle)
    if per not in LearningTime.Per.values:
        raise ValidationError({"per": _("Choose a week or a month.")})
    if hours <= 0:
        raise ValidationError({"hours": _("Give the time in hours, more than none.")})
    most = MOST_HOURS[LearningTime.Per(per)]
    if hours > most:
        message = _("At most %(most)s hours %(per)s: learning is part of the work, not all of it.")
        raise ValidationError(
            {"hours": message % {"most": most, "per": LearningTime.Per(per).label}}
        )
    how = how.strip()
    time, created = LearningTime.objects.get_or_create(
        workspace=workspace, cycle=cycle,
        defaults={"hours": hours, "per": per, "how": how, "updated_by": user},
    )  # fmt: skip
    if created:
        return time
    # (revision 0: the editor's page had no time set yet, so any saved since is newer)
    current = lock_current(
        LearningTime, workspace=workspace, pk=time.pk, related=["updated_by"], of=["self"]
    )
    require_current(
        current, revision=revision, fields=["hours", "per", "how"], saved_by=current.updated_by
    )
    if (current.hours, current.per, current.how) != (hours, per, how):
        current.hours, current.per, current.how = hours, per, how
        current.updated_by = user
        current.revision = next_revision(current)
        current.save()
    return current


def stop_doing_add(
    *,
    workspace: Workspace,
    cycle: Cycle,
    user: User,
    what: str,
    frees: str = "",
    since: dt.date | None = None,
) -> StopDoing:
    """Record something the cycle stopped doing to make time for learning."""
    require_steer(workspace=workspace, user=user, cycle=cycle)
    what = what.strip()
    if not what:
        raise ValidationError({"what": _("Say what you stop doing.")})
    if len(what) > WHAT_MAX:
        raise ValidationError({"what": _("Keep it to %(n)d characters.") % {"n": WHAT_MAX}})
    since = since or timezone.localdate()
    if since > timezone.localdate():
        raise ValidationError({"since": _("Give a day that has come: today or before.")})
    return StopDoing.objects.create(
        workspace=workspace, cycle=cycle, what=what, frees=frees.strip(), since=since,
        added_by=user,
    )  # fmt: skip


@transaction.atomic
def stop_doing_resume(*, workspace: Workspace, item: StopDoing, user: User, why: str) -> StopDoing:
    """Something stopped has started again: why is kept, as learning (never deleted)."""
    require_steer(workspace=workspace, user=user, cycle=item.cycle)
    item = StopDoing.objects.select_for_update().get(workspace=workspace, pk=item.pk)
    if item.status == StopDoing.Status.RESUMED:
        raise ValidationError({"why": _("It had already started again.")})
    why = why.strip()
    if not why:
        raise ValidationError({"why": _("Say why it started again: it is worth learning from.")})
    item.status = StopDoing.Status.RESUMED
    item.resumed_why = why
    item.resumed_on = timezone.localdate()
    item.save(update_fields=["status", "resumed_why", "resumed_on"])
    return item
