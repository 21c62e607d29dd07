"""Naming in templates, by the one rule (cycles.trust): `{{ entry|author_label:trust }}`,
`{{ experiment|owner_label:trust }}`, `{{ cycle|cycle_name:trust }}`,
`{% if entry|names_author:trust %}`, `{% if experiment|names_owner:trust %}`. `trust` is in every
workspace page's context (cycles.context_processors.trust)."""

from django import template
from django.template import Context

from cycles.models import Cycle, Entry, Experiment
from cycles.trust import Trust
from hls.accounts.models import User
from systems.models import System

register = template.Library()


@register.filter
def author_label(entry: Entry, trust: Trust) -> str:
    return trust.author_label(entry)


@register.filter
def owner_label(experiment: Experiment, trust: Trust) -> str:
    return trust.owner_label(experiment)


@register.filter
def cycle_name(cycle: Cycle, trust: Trust) -> str:
    return trust.cycle_name(cycle)


@register.filter
def system_name(system: System, trust: Trust) -> str:
    return trust.system_name(system)


@register.filter
def may_steer(cycle: Cycle, trust: Trust) -> bool:
    return trust.may_steer(cycle)


@register.filter
def names_author(entry: Entry, trust: Trust) -> bool:
    return trust.names_author(entry)


@register.filter
def names_owner(experiment: Experiment, trust: Trust) -> bool:
    return trust.names_owner(experiment)


@register.simple_tag(takes_context=True)
def member_label(context: Context, user: User | None, cycle: Cycle) -> str:
    """`{% member_label shift.shifted_by cycle %}`: who did something in a cycle (a phase move,
    an answer), named inside it, the cycle's name outside."""
    trust: Trust = context["trust"]
    return trust.member_label(user, cycle)
