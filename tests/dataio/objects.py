"""Objects for the outsider matrix (tests/outsider_objects.py): imports and exports."""

from dataio.models import ExportRun, ImportRun


def make_import(workspace, membership) -> int:
    return ImportRun.objects.create(
        workspace=workspace,
        kind=ImportRun.Kind.PEOPLE,
        file_name="people.csv",
        file_content=b"alias\r\nSammy\r\n",
        encoding="utf-8",
        header=["alias"],
        mapping={"alias": "alias"},
        row_count=1,
        created_by=membership.user,
    ).pk


def make_export(workspace, membership) -> int:
    return ExportRun.objects.create(
        workspace=workspace,
        status=ExportRun.Status.DONE,
        content=b"PK\x05\x06" + b"\x00" * 18,
        size=22,
        progress_done=8,
        progress_total=8,
        created_by=membership.user,
    ).pk


MAKERS = {"import_id": make_import, "data_export_id": make_export}
