"""The few reads that span workspaces, and the one place that makes them.

The application role sees one workspace at a time and cannot widen that by any setting
(hls/tenancy/rls.py). What must look across workspaces (the scheduler finding due work, a link
or key that names no workspace) calls one of the SECURITY DEFINER functions made by migration
tenancy 0003: each answers one narrow question with ids (a workspace and a row), never
content, and the caller then reads the row as the application role in that workspace's
scope. Functions that lock (`FOR UPDATE SKIP LOCKED`) hold their lock until the caller's
transaction ends, so call them inside one.
"""

import datetime as dt
import uuid
from typing import Any, Literal

from django.db import connection

Question = Literal[
    "pending_exports",
    "stalled_imports",
    "calendar_feed",
    "next_due_reminder",
    "reminders_due_beyond",
    "digest_recipients",
    "open_run_by_guest_code",
    "run_of_guest",
    "pending_reports",
    "pending_report_exports",
    "invitations_past_expiry",
    "invitation",
    "invitations_unsent",
    "enter_api_key_workspace",
    "next_due_webhook_delivery",
]
Argument = str | int | dt.datetime | uuid.UUID


def ask(question: Question, *arguments: Argument) -> list[tuple[Any, ...]]:
    """The rows one crossing function answers with (a boolean or an id comes back as one row
    of one column)."""
    placeholders = ", ".join(["%s"] * len(arguments))
    with connection.cursor() as cursor:
        sql = f"SELECT * FROM public.hls_cross_{question}({placeholders})"  # noqa: S608 - a Question
        cursor.execute(sql, arguments)
        return list(cursor.fetchall())


def first(question: Question, *arguments: Argument) -> tuple[Any, ...] | None:
    rows = ask(question, *arguments)
    return rows[0] if rows else None
