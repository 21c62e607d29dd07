"""Imports (CSV of people, cycles, entries or values of measures) and exports (a zip of CSV
and JSON) of one workspace. The uploaded file and the built zip are kept in the row, as bytes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hls.tenancy.models import WorkspaceOwned


class ImportRun(WorkspaceOwned):
    class Kind(models.TextChoices):
        PEOPLE = "people", _("People served")
        CYCLES = "cycles", _("Cycles")
        ENTRIES = "entries", _("Entries")
        DATA_POINTS = "data_points", _("Values of measures")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        MAPPED = "mapped", _("Columns chosen")
        CHECKED = "checked", _("Checked")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("what to import"), max_length=16, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    file_content = models.BinaryField()
    encoding = models.CharField(max_length=16)  # "utf-8" or "utf-8-sig"
    header = models.JSONField(default=list)  # the file's column names, in order
    mapping = models.JSONField(default=dict)  # {our field: column name}
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    row_count = models.PositiveIntegerField(default=0)  # data rows, blank lines not counted
    problems = models.JSONField(default=list)  # [{"line", "column", "code", "reason"}]
    created_count = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="dataio_import_ws_recent")
        ]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.status})"


class ExportRun(WorkspaceOwned):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)  # the zip, when done
    size = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)  # {resource: rows}
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="dataio_export_ws_recent")
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"
