"""Telling the areas above that something happened, across the layers without importing upward.

A domain area low in the layers (cycles: a barrier raised, answered, passed further up; systems:
a new workspace given its default scales) says *what happened*; an area above it (stewardship:
the notification centre, Today and email, under each person's preferences; the starter
questions of the bank) decides *what follows and who hears of it*, and subscribes when its app
is ready. The import contracts (pyproject.toml) keep the direction: this core imports no domain
app. `publish` calls the handlers at once, inside the caller's transaction: what they write
(rows of an outbox, each with its idempotency key) commits or rolls back with the event itself,
so an event is never announced without having happened, nor lost once it has.

A second registry, `today_sections`, lets the areas above put what is waiting for the member on
the workspace's Today page (hls.tenancy.views.workspace_home), which lives in this core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BARRIER_RAISED = "barrier.raised"
BARRIER_ANSWERED = "barrier.answered"
BARRIER_PASSED_UP = "barrier.passed_up"
# A workspace was given its default scales (systems.services.scales_ensure_defaults): it is new
# to the domain apps, and those above systems add their own starting points.
SCALES_DEFAULTS_ADDED = "scales.defaults_added"
# A webhook was turned off after failing deliveries (hls.webhooks): its admins are told in the
# notification centre. `data` holds who ("users") and what they read ("title", "body", "url").
WEBHOOK_DISABLED = "webhook.disabled"
EVENTS = frozenset(
    {BARRIER_RAISED, BARRIER_ANSWERED, BARRIER_PASSED_UP, SCALES_DEFAULTS_ADDED, WEBHOOK_DISABLED}
)


@dataclass(frozen=True)
class Notice:
    """Something people should hear of. Ids only, never personal data."""

    event: str
    workspace_id: int
    object_id: int  # what it is about (barriers: the route; scales: the workspace; a webhook)
    actor_id: int | None  # who did it (told nothing about their own act)
    data: dict[str, Any] = field(default_factory=dict)  # further ids (e.g. the answer's)


Handler = Callable[[Notice], object]  # what it returns is not used
_handlers: dict[str, dict[str, Handler]] = {}


def _name(handler: Callable[..., Any]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(event: str, handler: Handler) -> None:
    """Call `handler` for every `event` published. Subscribing the same handler twice (an app
    made ready twice) keeps one."""
    if event not in EVENTS:
        raise ValueError(f"unknown event: {event!r}")
    _handlers.setdefault(event, {})[_name(handler)] = handler


def publish(notice: Notice) -> None:
    """Hand the notice to every subscribed handler, now, in the caller's transaction."""
    if notice.event not in EVENTS:
        raise ValueError(f"unknown event: {notice.event!r}")
    for handler in list(_handlers.get(notice.event, {}).values()):
        handler(notice)


# Today ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodaySection:
    """A part of the member's Today page: a template and what it shows. Sections are shown by
    `order` (what is soonest to act on first), then in the order their providers were added."""

    template: str
    context: dict[str, Any]
    order: int = 50


TodayProvider = Callable[[Any], TodaySection | None]  # given the request
_today: dict[str, TodayProvider] = {}


def add_today_section(provider: TodayProvider) -> None:
    _today[_name(provider)] = provider


def today_sections(request: Any) -> list[TodaySection]:
    """The sections that have something for the member, by `order`, then in the order their
    providers were added."""
    found = (provider(request) for provider in list(_today.values()))
    return sorted((section for section in found if section is not None), key=lambda s: s.order)
