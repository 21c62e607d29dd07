"""The audit log as a CSV file, streamed: read by keyset a thousand events at a time, each
chunk in its own short transaction scoped to the workspace (the response is sent after the
request's own transaction has ended), so the file's size never rests in memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from hls.audit import selectors
from hls.csvcells import cell
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace

COLUMNS = (
    "event_id",
    "at_utc",
    "actor_id",
    "actor",
    "action",
    "what",
    "target_type",
    "target_id",
    "target",
    "details",
)


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(v) for v in values])
    return buffer.getvalue()


def csv_lines(
    *, workspace: Workspace, f: selectors.AuditFilter, chunk: int = selectors.EXPORT_CHUNK
) -> Iterator[str]:
    """The header, then one line per event, newest first."""
    yield _line(list(COLUMNS))
    chunks = selectors.export_chunks(workspace=workspace, f=f, chunk=chunk)
    while True:
        with tenant_scope(workspace_id=workspace.pk):
            events = next(chunks, None)
            if events is None:
                return
            rows = selectors.describe_rows(workspace=workspace, events=events)
        for row in rows:
            event, target = row.event, row.target
            yield _line(
                [
                    event.pk,
                    event.created_at.astimezone(dt.UTC).isoformat(),
                    event.actor_id or "",
                    event.actor.display_name if event.actor else _("No one (background work)"),
                    event.action,
                    row.label,
                    event.target_type,
                    event.target_id,
                    target.shown_as if target else "",
                    "; ".join(f"{key}: {value}" for key, value in row.details),
                ]
            )
