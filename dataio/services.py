"""Imports: upload → map columns → dry run (every bad row, with its line and reason) → the real
run, in a worker, all rows in ONE transaction through the same services the pages use.

Keyword-only, typed, atomic. Errors are `ValidationError({field: message})`, so the pages show
them beside the field; their codes are listed in docs/import-export.md."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dataio import csvfile, progress
from dataio.kinds import FIELDS, IMPORTERS, SERVICE_FIELDS, RowError, guess_mapping
from dataio.models import ExportRun, ImportRun
from hls.accounts.models import User
from hls.audit.services import audit_record
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace

logger = logging.getLogger(__name__)

EDITABLE = (ImportRun.Status.UPLOADED, ImportRun.Status.MAPPED, ImportRun.Status.CHECKED)


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    code: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "code": self.code, "reason": self.reason}


class ImportFailed(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


# Upload and mapping --------------------------------------------------------------------------


@transaction.atomic
def import_upload(
    *,
    workspace: Workspace,
    user: User,
    kind: str,
    file_name: str,
    data: bytes,
    size: int | None = None,
) -> ImportRun:
    """Keep the file if it reads as a CSV (strict UTF-8, a header row, at least one row).
    `size` is the whole upload's size when `data` holds only its first bytes (a caller reads no
    more than MAX_BYTES + 1), so a refusal names the real size."""
    if kind not in ImportRun.Kind.values:
        raise ValidationError(
            {
                "kind": _(
                    "Choose what the file holds: people, cycles, entries or values of measures."
                )
            }
        )
    size = max(size or 0, len(data))
    if size > csvfile.MAX_BYTES:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The file is %(size)s MB; the most we take is %(max)s MB. Split it.")
                    % {"size": f"{size / 2**20:.1f}", "max": csvfile.MAX_BYTES // 2**20},
                    code="too_large",
                )
            }
        )
    parsed = csvfile.parse(data)
    run = ImportRun.objects.create(
        workspace=workspace,
        kind=kind,
        file_name=file_name[:255],
        file_content=data,
        encoding=parsed.encoding,
        header=parsed.header,
        row_count=len(parsed.rows),
        mapping=guess_mapping(kind, parsed.header),
        created_by=user,
    )
    audit_record(
        workspace=workspace, actor=user, action="dataio.import_uploaded", target=run, kind=kind,
        rows=run.row_count,
    )  # fmt: skip
    return run


def _lock(*, workspace: Workspace, run: ImportRun) -> ImportRun:
    return ImportRun.objects.select_for_update().get(workspace=workspace, pk=run.pk)


@transaction.atomic
def import_map(
    *, workspace: Workspace, run: ImportRun, mapping: dict[str, str], user: User
) -> ImportRun:
    """Choose the column for each field. Every required field needs one; a column serves one
    field at most. Changing the mapping asks for a new dry run."""
    run = _lock(workspace=workspace, run=run)
    if run.status not in EDITABLE:
        raise ValidationError(_("This import has already run: upload the file again to redo it."))
    errors: dict[str, list[ValidationError]] = {}
    missing: list[str] = []
    chosen: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for spec in FIELDS[run.kind]:
        column = (mapping.get(spec.name) or "").strip()
        if not column:
            if spec.required:
                missing.append(str(spec.label))
                errors.setdefault(spec.name, []).append(
                    ValidationError(
                        _("Choose the column that holds “%(field)s”: it is required.")
                        % {"field": spec.label},
                        code="missing_column",
                    )
                )
            continue
        if column not in run.header:
            errors.setdefault(spec.name, []).append(
                ValidationError(_("Choose one of the file's columns."), code="invalid_choice")
            )
        elif column in chosen:
            errors.setdefault(spec.name, []).append(
                ValidationError(
                    _("The column “%(column)s” is already chosen for “%(field)s”.")
                    % {"column": column, "field": chosen[column]},
                    code="column_used_twice",
                )
            )
        else:
            chosen[column] = str(spec.label)
            cleaned[spec.name] = column
    if missing:
        errors.setdefault("__all__", []).append(
            ValidationError(
                _("The file has no column chosen for these required fields: %(fields)s.")
                % {"fields": ", ".join(missing)},
                code="missing_columns",
            )
        )
    if errors:
        raise ValidationError(errors)
    run.mapping = cleaned
    run.status = ImportRun.Status.MAPPED
    run.problems = []
    run.save(update_fields=["mapping", "status", "problems"])
    return run


# Checking and importing rows -----------------------------------------------------------------


def _problems_of(kind: str, mapping: dict[str, str], line: int, error: Exception) -> list[Problem]:
    def column(field: str) -> str:
        field = SERVICE_FIELDS[kind].get(field, field)
        return mapping.get(field, "")

    if isinstance(error, RowError):
        return [Problem(line, column(error.field), error.code, error.message)]
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [
                Problem(line, column(field), item.code or "invalid", " ".join(item.messages))
                for field, items in error.error_dict.items()
                for item in items
            ]
        return [
            Problem(line, "", item.code or "invalid", " ".join(item.messages))
            for item in error.error_list
        ]
    logger.warning("import row at line %s refused by the database", line, exc_info=error)
    return [
        Problem(
            line,
            "",
            "database",
            _("The database refused this row (%(error)s); nothing was imported.")
            % {"error": type(error).__name__},
        )
    ]


def _rows(
    run: ImportRun, user: User, *, dry: bool, on_row: Any = None
) -> tuple[int, list[Problem]]:
    """Import every row. Dry: each row in a savepoint, every problem collected (the caller rolls
    everything back). Real: the first problem raises ImportFailed (the caller's transaction
    rolls everything back)."""
    parsed = csvfile.parse(bytes(run.file_content))
    header = parsed.header
    index = {field: header.index(column) for field, column in run.mapping.items()}
    importer = IMPORTERS[run.kind](workspace=run.workspace, user=user)
    problems: list[Problem] = []
    seen_rows: dict[tuple[str, ...], int] = {}
    seen_keys: dict[Any, int] = {}
    key_field = {"people": "reference", "cycles": "name", "entries": "text", "data_points": "on"}[
        run.kind
    ]
    for done, row in enumerate(parsed.rows, start=1):
        row_problems: list[Problem] = []
        values = {
            field: row.values[i].strip() if i < len(row.values) else ""
            for field, i in index.items()
        }
        exact = tuple(values[f] for f in sorted(values))
        key = importer.key(values)
        if len(row.values) != len(header):
            row_problems.append(
                Problem(
                    row.line,
                    "",
                    "wrong_column_count",
                    _(
                        "This row has %(count)s values; the header has %(columns)s columns. A "
                        "value holding a comma must be in double quotes."
                    )
                    % {"count": len(row.values), "columns": len(header)},
                )
            )
        elif exact in seen_rows:
            row_problems.append(
                Problem(
                    row.line,
                    "",
                    "duplicate_row",
                    _("This row repeats line %(line)s exactly.") % {"line": seen_rows[exact]},
                )
            )
        elif key is not None and key in seen_keys:
            row_problems.append(
                Problem(
                    row.line,
                    run.mapping.get(key_field, ""),
                    "duplicate_in_file",
                    _("Line %(line)s has the same %(what)s; each may appear once in a file.")
                    % {"line": seen_keys[key], "what": key[0]},
                )
            )
        seen_rows.setdefault(exact, row.line)
        if key is not None:
            seen_keys.setdefault(key, row.line)
        if not row_problems:
            try:
                if dry:
                    with transaction.atomic():
                        importer.import_row(values)
                else:
                    importer.import_row(values)
            except (RowError, ValidationError, DatabaseError) as error:
                row_problems = _problems_of(run.kind, run.mapping, row.line, error)
        if row_problems and not dry:
            raise ImportFailed(row_problems[0])
        problems.extend(row_problems)
        if on_row is not None:
            on_row(done)
    return importer.created, problems


def import_check(*, workspace: Workspace, run: ImportRun, user: User) -> ImportRun:
    """The dry run: every row through the real services in a transaction that is then rolled
    back; each bad row is reported with its line, column and reason. Nothing changes."""
    with transaction.atomic():
        run = _lock(workspace=workspace, run=run)
        if run.status not in (ImportRun.Status.MAPPED, ImportRun.Status.CHECKED):
            raise ValidationError(_("Choose the columns first."))
        importer_user = run.created_by or user
        with transaction.atomic():
            _created, problems = _rows(run, importer_user, dry=True)
            transaction.set_rollback(True)
        run.problems = [p.as_dict() for p in problems]
        run.status = ImportRun.Status.CHECKED
        run.checked_at = timezone.now()
        run.save(update_fields=["problems", "status", "checked_at"])
    return run


@transaction.atomic
def import_start(*, workspace: Workspace, run: ImportRun, user: User) -> ImportRun:
    """Queue the real run of a checked import with no problems. Starting twice starts once."""
    from dataio.tasks import run_import
    from hls.jobs import publish_on_commit

    run = _lock(workspace=workspace, run=run)
    if run.status in (ImportRun.Status.RUNNING, ImportRun.Status.DONE):
        return run
    if run.status != ImportRun.Status.CHECKED:
        raise ValidationError(_("Check the rows (the dry run) before importing."))
    if run.problems:
        raise ValidationError(
            _("The dry run found problems. Correct the file and upload it again.")
        )
    run.status = ImportRun.Status.RUNNING
    run.progress_done, run.progress_total = 0, run.row_count
    run.started_at = timezone.now()
    run.save(update_fields=["status", "progress_done", "progress_total", "started_at"])
    progress.write("import", run.pk, 0)
    audit_record(
        workspace=workspace, actor=user, action="dataio.import_started", target=run,
        kind=run.kind, rows=run.row_count,
    )  # fmt: skip
    publish_on_commit(run_import, workspace.pk, run.pk)
    return run


def import_execute(*, workspace_id: int, import_id: int) -> bool:
    """The real run (the worker's task): every row in ONE transaction, so a failure anywhere
    changes nothing; then the run is marked failed with the line and reason. Progress goes to
    the cache as rows are done. A run that is not RUNNING (done, failed) is left alone, and the
    row lock makes a duplicated task wait, then find it done."""
    failure: Problem | None = None
    try:
        with tenant_scope(workspace_id=workspace_id):
            run = (
                ImportRun.objects.select_for_update(of=("self",))
                .select_related("workspace", "created_by")
                .filter(workspace_id=workspace_id, pk=import_id)
                .first()
            )
            if run is None or run.status != ImportRun.Status.RUNNING:
                return False
            if run.created_by is None:
                raise ImportFailed(
                    Problem(0, "", "no_user", _("The admin who started this import has left."))
                )
            total = run.row_count
            step = max(1, total // 100)

            def on_row(done: int) -> None:
                if done % step == 0 or done == total:
                    progress.write("import", import_id, done)

            created, _problems = _rows(run, run.created_by, dry=False, on_row=on_row)
            run.status = ImportRun.Status.DONE
            run.created_count = created
            run.progress_done = total
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "created_count", "progress_done", "finished_at"])
            audit_record(
                workspace=run.workspace, actor=run.created_by, action="dataio.import_done",
                target=run, kind=run.kind, created=created,
            )  # fmt: skip
    except ImportFailed as error:
        failure = error.problem
    except Exception as error:  # anything else: still nothing imported, and the page says so
        logger.exception("import %s failed", import_id)
        failure = Problem(
            0, "", "error",
            _("The import stopped with an unexpected error (%(error)s); nothing was imported.")
            % {"error": type(error).__name__},
        )  # fmt: skip
    if failure is None:
        return True
    _mark_failed(workspace_id=workspace_id, import_id=import_id, problem=failure)
    return False


def _mark_failed(*, workspace_id: int, import_id: int, problem: Problem) -> None:
    with tenant_scope(workspace_id=workspace_id):
        run = (
            ImportRun.objects.select_for_update(of=("self",))
            .select_related("workspace")
            .filter(workspace_id=workspace_id, pk=import_id)
            .first()
        )
        if run is None or run.status != ImportRun.Status.RUNNING:
            return
        where = _("Line %(line)s: ") % {"line": problem.line} if problem.line else ""
        run.status = ImportRun.Status.FAILED
        run.failure = where + problem.reason
        run.problems = [problem.as_dict()]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "failure", "problems", "finished_at"])
        audit_record(
            workspace=run.workspace, actor=None, action="dataio.import_failed", target=run,
            line=problem.line, code=problem.code,
        )  # fmt: skip
    progress.clear("import", import_id)


# Exports -------------------------------------------------------------------------------------


@transaction.atomic
def export_create(*, workspace: Workspace, user: User) -> ExportRun:
    from dataio.tasks import build_export
    from hls.jobs import publish_on_commit

    export = ExportRun.objects.create(workspace=workspace, created_by=user)
    audit_record(workspace=workspace, actor=user, action="dataio.export_requested", target=export)
    publish_on_commit(build_export, workspace.pk, export.pk)
    return export


@transaction.atomic
def export_downloaded(*, workspace: Workspace, export: ExportRun, user: User) -> None:
    audit_record(workspace=workspace, actor=user, action="dataio.export_downloaded", target=export)


def files_withdraw(*, workspace: Workspace, **_signal: Any) -> int:
    """After a person is erased (systems.people.signals.person_erased, in the same
    transaction): every earlier export's file and every finished import's uploaded file could
    hold them, so each goes. The rows stay, so the pages say what happened; a new export holds
    none of it. Returns how many files went."""
    exports_gone = ExportRun.objects.filter(workspace=workspace, content__isnull=False).update(
        content=None, size=0
    )
    imports_gone = (
        ImportRun.objects.filter(workspace=workspace, status=ImportRun.Status.DONE)
        .exclude(file_content=b"")
        .update(file_content=b"")
    )
    return exports_gone + imports_gone
