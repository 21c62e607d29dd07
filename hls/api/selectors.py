from django.db.models import QuerySet

from hls.api.models import ApiKey
from hls.tenancy.models import Workspace


def api_keys(*, workspace: Workspace) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(workspace=workspace).select_related("created_by")
