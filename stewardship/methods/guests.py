"""Reads for guests, who reach a run by its code at /join/<code>/, outside any workspace: the URL
carries no workspace, so the run is found across workspaces (as the calendar feed finds its feed,
stewardship/notifications/selectors.py), and everything after that runs in the run's workspace
only (tenant_scope in the views).

A guest is a RunParticipant with no user; their browser keeps a secret in a cookie scoped to
/join/<code>/, and only its hash is stored (services.guest_join). A code is 8 characters over
a 32-letter alphabet (about 10^12 codes): guessing one is the attack, so unknown codes are also
counted per address and refused for a while after too many (`too_many_misses`)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from hls.tenancy import crossing
from hls.tenancy.context import tenant_scope
from stewardship.methods.services import GUEST_CODE_ALPHABET, GUEST_CODE_LENGTH, guest_secret_hash
from stewardship.models import MethodRun, RunAnswer, RunParticipant

COOKIE = "hls_guest"
COOKIE_SECONDS = 60 * 60 * 24 * 14  # a run can be taken up again later
MISSES_ALLOWED = 20  # unknown codes per address per window
MISS_WINDOW_SECONDS = 15 * 60


def with_live(query: QuerySet[MethodRun]) -> QuerySet[MethodRun]:
    """Runs with what a run page's live region's version is made of (views.live_version): the
    newest answer's time and the number taking part, beside the run's revision (which every
    move, reveal and completion bumps). Read in the run's own query."""
    newest = (
        RunAnswer.objects.filter(run=OuterRef("pk"))
        .order_by()
        .values("run")
        .annotate(at=Max("updated_at"))
        .values("at")
    )
    people = (
        RunParticipant.objects.filter(run=OuterRef("pk"))
        .order_by()
        .values("run")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return query.annotate(last_answer_at=Subquery(newest), people=Subquery(people))


def well_formed(code: str) -> bool:
    return len(code) == GUEST_CODE_LENGTH and all(c in GUEST_CODE_ALPHABET for c in code)


def run_by_code(code: str) -> MethodRun | None:
    """The open run with this guest code, in any workspace; None if unknown or closed."""
    if not well_formed(code):
        return None
    found = crossing.ask("open_run_by_guest_code", code)
    # Codes are unique within a workspace; two workspaces drawing the same one (about one chance
    # in 10^12) open neither, rather than one guest the wrong run.
    if len(found) != 1:
        return None
    workspace_id, pk = found[0]
    with tenant_scope(workspace_id=workspace_id):
        return (
            with_live(MethodRun.objects.select_related("workspace"))
            .filter(pk=pk, status=MethodRun.Status.OPEN)
            .first()
        )


def closed_run_of_guest(secret: str) -> MethodRun | None:
    """The completed run a guest's secret belongs to (their code stopped working when it
    completed), in any workspace; None otherwise."""
    if not secret:
        return None
    found = crossing.first("run_of_guest", guest_secret_hash(secret))
    if found is None:
        return None
    workspace_id, pk = found
    with tenant_scope(workspace_id=workspace_id):
        return MethodRun.objects.filter(pk=pk, status=MethodRun.Status.COMPLETED).first()


def guest_in(*, run: MethodRun, secret: str) -> RunParticipant | None:
    """The guest of `run` whose browser holds `secret` (call inside the run's tenant_scope)."""
    if not secret:
        return None
    return RunParticipant.objects.filter(
        workspace_id=run.workspace_id, run=run, user__isnull=True, token=guest_secret_hash(secret)
    ).first()


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def too_many_misses(request: HttpRequest) -> bool:
    return int(cache.get(f"guest-code-miss:{_address(request)}") or 0) >= MISSES_ALLOWED


def count_miss(request: HttpRequest) -> None:
    key = f"guest-code-miss:{_address(request)}"
    if not cache.add(key, 1, MISS_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired (or the cache is away) between add and incr
            cache.add(key, 1, MISS_WINDOW_SECONDS)
