"""The cycles app's Celery tasks. Celery discovers one `tasks` module per installed app, so the
tasks of cycles' sub-areas are imported here to be registered with the worker."""

from cycles.barriers.tasks import notify_barrier_landed

__all__ = ["notify_barrier_landed"]
