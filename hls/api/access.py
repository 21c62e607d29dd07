"""Fetch-or-404 helpers: a missing key and another workspace's key look the same."""

from django.shortcuts import get_object_or_404

from hls.api.models import ApiKey
from hls.tenancy.models import Workspace


def access_api_key(*, workspace: Workspace, key_id: int) -> ApiKey:
    return get_object_or_404(ApiKey, workspace=workspace, pk=key_id)
