"""A file over the upload limit is refused with its real size and the limit (issue 11: a 20 MB
file was refused as "The file is 5.0 MB", the size of the part read). The upload goes through
Django's real multipart handling (a temporary file on disk above FILE_UPLOAD_MAX_MEMORY_SIZE)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from dataio.csvfile import MAX_BYTES
from dataio.models import ImportRun
from hls.tenancy.context import tenant_scope

pytestmark = pytest.mark.django_db


def _csv(size: int) -> bytes:
    row = b"Sam,2024-01-01,A story that goes on for a while\r\n"
    return (b"alias,since,notes\r\n" + row * (size // len(row) + 1))[:size]


@pytest.mark.parametrize(("size", "shown"), [(20 * 2**20, "20.0"), (MAX_BYTES + 1, "5.0")])
def test_a_large_file_is_refused_with_its_real_size(world, admin_client, size, shown):
    assert size > settings.FILE_UPLOAD_MAX_MEMORY_SIZE  # streamed to disk, as in production
    upload = SimpleUploadedFile("people.csv", _csv(size), "text/csv")
    response = admin_client.post(
        "/w/riverside/integrations/import/", {"kind": "people", "file": upload}
    )
    assert response.status_code in (200, 400, 422)
    text = response.content.decode()
    assert f"The file is {shown} MB; the most we take is 5 MB. Split it." in text
    assert 'name="kind"' in text  # the page and its form are kept
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not ImportRun.objects.exists()
